"""API tokens that expire: CAKUPAN_TOKEN_TTL_HOURS after they were issued (DRF's own never do).

A script stores its token instead of a password; a stolen token then opens the API for hours, not forever.
The expiry counts from issue, not from last use, so a token in steady use still ends. An expired token is
refused (HTTP 401 in the API's error shape) and deleted; POST /api/v1/auth/token/ issues a new one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from cakupan.accounts.scope import scope_cache_enable
from cakupan.core.audit import audit_record


def token_ttl() -> dt.timedelta:
    return dt.timedelta(hours=settings.CAKUPAN_TOKEN_TTL_HOURS)


def token_expired(token: Token, *, now: dt.datetime | None = None) -> bool:
    return bool(token.created + token_ttl() <= (now or timezone.now()))


@transaction.atomic
def token_expire(*, token: Token) -> None:
    """Delete an expired token, recorded as the system's act (nobody signed in made it)."""
    user_id = token.user_id
    token.delete()
    audit_record(actor=None, action="token_expired", entity="authtoken.token", entity_id=str(user_id))


@transaction.atomic
def token_for_user(*, user: Any) -> Token:
    """The user's live token, replacing an expired one; a new token is audited."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and token_expired(token):
        token_expire(token=token)
        token = None
    if token is None:
        token = Token.objects.create(user=user)
        audit_record(actor=user, action="create", entity="authtoken.token", entity_id=str(user.pk))
    return token


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, refused once the token is older than the TTL."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            token_expire(token=token)
            raise exceptions.AuthenticationFailed(
                _("Token expired: ask for a new one at /api/v1/auth/token/.")
            )
        # A fresh user object per request: it keeps its scope for this request only.
        return scope_cache_enable(user), token
