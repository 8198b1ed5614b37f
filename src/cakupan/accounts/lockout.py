"""Sign-in lockout and the audit of sign-ins, on top of django-axes.

Axes counts failed attempts per username and client address in the database (settings: AXES_*) and refuses
a locked pair before any password is checked; this module gives it the client address behind our proxies,
the answer a locked client gets (a page in the user's language, or the API's error shape) and writes an
audit event for every failed sign-in, whichever door it came through (login page, admin, token).
Successful sign-ins on pages are in axes' access log (user, address, browser, login and logout time).

The audit is written from Django's `user_login_failed` signal: `authenticate()` is Django's own and emits
it on every path, which a call in each view would miss (the admin's login).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

from cakupan.core.audit import audit_record

API_PREFIX = "/api/"


class LockoutBackend(AxesStandaloneBackend):
    """Axes' check, for sign-ins that come with a request (the login page, the admin, the token endpoint).

    Django's test client and code that calls `authenticate()` without a request (a shell, a script on the
    server) have no client address to lock: they are let through to the password check instead of failing,
    as axes itself would, with an error.
    """

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def client_ip(request: HttpRequest) -> str:
    """The client's address: the peer, or behind CAKUPAN_PROXY_COUNT proxies the address the outermost one
    saw (each proxy appends its peer to X-Forwarded-For; entries further left are the client's to forge)."""
    proxies = settings.CAKUPAN_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def lockout_remaining(*, username: str, ip_address: str, now: dt.datetime | None = None) -> dt.timedelta:
    """How long the pair stays locked: the cool-off counted from its last recorded failure."""
    now = now or timezone.now()
    cool_off: dt.timedelta = settings.AXES_COOLOFF_TIME
    last = AccessAttempt.objects.filter(username=username, ip_address=ip_address).aggregate(
        last=Max("attempt_time")
    )["last"]
    if last is None:
        return cool_off
    return max(dt.timedelta(0), last + cool_off - now)


def lockout_message(minutes: int) -> str:
    return ngettext(
        "Too many failed sign-in attempts: this account is locked for %(minutes)d minute from your address.",
        "Too many failed sign-in attempts: this account is locked for %(minutes)d minutes from your address.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """What a locked-out client gets (axes' AXES_LOCKOUT_CALLABLE): HTTP 429 with Retry-After, as the
    API's error shape on API paths and as a page saying for how long elsewhere."""
    username = str((credentials or {}).get("username") or "")
    remaining = lockout_remaining(username=username, ip_address=client_ip(request))
    minutes = max(1, math.ceil(remaining.total_seconds() / 60))
    message = lockout_message(minutes)
    response: HttpResponse
    if request.path_info.startswith(API_PREFIX):
        response = JsonResponse({"errors": [{"field": "username", "message": message}]}, status=429)
    else:
        response = render(
            request, "accounts/locked.html", {"message": message, "minutes": minutes}, status=429
        )
    response["Retry-After"] = str(max(1, math.ceil(remaining.total_seconds())))
    return response


def _where(request: HttpRequest | None) -> dict[str, str]:
    if request is None:
        return {}
    return {"ip": client_ip(request), "path": request.path_info[:200]}


def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any
) -> None:
    """A failed sign-in as an audit event with the username tried and where from (never the password:
    Django has already masked it). Callers authenticate outside their transaction (accounts.api), so the
    refusal that follows cannot roll the event back."""
    username = str(credentials.get("username") or "")[:150]
    audit_record(
        actor=None,
        action="login_failed",
        entity="accounts.user",
        entity_id=username[:64],
        changes={
            "username": username,
            "locked_out": bool(getattr(request, "axes_locked_out", False)),
            **_where(request),
        },
    )


def lockout_clear(*, request: HttpRequest, username: str) -> None:
    """Forget the failures of this username from this address after a successful sign-in that does not go
    through `login()` (the token endpoint): the page's sign-in does it through AXES_RESET_ON_SUCCESS."""
    axes_reset(ip=client_ip(request), username=username)
