"""A deadline on every web request's queries, so that no query outlives the request that gave up on it.

gunicorn's gthread workers do not kill a slow request, and a killed worker does not stop the query it had
sent: after a roster import one branch officer's count ran for 13 minutes in three backends, long after its
page had failed. Here a request's queries together may run `CAKUPAN_WEB_STATEMENT_TIMEOUT_MS` (default
15 s); past that the database itself stops the one running:

- PostgreSQL: `SET statement_timeout` to the time the request has left, on each connection it uses, before
  its first query; set lower again only when a second or more has gone since (a slow page of many queries
  pays a round trip per second, a fast one a single one); `RESET` when the request ends, so a connection
  kept for the next request, a test or a command starts clean. The server cancels the statement and frees
  its backend; psycopg raises QueryCanceled. A query asked for after the deadline is not sent at all.
- SQLite: the connection's progress handler, called every few thousand virtual-machine steps, interrupts
  the statement running past the deadline (sqlite3 raises OperationalError "interrupted").

Jobs and commands never pass through this middleware, so billing runs and imports keep no deadline. A
stopped query answers HTTP 503 (JSON under /api/, a page elsewhere) in the user's language, never a 500.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from django.conf import settings
from django.db import OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from cakupan.core.api import API_PREFIX

logger = logging.getLogger("cakupan.request")

# SQLite calls the progress handler after this many virtual-machine instructions: some tens of microseconds.
SQLITE_PROGRESS_STEPS = 10_000
# Probes and metrics answer without a query worth bounding (core.health); they skip the set-up.
UNBOUNDED_PATHS = frozenset({"/healthz", "/metrics"})


class DeadlinePassed(OperationalError):  # noqa: N818 - it says what happened
    """The request's time was up before this query was sent."""


class _Deadline:
    """The execute wrapper installed on every connection during one request."""

    # On PostgreSQL the timeout is set lower again once it exceeds the time left by this much.
    SLACK_MS = 1000

    def __init__(self, timeout_ms: int) -> None:
        self.expires = time.monotonic() + timeout_ms / 1000
        # PostgreSQL aliases -> (the timeout their session carries, whether it was set inside a transaction)
        self.armed: dict[str, tuple[int, bool]] = {}
        self.sqlite: dict[str, Any] = {}  # alias -> raw sqlite3 connection with our progress handler
        self.off = False

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        db: BaseDatabaseWrapper = context["connection"]
        if self.off:
            return execute(sql, params, many, context)
        if db.vendor == "postgresql":
            left_ms = int((self.expires - time.monotonic()) * 1000)
            if left_ms <= 0:
                raise DeadlinePassed("the request's deadline has passed")
            # Set again if it would let a query run a second past the deadline, or if it was set inside a
            # transaction (whose rollback undoes it) and we are now outside one. Through the raw connection:
            # Django's cursor would come back into this wrapper, and count as one of the page's queries.
            set_ms, in_tx = self.armed.get(db.alias, (None, False))
            if set_ms is None or set_ms - left_ms >= self.SLACK_MS or (in_tx and not db.in_atomic_block):
                db.connection.execute(f"SET statement_timeout = {left_ms}")
                self.armed[db.alias] = (left_ms, db.in_atomic_block)
        elif db.vendor == "sqlite":
            raw = db.connection
            if self.sqlite.get(db.alias) is not raw:
                raw.set_progress_handler(self._sqlite_progress, SQLITE_PROGRESS_STEPS)
                self.sqlite[db.alias] = raw
        return execute(sql, params, many, context)

    def _sqlite_progress(self) -> int:
        return 1 if time.monotonic() > self.expires else 0

    def disarm(self) -> None:
        """No deadline from here on: the error page's own queries run unbounded, and a connection kept for the
        next request, a test or a command starts clean."""
        self.off = True
        self.expires = math.inf
        for raw in self.sqlite.values():
            raw.set_progress_handler(None, 0)
        self.sqlite.clear()
        for alias in self.armed:
            db = connections[alias]
            if db.connection is None or db.needs_rollback:
                continue
            try:
                # Raw, like the SET: not a query of the page's (query-count tests stay as they were).
                db.connection.execute("RESET statement_timeout")
            except db.Database.Error:  # type: ignore[attr-defined]  # the backend's DB-API module
                # A transaction aborted around the request (a test's): its rollback undoes the SET anyway.
                logger.debug("statement_timeout not reset on %s", alias)
        self.armed.clear()


def is_statement_timeout(exc: BaseException) -> bool:
    """A query stopped by the request's deadline (PostgreSQL's QueryCanceled, SQLite's interrupt)."""
    if isinstance(exc, DeadlinePassed):
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if type(cause).__name__ == "QueryCanceled":  # psycopg.errors.QueryCanceled, SQLSTATE 57014
        return True
    return str(exc) == "interrupted"


class StatementTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        timeout_ms = settings.CAKUPAN_WEB_STATEMENT_TIMEOUT_MS
        if not timeout_ms or request.path_info in UNBOUNDED_PATHS:
            return self.get_response(request)
        deadline = _Deadline(timeout_ms)
        request._cakupan_deadline = deadline  # type: ignore[attr-defined]
        try:
            with ExitStack() as stack:
                for db in connections.all(initialized_only=False):
                    stack.enter_context(db.execute_wrapper(deadline))
                return self.get_response(request)
        finally:
            deadline.disarm()

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_statement_timeout(exception):
            return None
        deadline: _Deadline | None = getattr(request, "_cakupan_deadline", None)
        if deadline is not None:
            deadline.disarm()
        logger.warning(
            "statement timeout",
            extra={"timeout_ms": settings.CAKUPAN_WEB_STATEMENT_TIMEOUT_MS, "path": request.path},
        )
        message = _("This took too long and was stopped. Narrow the search or try again later.")
        if request.path.startswith(API_PREFIX):
            response: HttpResponse = JsonResponse(
                {"errors": [{"field": "non_field_errors", "message": message}]}, status=503
            )
        else:
            response = render(request, "timeout.html", {"message": message}, status=503)
        response["Retry-After"] = "30"
        return response
