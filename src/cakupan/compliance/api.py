"""Compliance API: import a report, match it, list findings (scoped), open cases and issue steps."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cakupan.accounts.api_access import RoleMayRead
from cakupan.accounts.permissions import Perm, require
from cakupan.compliance import selectors, services
from cakupan.compliance.models import Case, CaseStep, Finding
from cakupan.core.api import ErrorOutput, Pagination, validated
from cakupan.core.api_parsing import JSONParser


class ReportInput(serializers.Serializer):
    file = serializers.FileField()
    workers = serializers.FileField(required=False)
    match = serializers.BooleanField(required=False, default=True)


class RunOutput(serializers.Serializer):
    report = serializers.IntegerField()
    employers = serializers.IntegerField()
    workers = serializers.IntegerField()
    run = serializers.IntegerField(allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField())
    total_gap = serializers.IntegerField()


class FindingOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="reported.name")
    nib = serializers.CharField(source="reported.nib")
    period = serializers.CharField(source="reported.period")
    reported_workers = serializers.IntegerField(source="reported.reported_workers")
    reported_wages = serializers.IntegerField(source="reported.reported_wages")
    missing_niks = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "run",
            "name",
            "nib",
            "period",
            "employer",
            "region",
            "kbli",
            "klass",
            "method",
            "score",
            "reported_workers",
            "registered_workers",
            "missing_workers",
            "reported_wages",
            "registered_wages",
            "missing_programmes",
            "gap",
            "missing_niks",
        ]

    def get_missing_niks(self, obj: Finding) -> int:
        return len(obj.missing_niks)


class CaseInput(serializers.Serializer):
    # Bounded to the id column's range: a bigger number overflowed the query (a 500).
    findings = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), allow_empty=False
    )


class StepInput(serializers.Serializer):
    kind = serializers.CharField()


class StepOutput(serializers.ModelSerializer):
    class Meta:
        model = CaseStep
        fields = ["id", "kind", "number", "issued_on", "deadline", "amount"]


class CaseOutput(serializers.ModelSerializer):
    steps = StepOutput(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "employer",
            "name",
            "nib",
            "region",
            "gap",
            "status",
            "opened_at",
            "closed_at",
            "steps",
        ]


class ReportView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=["compliance"],
        summary="Import a workforce report (and match it)",
        request={"multipart/form-data": ReportInput},
        responses={201: RunOutput, 400: ErrorOutput},
    )
    def post(self, request: Request) -> Response:
        require(request.user, Perm.WORKFORCE_REPORT_IMPORT)  # before the body: 403 whatever it holds
        data = validated(ReportInput(data=request.data))
        workers = data.get("workers")
        report = services.report_import(
            actor=request.user,
            source=data["file"],
            workers=workers,
            file_name=data["file"].name,
            workers_file_name=workers.name if workers else "",
        )
        body: dict[str, Any] = {
            "report": report.pk,
            "employers": report.employers,
            "workers": report.workers,
            "run": None,
            "counts": {},
            "total_gap": 0,
        }
        if data["match"]:
            run = services.compliance_match_run(actor=request.user, report=report)
            body.update(run=run.pk, counts=run.counts, total_gap=run.total_gap)
        return Response(body, status=status.HTTP_201_CREATED)


class FindingListView(GenericAPIView):
    permission_classes = [IsAuthenticated, RoleMayRead]
    read_permission = Perm.COMPLIANCE_READ
    # A generic view with a paginator, so the OpenAPI document declares the page, not a bare array.
    pagination_class = Pagination
    serializer_class = FindingOutput
    queryset = Finding.objects.none()  # for the schema generator only; reads go through the selector

    @extend_schema(
        tags=["compliance"],
        summary="Current findings in your scope",
        responses={200: FindingOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        qs = selectors.finding_current(user=request.user)
        klass = request.query_params.get("class")
        if klass:
            qs = qs.filter(klass=klass)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(FindingOutput(page, many=True).data)


class CaseCreateView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["compliance"],
        summary="Open a case from findings",
        request=CaseInput,
        responses={201: CaseOutput, 400: ErrorOutput},
    )
    def post(self, request: Request) -> Response:
        require(request.user, Perm.COMPLIANCE_ENFORCE)
        data = validated(CaseInput(data=request.data))
        case = services.case_open(actor=request.user, finding_ids=data["findings"])
        return Response(CaseOutput(case).data, status=status.HTTP_201_CREATED)


class CaseStepView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["compliance"],
        summary="Issue the next step of a case (with its PDF letter)",
        request=StepInput,
        responses={201: StepOutput, 400: ErrorOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        require(request.user, Perm.COMPLIANCE_ENFORCE)
        case = selectors.case_get(user=request.user, pk=pk)
        data = validated(StepInput(data=request.data))
        step = services.case_step_issue(actor=request.user, case=case, kind=data["kind"])
        return Response(StepOutput(step).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("compliance/reports/", ReportView.as_view(), name="compliance_report"),
    path("compliance/findings/", FindingListView.as_view(), name="compliance_findings"),
    path("compliance/cases/", CaseCreateView.as_view(), name="compliance_cases"),
    path("compliance/cases/<int:pk>/steps/", CaseStepView.as_view(), name="compliance_case_steps"),
]
