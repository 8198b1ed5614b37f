"""Field API (issue 17): the phone's sync and its profile. Thin: parse, call one service or selector.

Authentication: `Authorization: Token <key>` (POST /api/v1/auth/token/) or the session cookie of a signed-in
agent with the X-CSRFToken header (DRF's SessionAuthentication enforces CSRF on POST).
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cakupan.core.api import ErrorItemOutput, ErrorOutput
from cakupan.core.errors import InvalidInput
from cakupan.field.selectors import agent_profile
from cakupan.field.services.sync import batch_sync


class BatchInput(serializers.Serializer):
    device = serializers.CharField()
    items = serializers.ListField(child=serializers.DictField())


class RejectedOutput(serializers.Serializer):
    client_id = serializers.CharField()
    errors = ErrorItemOutput(many=True)  # type: ignore[assignment]


class ConflictOutput(serializers.Serializer):
    client_id = serializers.CharField()
    kind = serializers.ChoiceField(choices=["other_payer", "other_agent"])


class ItemOutput(serializers.Serializer):
    client_id = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["accepted", "duplicate", "rejected"])


class BatchOutput(serializers.Serializer):
    accepted = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    rejected = RejectedOutput(many=True)
    conflicts = ConflictOutput(many=True)
    items = ItemOutput(many=True)


class BatchApi(APIView):
    @extend_schema(
        request=BatchInput,
        responses={200: BatchOutput, 400: ErrorOutput, 403: ErrorOutput},
        summary="Sync a phone's queued enrolments and collections (idempotent by client_id)",
    )
    def post(self, request: Request) -> Response:
        data: Any = request.data
        if not isinstance(data, dict):
            raise InvalidInput.single("body", "Send a JSON object.")
        result = batch_sync(actor=request.user, device=data.get("device"), items=data.get("items"))
        return Response(result.as_dict())


class ProfileApi(APIView):
    @extend_schema(
        responses={
            200: inline_serializer(
                "FieldProfile",
                {
                    "agent": serializers.IntegerField(),
                    "username": serializers.CharField(),
                    "status": serializers.CharField(),
                    "branch_office": serializers.DictField(),
                    "regions": serializers.ListField(child=serializers.DictField()),
                    "sponsors": serializers.ListField(child=serializers.DictField()),
                },
            ),
            403: ErrorOutput,
        },
        summary="The signed-in agent, their regions and the sponsors with places left",
    )
    def get(self, request: Request) -> Response:
        return Response(agent_profile(user=request.user))


urlpatterns = [
    path("field/batches/", BatchApi.as_view(), name="api-field-batches"),
    path("field/profile/", ProfileApi.as_view(), name="api-field-profile"),
]
