"""/api/v1/claims/: list, create, retrieve, and the workflow actions (verify, approve, reject, pay).

Thin: parse, call one service or selector, answer. Errors use the project's shape (core/api.py): field
errors 400, a claim outside the user's scope 404.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cakupan.accounts.api_access import RoleMayRead
from cakupan.accounts.permissions import Perm, require
from cakupan.benefits import selectors, services
from cakupan.benefits.filters import ClaimFilter
from cakupan.benefits.models import BENEFIT_CHOICES, Claim, ClaimantKind
from cakupan.core.api import ErrorOutput, Pagination


class ClaimInput(serializers.Serializer[Any]):
    person = serializers.IntegerField()
    benefit = serializers.ChoiceField(choices=[b for b, _label in BENEFIT_CHOICES])
    event_date = serializers.DateField()
    claimant_kind = serializers.ChoiceField(choices=ClaimantKind.values)
    claimant_name = serializers.CharField(required=False, allow_blank=True, max_length=160, default="")
    details = serializers.DictField(required=False, help_text="children, school_levels, end_reason ...")
    compliance_wage = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="A wage from compliance data; warns when above the reported one.",
    )


class VerifyInput(serializers.Serializer[Any]):
    documents_received = serializers.ListField(child=serializers.IntegerField())


class RejectInput(serializers.Serializer[Any]):
    reasons = serializers.ListField(child=serializers.CharField(max_length=500), allow_empty=False)


class PayInput(serializers.Serializer[Any]):
    payment_reference = serializers.CharField(max_length=64)
    paid_on = serializers.DateField()


class ClaimOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    person = serializers.IntegerField()
    benefit = serializers.CharField()
    event_date = serializers.DateField()
    status = serializers.CharField()
    claimant_kind = serializers.CharField()
    assessed_total = serializers.IntegerField()
    employer_pays_first = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    documents = serializers.ListField(child=serializers.DictField())
    events = serializers.ListField(child=serializers.DictField())
    eligibility = serializers.DictField()
    assessment = serializers.DictField()
    payment_reference = serializers.CharField()
    paid_on = serializers.DateField(allow_null=True)


def claim_data(claim: Claim) -> dict[str, Any]:
    return {
        "id": claim.pk,
        "person": claim.person_id,
        "benefit": claim.benefit,
        "event_date": claim.event_date.isoformat(),
        "status": claim.status,
        "claimant_kind": claim.claimant_kind,
        "assessed_total": claim.assessed_total,
        "employer_pays_first": claim.employer_pays_first,
        "reasons": claim.reasons,
        "documents": [{"id": d.pk, "name": d.name, "received": d.received} for d in claim.documents.all()],
        "events": [
            {"at": e.at.isoformat(), "status": e.status, "actor": e.actor_id, "note": e.note}
            for e in claim.events.all()
        ],
        "eligibility": claim.eligibility,
        "assessment": claim.assessment,
        "payment_reference": claim.payment_reference,
        "paid_on": claim.paid_on.isoformat() if claim.paid_on else None,
    }


def _valid(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    form = serializer_class(data=data)
    form.is_valid(raise_exception=True)
    return dict(form.validated_data)


class ClaimListView(GenericAPIView):
    permission_classes = [IsAuthenticated, RoleMayRead]
    read_permission = Perm.CLAIM_READ
    # A generic view with a paginator, so the OpenAPI document declares the page, not a bare array.
    pagination_class = Pagination
    serializer_class = ClaimOutput
    queryset = Claim.objects.none()  # for the schema generator only; reads go through the selector
    # The page's filters too (views.claim_list): one FilterSet, one validation.
    filterset_class = ClaimFilter

    @extend_schema(
        tags=["claims"],
        summary="Claims in your scope",
        responses={200: ClaimOutput(many=True), 400: ErrorOutput},
    )
    def get(self, request: Request) -> Response:
        claims = self.filter_queryset(selectors.claim_list(user=request.user))
        page = self.paginate_queryset(claims.prefetch_related("documents", "events"))
        return self.get_paginated_response([claim_data(c) for c in page or []])

    @extend_schema(
        tags=["claims"],
        summary="File a claim",
        request=ClaimInput,
        responses={201: ClaimOutput, 400: ErrorOutput},
    )
    def post(self, request: Request) -> Response:
        require(request.user, Perm.CLAIM_FILE)  # before the body: 403 whatever it holds
        data = _valid(ClaimInput, request.data)
        claim = services.claim_submit(actor=request.user, **data)
        return Response(claim_data(claim), status=status.HTTP_201_CREATED)


class ClaimDetailView(APIView):
    permission_classes = [IsAuthenticated, RoleMayRead]
    read_permission = Perm.CLAIM_READ

    @extend_schema(tags=["claims"], summary="One claim", responses={200: ClaimOutput, 404: ErrorOutput})
    def get(self, request: Request, pk: int) -> Response:
        return Response(claim_data(selectors.claim_get(user=request.user, pk=pk)))


class ClaimActionView(APIView):
    """POST /claims/<id>/<action>/: verify | approve | reject | pay (one subclass each, for the schema)."""

    permission_classes = [IsAuthenticated]
    action = ""

    def act(self, request: Request, pk: int) -> Response:
        require(request.user, Perm.CLAIM_DECIDE)
        claim = selectors.claim_get(user=request.user, pk=pk)
        if self.action == "verify":
            claim = services.claim_verify(
                actor=request.user, claim=claim, **_valid(VerifyInput, request.data)
            )
        elif self.action == "approve":
            claim = services.claim_approve(actor=request.user, claim=claim)
        elif self.action == "reject":
            claim = services.claim_reject(
                actor=request.user, claim=claim, **_valid(RejectInput, request.data)
            )
        else:
            claim = services.claim_pay(actor=request.user, claim=claim, **_valid(PayInput, request.data))
        return Response(claim_data(claim))


ACTION_INPUT: dict[str, Any] = {
    "verify": VerifyInput,
    "approve": None,
    "reject": RejectInput,
    "pay": PayInput,
}


def _action_view(name: str) -> Any:
    @extend_schema(
        tags=["claims"],
        summary=f"{name.capitalize()} a claim",
        request=ACTION_INPUT[name],
        responses={200: ClaimOutput, 400: ErrorOutput, 404: ErrorOutput},
    )
    def post(self: ClaimActionView, request: Request, pk: int) -> Response:
        return self.act(request, pk)

    return type(f"Claim{name.capitalize()}View", (ClaimActionView,), {"action": name, "post": post})


urlpatterns = [
    path("claims/", ClaimListView.as_view(), name="claim-list"),
    path("claims/<int:pk>/", ClaimDetailView.as_view(), name="claim-detail"),
    *[
        path(f"claims/<int:pk>/{name}/", _action_view(name).as_view(), name=f"claim-{name}")
        for name in ("verify", "approve", "reject", "pay")
    ],
]
