"""/api/v1/link-reviews/: the branch office's queue of roster rows held for review (linking.py), and the
decisions on them. The same selector and services as the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from cakupan.accounts.permissions import Perm, require
from cakupan.enrolment.models import LinkReview
from cakupan.enrolment.selectors import link_review_get, link_review_list
from cakupan.enrolment.services.reviews import link_review_approve, link_review_reject
from cakupan.registry.api.base import ApiViewSet, error_responses

ID_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH)
STATUS_PARAM = OpenApiParameter(
    "status", str, enum=LinkReview.Status.values, description="pending by default"
)


class LinkReviewOutput(serializers.ModelSerializer):
    """The row as supplied, beside the registered person's name and birth date (reviewers see both)."""

    registered_name = serializers.CharField(source="person.full_name", read_only=True)
    registered_birth_date = serializers.DateField(source="person.birth_date", read_only=True)
    registered_sex = serializers.CharField(source="person.sex", read_only=True)
    uploader = serializers.CharField(source="roster_import.uploader.username", read_only=True)

    class Meta:
        model = LinkReview
        fields = [
            "id",
            "roster_import",
            "row_number",
            "uploader",
            "person",
            "registered_name",
            "registered_birth_date",
            "registered_sex",
            "employer",
            "sponsor",
            "self_paid",
            "segment",
            "full_name",
            "birth_date",
            "sex",
            "phone",
            "region",
            "basic_wage",
            "fixed_allowance",
            "declared_income",
            "bpu_sector",
            "programs",
            "start_date",
            "status",
            "decided_by",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields


@extend_schema(tags=["rosters"])
@extend_schema_view(
    list=extend_schema(
        summary="Roster rows held for branch review",
        parameters=[STATUS_PARAM],
        responses={200: LinkReviewOutput(many=True), **error_responses(403)},
    ),
    retrieve=extend_schema(
        summary="One held roster row",
        parameters=[ID_PARAM],
        responses={200: LinkReviewOutput, **error_responses(403, 404)},
    ),
)
class LinkReviewViewSet(ApiViewSet):
    model = LinkReview
    write_permission = Perm.LINK_REVIEW

    def list_queryset(self) -> QuerySet[Any]:
        return link_review_list(user=self.request.user, scope=self.scope)

    def list(self, request: Request) -> Response:
        require(self.scope, Perm.LINK_REVIEW)
        status = request.query_params.get("status", LinkReview.Status.PENDING)
        rows = self.get_queryset()
        if status in LinkReview.Status.values:
            rows = rows.filter(status=status)
        return self.render_page(rows, LinkReviewOutput)

    def retrieve(self, request: Request, pk: str) -> Response:
        require(self.scope, Perm.LINK_REVIEW)
        return self.render(link_review_get(user=request.user, pk=pk), LinkReviewOutput)

    @extend_schema(
        summary="Approve: link the person as the row asked",
        parameters=[ID_PARAM],
        request=None,
        responses={200: LinkReviewOutput, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        review = link_review_approve(actor=request.user, review=link_review_get(user=request.user, pk=pk))
        return self.render(review, LinkReviewOutput)

    @extend_schema(
        summary="Reject: nothing is linked",
        parameters=[ID_PARAM],
        request=None,
        responses={200: LinkReviewOutput, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        review = link_review_reject(actor=request.user, review=link_review_get(user=request.user, pk=pk))
        return self.render(review, LinkReviewOutput)


router = DefaultRouter()
router.register("link-reviews", LinkReviewViewSet, basename="link-review")
