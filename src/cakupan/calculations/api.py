"""POST /api/v1/calculations/contribution and /benefit: the same JSON in and out as `cakupan calc`.

The pure calculators check the input themselves (strict types, field-level errors), so these views only
parse JSON, require a signed-in user and translate errors into the API's 400 shape. The serializers below
describe the payloads for the OpenAPI schema; they do not validate.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cakupan.calculations.console import CalculatorUnavailable, calculate
from cakupan.core.api_parsing import JSONParser
from cakupan.rules.errors import RuleInputError


class ContributionRequestSerializer(serializers.Serializer[Any]):
    segment = serializers.ChoiceField(choices=["PU", "BPU", "JAKON", "PMI"])
    period = serializers.CharField(help_text="Contribution month, YYYY-MM.")
    programs = serializers.ListField(
        child=serializers.ChoiceField(choices=["JKK", "JKM", "JHT", "JP", "JKP"])
    )
    monthly_wage = serializers.IntegerField(required=False, help_text="PU: whole Rupiah.")
    risk_class = serializers.IntegerField(required=False, min_value=1, max_value=5, help_text="PU: 1-5.")
    jp_deferred = serializers.BooleanField(
        required=False,
        help_text="PU with JP, Aug 2020 - Jan 2021 only: the employer qualified for the PP 49/2020 deferral.",
    )
    declared_income = serializers.IntegerField(
        required=False, help_text="BPU: whole Rupiah, at least 1,000,000."
    )
    sector = serializers.ChoiceField(choices=["transport", "other"], required=False, help_text="BPU.")
    funding = serializers.ChoiceField(
        choices=["self", "apbd", "apbn", "csr", "donor"], required=False, help_text="BPU."
    )
    contract_value = serializers.IntegerField(required=False, help_text="JAKON: whole Rupiah.")
    contract_months = serializers.IntegerField(required=False, help_text="PMI: length of the work contract.")
    include_pre_placement = serializers.BooleanField(required=False, help_text="PMI: add pre-placement.")
    jht_amount = serializers.IntegerField(
        required=False, help_text="PMI with JHT: one of the nominal choices."
    )


class ContributionLineSerializer(serializers.Serializer[Any]):
    program = serializers.CharField()
    base = serializers.IntegerField(allow_null=True)
    employer = serializers.IntegerField()
    worker = serializers.IntegerField()
    government = serializers.IntegerField()
    sponsor = serializers.IntegerField()
    amount = serializers.IntegerField()
    rate = serializers.CharField(allow_null=True, help_text="Percent, as a decimal string.")
    discount = serializers.IntegerField(
        help_text="Amount waived (PP 50/2025; PP 49/2020 for JKK and JKM), already deducted."
    )
    rule = serializers.CharField(help_text="Legal citations of the numbers used.")
    confidence = serializers.ChoiceField(choices=["confirmed", "medium", "background", "unconfirmed"])
    allocation = serializers.DictField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Internal split inside BPJS (JKP recomposition); does not change what is paid.",
    )
    deferred = serializers.IntegerField(
        required=False, help_text="JP put off under PP 49/2020 (not in `amount`), to repay later."
    )
    deferred_repay_by = serializers.DateField(required=False, help_text="Last day to repay `deferred`.")


class ContributionTotalsSerializer(serializers.Serializer[Any]):
    employer = serializers.IntegerField()
    worker = serializers.IntegerField()
    government = serializers.IntegerField()
    sponsor = serializers.IntegerField()
    total = serializers.IntegerField()


class ContributionAnswerSerializer(serializers.Serializer[Any]):
    segment = serializers.CharField()
    period = serializers.CharField()
    lines = ContributionLineSerializer(many=True)
    totals = ContributionTotalsSerializer()
    rules_used = serializers.ListField(child=serializers.DictField())
    flags = serializers.ListField(child=serializers.DictField())


class FieldErrorSerializer(serializers.Serializer[Any]):
    field = serializers.CharField()
    message = serializers.CharField()


class ErrorsSerializer(serializers.Serializer[Any]):
    errors = FieldErrorSerializer(many=True)  # type: ignore[assignment]  # the field, not Serializer.errors


class _CalculationView(APIView):
    kind = ""
    parser_classes = [JSONParser]
    permission_classes = [IsAuthenticated]

    def answer(self, request: Request) -> Response:
        try:
            return Response(calculate(self.kind, request.data))
        except RuleInputError as exc:
            return Response(exc.as_dict(), status=status.HTTP_400_BAD_REQUEST)
        except CalculatorUnavailable as exc:
            body = {"errors": [{"field": "non_field_errors", "message": str(exc)}]}
            return Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE)


class ContributionCalculationView(_CalculationView):
    kind = "contribution"

    @extend_schema(
        operation_id="calculations_contribution",
        summary="Contribution due for one member or project in one month",
        request=ContributionRequestSerializer,
        responses={200: ContributionAnswerSerializer, 400: ErrorsSerializer},
        examples=[
            OpenApiExample(
                "PU worker, all programmes",
                request_only=True,
                value={
                    "segment": "PU",
                    "period": "2025-04",
                    "programs": ["JKK", "JKM", "JHT", "JP", "JKP"],
                    "monthly_wage": 5000000,
                    "risk_class": 2,
                },
            )
        ],
        tags=["calculations"],
    )
    def post(self, request: Request) -> Response:
        return self.answer(request)


class BenefitCalculationView(_CalculationView):
    kind = "benefit"

    @extend_schema(
        operation_id="calculations_benefit",
        summary="Benefit for one claim (same contract as `cakupan calc benefit`)",
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, 400: ErrorsSerializer, 503: ErrorsSerializer},
        tags=["calculations"],
    )
    def post(self, request: Request) -> Response:
        return self.answer(request)
