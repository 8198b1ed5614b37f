"""Agreements API (issue 16), the same contracts as `cakupan agreements`: the list and one agreement's KPI
values, plus the office's writes (create, status, KPIs, obligation marks, documents). Agreement numbers
hold slashes ("12/PKS/LSM/X/2025"), so the routes take the number as the path up to their last part.
Thin: parse, call one selector or service, render; bad input 400 {"errors": [{"field", "message"}]},
out of scope 404."""

from __future__ import annotations

from django.urls import path, re_path
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
from cakupan.partners import selectors
from cakupan.partners.services import agreements, documents


class AgreementOutput(serializers.Serializer):
    number = serializers.CharField()
    parties = serializers.ListField(child=serializers.CharField())
    region = serializers.CharField()
    status = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()


class KpiOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the contract's name, not DRF's label
    value = serializers.FloatField(allow_null=True)
    target = serializers.FloatField()
    unit = serializers.CharField()
    status = serializers.CharField(allow_null=True)


class KpisOutput(serializers.Serializer):
    agreement = serializers.CharField()
    period = serializers.CharField(allow_null=True)
    kpis = KpiOutput(many=True)


class PartyInput(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.CharField(required=False, allow_blank=True)
    name = serializers.CharField(required=False, allow_blank=True)


class ObligationInput(serializers.Serializer):
    kind = serializers.CharField()
    party = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)


class AgreementInput(serializers.Serializer):
    number = serializers.CharField()
    title = serializers.CharField()
    region = serializers.CharField()
    valid_from = serializers.CharField()
    valid_to = serializers.CharField()
    branch_office = serializers.CharField(required=False, allow_blank=True)
    signed_on = serializers.CharField(required=False, allow_blank=True)
    sectors = serializers.ListField(child=serializers.CharField(), required=False)
    segments = serializers.ListField(child=serializers.CharField(), required=False)
    parties = PartyInput(many=True)
    obligations = ObligationInput(many=True, required=False)


class StatusInput(serializers.Serializer):
    status = serializers.CharField()
    signed_on = serializers.CharField(required=False, allow_blank=True)


class KpiInput(serializers.Serializer):
    key = serializers.CharField()
    baseline = serializers.CharField()
    target = serializers.CharField()
    region = serializers.CharField(required=False, allow_blank=True)
    sector = serializers.CharField(required=False, allow_blank=True)
    segment = serializers.CharField(required=False, allow_blank=True)
    sponsor = serializers.CharField(required=False, allow_blank=True)


class MarkInput(serializers.Serializer):
    period = serializers.CharField()
    done = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True)


class DocumentInput(serializers.Serializer):
    file = serializers.FileField()
    title = serializers.CharField(required=False, allow_blank=True)


TAGS = ["agreements"]
REGION = OpenApiParameter("region", str, description="a regency or province code")
PERIOD = OpenApiParameter("period", str, description="YYYY-MM; default: the latest month computed")


class AgreementsView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=TAGS,
        summary="Cooperation agreements in scope",
        parameters=[REGION],
        responses={200: AgreementOutput(many=True), 400: ErrorOutput},
    )
    def get(self, request: Request) -> Response:
        rows = selectors.agreement_list(user=request.user, region=request.query_params.get("region") or None)
        return Response([selectors.agreement_row(a) for a in rows.order_by("number")])

    @extend_schema(
        tags=TAGS,
        summary="Create an agreement (draft, or signed with its signing date)",
        request=AgreementInput,
        # 404: an office, agency, employer or sponsor named as a party that the user may not see.
        responses={201: AgreementOutput, 400: ErrorOutput, 404: ErrorOutput},
    )
    def post(self, request: Request) -> Response:
        require(request.user, Perm.AGREEMENT_WRITE)
        data = validated(AgreementInput(data=request.data))
        created = agreements.agreement_create(actor=request.user, **data)
        found = selectors.agreement_get(user=request.user, pk=created.pk)
        return Response(selectors.agreement_row(found), status=status.HTTP_201_CREATED)


class AgreementKpisView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=TAGS,
        summary="An agreement's KPI values of a month",
        parameters=[PERIOD],
        responses={200: KpisOutput, 400: ErrorOutput, 404: ErrorOutput},
    )
    def get(self, request: Request, number: str) -> Response:
        period = request.query_params.get("period") or None
        return Response(selectors.agreement_kpis(user=request.user, number=number, period=period))

    @extend_schema(
        tags=TAGS,
        summary="Add a KPI from the catalogue",
        request=KpiInput,
        responses={201: OpenApiTypes.OBJECT, 400: ErrorOutput, 404: ErrorOutput},
    )
    def post(self, request: Request, number: str) -> Response:
        require(request.user, Perm.AGREEMENT_WRITE)
        found = selectors.agreement_get(user=request.user, number=number)
        data = validated(KpiInput(data=request.data))
        kpi = agreements.agreement_kpi_add(actor=request.user, agreement=found.pk, **data)
        return Response({"id": kpi.pk, "key": kpi.key}, status=status.HTTP_201_CREATED)


class AgreementStatusView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=TAGS,
        summary="Move an agreement along its lifecycle",
        request=StatusInput,
        responses={200: AgreementOutput, 400: ErrorOutput, 404: ErrorOutput},
    )
    def post(self, request: Request, number: str) -> Response:
        require(request.user, Perm.AGREEMENT_WRITE)
        found = selectors.agreement_get(user=request.user, number=number)
        data = validated(StatusInput(data=request.data))
        agreements.agreement_transition(actor=request.user, agreement=found.pk, **data)
        return Response(selectors.agreement_row(selectors.agreement_get(user=request.user, pk=found.pk)))


class ObligationMarkView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=TAGS,
        summary="Tick an obligation for a month",
        request=MarkInput,
        responses={200: OpenApiTypes.OBJECT, 400: ErrorOutput, 404: ErrorOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        require(request.user, Perm.AGREEMENT_WRITE)
        data = validated(MarkInput(data=request.data))
        mark = agreements.obligation_mark(actor=request.user, obligation=pk, **data)
        return Response({"obligation": pk, "period": mark.period, "done": mark.done, "note": mark.note})


class DocumentUploadView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=TAGS,
        summary="Upload a signed PDF of the agreement",
        request={"multipart/form-data": DocumentInput},
        responses={201: OpenApiTypes.OBJECT, 400: ErrorOutput, 404: ErrorOutput},
    )
    def post(self, request: Request, number: str) -> Response:
        require(request.user, Perm.AGREEMENT_WRITE)  # before the body
        found = selectors.agreement_get(user=request.user, number=number)
        data = validated(DocumentInput(data=request.data))
        doc = documents.document_upload(
            actor=request.user, agreement=found.pk, upload=data["file"], title=data.get("title", "")
        )
        return Response(
            {"id": doc.pk, "file_name": doc.file_name, "size": doc.size}, status=status.HTTP_201_CREATED
        )


urlpatterns = [
    path("agreements/", AgreementsView.as_view(), name="agreement_list"),
    path("agreement-obligations/<int:pk>/marks/", ObligationMarkView.as_view(), name="obligation_mark"),
    re_path(r"^agreements/(?P<number>.+)/kpis/$", AgreementKpisView.as_view(), name="agreement_kpis"),
    re_path(r"^agreements/(?P<number>.+)/status/$", AgreementStatusView.as_view(), name="agreement_status"),
    re_path(
        r"^agreements/(?P<number>.+)/documents/$", DocumentUploadView.as_view(), name="agreement_documents"
    ),
]
