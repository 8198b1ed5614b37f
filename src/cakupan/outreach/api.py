"""The public sign-up API (issue 16 contract): `POST /api/v1/outreach/events/<code>/signups/` with no
authentication, JSON in, 201 {"reference"} for a new sign-up, 200 {"reference"} (the first one) when the
NIK had signed up for this event already, 400 {"errors": [...]} naming each field (a NIK that breaks the
rules names "nik"), 404 for an unknown or cancelled event, 429 when throttled. No session, so no CSRF:
the endpoint changes nothing a session could be tricked into."""

from __future__ import annotations

from typing import Any, NoReturn

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cakupan.core.api import ErrorOutput
from cakupan.core.api_parsing import JSONParser
from cakupan.outreach.selectors import event_public
from cakupan.outreach.services.signups import signup_submit
from cakupan.outreach.throttles import MESSAGE, THROTTLES


class SignUpInput(serializers.Serializer):
    """Shapes only: every rule is the service's, so all field errors come back at once."""

    nik = serializers.CharField(allow_blank=True, max_length=40)
    full_name = serializers.CharField(allow_blank=True, max_length=400)
    birth_date = serializers.CharField(allow_blank=True, max_length=20)
    sex = serializers.CharField(allow_blank=True, max_length=5)
    phone = serializers.CharField(allow_blank=True, max_length=40)
    occupation = serializers.CharField(allow_blank=True, max_length=400)
    consent = serializers.BooleanField(default=False)


class SignUpOutput(serializers.Serializer):
    reference = serializers.CharField()


class SignUpView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = list(THROTTLES)
    parser_classes = [JSONParser]

    def throttled(self, request: Request, wait: float | None) -> NoReturn:
        raise Throttled(wait=wait, detail=str(MESSAGE))

    @extend_schema(
        request=SignUpInput,
        responses={
            201: SignUpOutput,
            200: SignUpOutput,
            400: ErrorOutput,
            404: ErrorOutput,
            429: ErrorOutput,
        },
        auth=[],
    )
    def post(self, request: Request, code: str) -> Response:
        event = event_public(code=code)
        form = SignUpInput(data=request.data)
        data: dict[str, Any] = dict(request.data) if isinstance(request.data, dict) else {}
        if form.is_valid():
            data = dict(form.validated_data)
        result = signup_submit(event=event, data=data)
        return Response(
            {"reference": result.signup.reference},
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


urlpatterns = [
    path("outreach/events/<str:code>/signups/", SignUpView.as_view(), name="outreach-signup"),
]
