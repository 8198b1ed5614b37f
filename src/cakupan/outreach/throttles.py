"""The public sign-up's throttles: per address and per event, counted in the database cache
(settings.CACHES["throttle"]) so that every gunicorn worker shares one count. The page and the API use the
same two classes, so a flood cannot switch from one to the other."""

from __future__ import annotations

from typing import Any

from django.core.cache import caches
from django.utils.translation import gettext_lazy as _
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from cakupan.accounts.lockout import client_ip

# Both languages at once: the API has no page language, and the page shows it whichever is chosen.
MESSAGE = _(
    "Too many sign-ups from this connection or for this event. Try again in a few minutes. / Terlalu "
    "banyak pendaftaran dari jaringan ini atau untuk acara ini. Coba lagi beberapa menit lagi."
)


class _SignUpThrottle(SimpleRateThrottle):
    cache = caches["throttle"]

    def __init__(self) -> None:  # the cache is looked up at use: tests swap settings
        self.cache = caches["throttle"]
        super().__init__()

    def get_rate(self) -> str | None:
        # Read at use, not at import (DRF's class attribute): a changed setting applies at once.
        return str(api_settings.DEFAULT_THROTTLE_RATES[str(self.scope)])


class AddressThrottle(_SignUpThrottle):
    scope = "signup_address"

    def get_cache_key(self, request: Any, view: Any) -> str:
        # The address the sign-in lockout reads too (CAKUPAN_PROXY_COUNT proxies in front).
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


class EventThrottle(_SignUpThrottle):
    scope = "signup_event"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        code = str(getattr(view, "kwargs", {}).get("code", ""))[:12].upper()
        return self.cache_format % {"scope": self.scope, "ident": code} if code else None


THROTTLES = (AddressThrottle, EventThrottle)


def throttled(request: Any, view: Any) -> float | None:
    """For the page (a Django view): None when the request may go on, else the seconds to wait. Every
    throttle is asked, so each counts the attempt (as DRF's own check does)."""
    waits = []
    for cls in THROTTLES:
        throttle = cls()
        if not throttle.allow_request(request, view):
            waits.append(throttle.wait() or 60.0)
    return max(waits) if waits else None
