"""POST /api/v1/rosters/: a roster file in, the import's counts out (the same service as page and CLI)."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cakupan.core.api import ErrorOutput
from cakupan.core.errors import FieldError, InvalidInput
from cakupan.enrolment.api_reviews import router as reviews_router
from cakupan.enrolment.services import parse_as, roster_import


class RosterInput(serializers.Serializer):
    file = serializers.FileField()
    # "as" is a Python keyword: the field is declared under another name and mapped below.
    as_ = serializers.CharField(help_text="employer:NPP, sponsor:ID or agency:ID")
    segment = serializers.ChoiceField(choices=["PU", "BPU"], required=False)
    dry_run = serializers.BooleanField(required=False, default=False)

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "copy") and "as" in data:
            data = data.copy()
            data["as_"] = data.get("as")
        return super().to_internal_value(data)


class RosterOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    rows = serializers.IntegerField()
    imported = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    warnings = serializers.IntegerField()
    held = serializers.IntegerField(help_text="Rows held for branch review before a person is linked.")
    report_xlsx = serializers.CharField()
    report_csv = serializers.CharField()


class RosterImportView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=["rosters"],
        summary="Import a roster file",
        request={"multipart/form-data": RosterInput},
        responses={201: RosterOutput, 400: ErrorOutput},
    )
    def post(self, request: Request) -> Response:
        form = RosterInput(data=request.data)
        if not form.is_valid():
            errors = form.errors
            raise InvalidInput(
                FieldError("as" if name == "as_" else name, message)
                for name, messages in errors.items()
                for message in messages
            )
        data = form.validated_data
        record = roster_import(
            actor=request.user,
            path_or_file=data["file"],
            as_=parse_as(data["as_"]),
            segment=data.get("segment") or None,
            dry_run=data["dry_run"],
            file_name=data["file"].name,
        )
        base = f"/rosters/{record.pk}/report"
        body = {
            "id": record.pk,
            "status": record.status,
            **record.counts(),
            "warnings": record.warnings,
            "held": record.held,
            "report_xlsx": request.build_absolute_uri(f"{base}.xlsx"),
            "report_csv": request.build_absolute_uri(f"{base}.csv"),
        }
        return Response(body, status=status.HTTP_201_CREATED)


urlpatterns = [path("rosters/", RosterImportView.as_view(), name="roster_import"), *reviews_router.urls]
