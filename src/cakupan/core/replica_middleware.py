"""Read-only requests read from the replica; a browser whose request wrote reads from the primary for the next
`CAKUPAN_REPLICA_STICKY_SECONDS`, so its user sees their own write at once (read your writes).

A request is read-only when its method is safe (GET, HEAD, OPTIONS) and its view is not marked
`db_router.reads_primary`. Any other request reads the primary, and so does a safe one that turned out to
write (the router notices the write). After either, a cookie holds the moment until which the browser's
requests stay on the primary; streaming replication replays in well under a second on a healthy pair, so
the window is wide. The window is per browser, not per account: an API client that writes and reads back at
once keeps cookies, as `requests.Session` does. A replica that cannot be reached leaves the primary to
answer. A streamed body is produced after this middleware has
returned, so it reads the primary: long exports are jobs, which opt in with `reads_from_replica()`.
Without a replica configured the middleware does nothing at all.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import OperationalError, connections
from django.http import HttpRequest, HttpResponseBase

from cakupan.core.db_router import (
    REPLICA,
    current_routing,
    reads_from_replica,
    replica_configured,
    view_reads_primary,
)

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
STICKY_COOKIE = "cakupan_primary_until"


def stays_on_primary(request: HttpRequest, *, now: float | None = None) -> bool:
    """Whether the browser wrote within the window (its cookie names a moment still to come)."""
    try:
        until = float(request.COOKIES.get(STICKY_COOKIE, ""))
    except ValueError:
        return False
    return until > (time.time() if now is None else now)


def replica_reachable() -> bool:
    """Connects to the replica now (a no-op while a kept connection is open): a replica that is down or
    restarting leaves the primary to answer, with a warning in the log, instead of failing every page."""
    try:
        connections[REPLICA].ensure_connection()
    except OperationalError as exc:
        logger.warning("read replica unreachable, reading from the primary: %s", exc)
        return False
    return True


class ReplicaReadsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not replica_configured():
            return self.get_response(request)
        unsafe = request.method not in SAFE_METHODS
        with reads_from_replica() as routing:
            routing.primary = unsafe or stays_on_primary(request) or not replica_reachable()
            response = self.get_response(request)
        if unsafe or routing.wrote:
            window = settings.CAKUPAN_REPLICA_STICKY_SECONDS
            response.set_cookie(
                STICKY_COOKIE,
                str(int(time.time()) + window),
                max_age=window,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> None:
        routing = current_routing()
        if routing is not None and view_reads_primary(view_func):
            routing.primary = True
