"""POST /api/v1/rosters/: a roster file in, the import's counts out (the same service as page and CLI)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cakupan.accounts.permissions import Perm, require
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
        if "as" in data:
            # A plain dict of the last values, not QueryDict.copy(): that deep-copies the uploaded file,
            # and one spooled to disk (over 2.5 MiB) cannot be copied ("cannot pickle BufferedRandom").
            data = {key: data.get(key) for key in data}
            data["as_"] = data["as"]
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
        require(request.user, Perm.ROSTER_UPLOAD)  # before the body: 403 whatever it holds
        form = RosterInput(data=request.data)
        if not form.is_valid():
            errors = form.errors
            raise InvalidInput(
                FieldError("as" if name == "as_" else name, message)
                for name, messages in errors.items()
                for message in messages
            )
        data = form.validated_data
        upload = data["file"]
        # A large upload is already a file on disk (Django spools it above 2.5 MiB): import from there.
        spooled = getattr(upload, "temporary_file_path", None)
        record = roster_import(
            actor=request.user,
            path_or_file=Path(spooled()) if spooled else upload,
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
