"""Sponsorship API (issue 15), the same contracts as `cakupan sponsors`: runway, funded periods and their
amendments, target lists (match, enrol), overlaps, village arrears. Thin: parse, call one selector or
service, render; bad input is 400 {"errors": [{"field", "message"}]}, out of scope 404."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cakupan.accounts.permissions import Perm, require
from cakupan.core.api import ErrorOutput, validated
from cakupan.core.api_parsing import JSONParser
from cakupan.sponsorship import selectors
from cakupan.sponsorship.api_endings import urlpatterns as endings_urls
from cakupan.sponsorship.models import FundedPeriod
from cakupan.sponsorship.selectors_villages import village_arrears
from cakupan.sponsorship.services import funding, target_lists


class RunwayOutput(serializers.Serializer):
    sponsor = serializers.IntegerField()
    period = serializers.CharField()
    members = serializers.IntegerField()
    monthly_bill = serializers.IntegerField()
    budget = serializers.IntegerField()
    committed = serializers.IntegerField()
    paid = serializers.IntegerField()
    remaining = serializers.IntegerField()
    months_left = serializers.IntegerField()
    cover_ends = serializers.CharField(allow_null=True)


class FundedPeriodInput(serializers.Serializer):
    source = serializers.CharField()  # type: ignore[assignment]  # a field named as the model's, not DRF's
    document = serializers.CharField()
    amount = serializers.IntegerField()
    first_month = serializers.CharField()
    last_month = serializers.CharField()
    declared_income = serializers.IntegerField()
    member_cap = serializers.IntegerField()
    jht = serializers.BooleanField(required=False, default=False)


class AmendInput(serializers.Serializer):
    reason = serializers.CharField()
    source = serializers.CharField(required=False)  # type: ignore[assignment]  # as in FundedPeriodInput
    document = serializers.CharField(required=False)
    amount = serializers.IntegerField(required=False)
    first_month = serializers.CharField(required=False)
    last_month = serializers.CharField(required=False)
    declared_income = serializers.IntegerField(required=False)
    member_cap = serializers.IntegerField(required=False)
    jht = serializers.BooleanField(required=False)


class FundedPeriodOutput(serializers.ModelSerializer):
    class Meta:
        model = FundedPeriod
        fields = ["id", *funding.FIELDS]  # what a funded period is made of (services/funding.py)


class MatchInput(serializers.Serializer):
    file = serializers.FileField()


class MatchOutput(serializers.Serializer):
    rows = serializers.IntegerField()
    this_sponsor = serializers.IntegerField()
    other_sponsor = serializers.IntegerField()
    wage_earner = serializers.IntegerField()
    self_paid = serializers.IntegerField()
    not_covered = serializers.IntegerField()
    invalid = serializers.IntegerField()
    report = serializers.IntegerField()


class EnrolInput(serializers.Serializer):
    start_month = serializers.CharField(required=False)


PERIOD = OpenApiParameter("period", str, description="YYYY-MM; default: the latest billed month")
TAGS = ["sponsorship"]


class RunwayView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="A sponsor's runway",
        parameters=[PERIOD],
        responses={200: RunwayOutput, 400: ErrorOutput, 404: ErrorOutput},
    )
    def get(self, request: Request, pk: int) -> Response:
        run = selectors.runway(
            user=request.user, sponsor_id=pk, period=request.query_params.get("period") or None
        )
        return Response(run.as_dict())


class FundedPeriodsView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=TAGS, summary="A sponsor's funded periods", responses={200: FundedPeriodOutput(many=True)}
    )
    def get(self, request: Request, pk: int) -> Response:
        rows = selectors.funded_periods(user=request.user, sponsor_id=pk)
        return Response(FundedPeriodOutput(rows, many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Add a funded period",
        request=FundedPeriodInput,
        responses={201: FundedPeriodOutput, 400: ErrorOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        require(request.user, Perm.SPONSORSHIP_FUND)
        data = validated(FundedPeriodInput(data=request.data))
        fp = funding.funded_period_create(actor=request.user, sponsor=pk, **data)
        return Response(FundedPeriodOutput(fp).data, status=status.HTTP_201_CREATED)


class FundedPeriodAmendView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=TAGS,
        summary="Amend a funded period (audited, with its reason)",
        request=AmendInput,
        responses={200: FundedPeriodOutput, 400: ErrorOutput},
    )
    def patch(self, request: Request, pk: int) -> Response:
        require(request.user, Perm.SPONSORSHIP_FUND)
        data = validated(AmendInput(data=request.data))
        reason = data.pop("reason")
        fp = funding.funded_period_amend(actor=request.user, funded_period=pk, reason=reason, **data)
        return Response(FundedPeriodOutput(fp).data)


class MatchListView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=TAGS,
        summary="Match a candidate list (DTKS) against the registry",
        request={"multipart/form-data": MatchInput},
        responses={201: MatchOutput, 400: ErrorOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        require(request.user, Perm.SPONSORSHIP_TARGETS)  # before the body
        data = validated(MatchInput(data=request.data))
        target = target_lists.target_list_match(
            actor=request.user, sponsor=pk, source=data["file"], file_name=data["file"].name
        )
        return Response(selectors.match_result(target), status=status.HTTP_201_CREATED)


class EnrolListView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=TAGS,
        summary="Enrol a list's valid uncovered rows as the next roster",
        request=EnrolInput,
        responses={201: OpenApiTypes.OBJECT, 400: ErrorOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        require(request.user, Perm.SPONSORSHIP_TARGETS)
        data = validated(EnrolInput(data=request.data))
        out = target_lists.target_list_enrol(
            actor=request.user, target_list=pk, start_month=data.get("start_month") or None
        )
        return Response(out, status=status.HTTP_201_CREATED)


class OverlapsView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Persons paid by two payers in one month",
        parameters=[PERIOD],
        responses={200: OpenApiTypes.OBJECT, 400: ErrorOutput},
    )
    def get(self, request: Request) -> Response:
        return Response(selectors.overlaps(user=request.user, period=request.query_params.get("period", "")))


class VillageArrearsView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Village sponsors of a regency: arrears and ageing",
        responses={200: OpenApiTypes.OBJECT, 400: ErrorOutput},
    )
    def get(self, request: Request, regency: str) -> Response:
        return Response(village_arrears(user=request.user, regency=regency))


urlpatterns = [
    path("sponsors/<int:pk>/runway/", RunwayView.as_view(), name="sponsor_runway"),
    path("sponsors/<int:pk>/funded-periods/", FundedPeriodsView.as_view(), name="sponsor_funded_periods"),
    path("sponsors/<int:pk>/match-list/", MatchListView.as_view(), name="sponsor_match_list"),
    path("sponsors/overlaps/", OverlapsView.as_view(), name="sponsor_overlaps"),
    path("funded-periods/<int:pk>/", FundedPeriodAmendView.as_view(), name="funded_period_amend"),
    path("target-lists/<int:pk>/enrol/", EnrolListView.as_view(), name="target_list_enrol"),
    path("villages/<str:regency>/arrears/", VillageArrearsView.as_view(), name="village_arrears"),
]
urlpatterns += endings_urls  # ending sponsored cover (api_endings.py)
