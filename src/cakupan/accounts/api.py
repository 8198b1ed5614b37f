"""POST /api/v1/auth/token/: trade a username and password for an API token (DRF's authtoken).

Send it as `Authorization: Token <key>`. The same user keeps the same token until it expires
(CAKUPAN_TOKEN_TTL_HOURS after issue, accounts/tokens.py) and then gets a new one here; the key is what a
script stores, never the password. Wrong passwords count towards the sign-in lockout like the login page's
(accounts/lockout.py): a locked username and address gets HTTP 429 in the errors shape, answered by the
lockout middleware whatever this view returned.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cakupan.accounts.lockout import lockout_clear
from cakupan.accounts.tokens import token_for_user
from cakupan.core.api import ErrorOutput
from cakupan.core.api_parsing import JSONParser
from cakupan.core.errors import InvalidInput


class TokenInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()


def token_issue(*, request: Any, username: str, password: str) -> Token:
    """The user's token. Wrong credentials and inactive users get the same refusal (a locked-out client's
    is then replaced by the lockout answer).

    `authenticate()` runs outside any transaction: the failed attempt it records (lockout counter, audit
    event) must survive the refusal raised after it. Success forgets the earlier failures of this
    username and address, as the login page's does."""
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        raise InvalidInput.single("non_field_errors", _("Unable to log in with these credentials."))
    lockout_clear(request=request, username=username)
    return token_for_user(user=user)


class TokenObtainApi(APIView):
    # No authentication here: a session cookie must not make this a CSRF-checked request.
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["auth"],
        summary="Get an API token",
        request=TokenInput,
        responses={200: TokenOutput, 400: ErrorOutput, 429: ErrorOutput},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = token_issue(request=request._request, **serializer.validated_data)
        return Response(TokenOutput({"token": token.key}).data)


urlpatterns = [path("token/", TokenObtainApi.as_view(), name="api-token")]
