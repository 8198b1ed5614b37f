"""Structured logs: one JSON line per record, and one per request with who asked what and how long it took.

Every record logged while a request runs carries its request id (the caller's `X-Request-ID` when it is a
sane token, else a new one; echoed in the response header), so a proxy's, this server's and a support
ticket's lines can be joined. The request line says the user's id and role, method, path, status and
duration. Never the query string: searches carry NIKs and names there. Lines go to standard error, where
gunicorn, systemd's journal or a container runtime collect them.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import empty

from cakupan.core import metrics

request_logger = logging.getLogger("cakupan.request")

REQUEST_ID_HEADER = "X-Request-ID"
# What we accept from a caller: short, and nothing a log reader or a header could trip over.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")
# Kubernetes and load balancers ask these every few seconds; their lines go to DEBUG.
PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "cakupan_request", default=None
)

# The attributes every LogRecord has; anything else on a record came from `extra=` and goes into the line.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


_PLAIN = (str, int, float, bool, type(None))


def request_id_from(header: str | None) -> str:
    if header and _SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    context = _context.get()
    return context["request_id"] if context else None


class RequestContextFilter(logging.Filter):
    """Adds the running request's id (and its user, once known) to every record logged during it."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get()
        if context:
            for key, value in context.items():
                if not hasattr(record, key):
                    setattr(record, key, value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp (UTC, ISO 8601), level, logger, message, then the record's extras
    (request_id, user_id, role, method, path, status, duration_ms, ...) and the traceback, if any."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            # Plain values only: Django's own records carry the request, whose text has the query string.
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_") and isinstance(value, _PLAIN):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def _user_fields(request: HttpRequest) -> dict[str, Any]:
    """The user's id and role if this request already looked them up; never a query just for the log."""
    user = request.__dict__.get("user")
    if user is None or getattr(user, "_wrapped", None) is empty:
        return {"user_id": None, "role": None}
    if not user.is_authenticated:
        return {"user_id": None, "role": None}
    return {"user_id": user.pk, "role": getattr(user, "role", None)}


class RequestLogMiddleware:
    """First in the chain: times the whole request, names it, logs it and counts it for /metrics."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.monotonic()
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _context.set({"request_id": request_id})
        try:
            response = self.get_response(request)
            duration = time.monotonic() - started
            response[REQUEST_ID_HEADER] = request_id
            fields = {
                **_user_fields(request),
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 1),
            }
            level = logging.DEBUG if request.path_info in PROBE_PATHS else logging.INFO
            if response.status_code >= 500:
                level = logging.ERROR
            request_logger.log(level, "request", extra=fields)
            match = request.resolver_match
            metrics.request_observe(
                view=match.view_name if match else "<unresolved>",
                method=request.method or "",
                status=response.status_code,
                seconds=duration,
            )
            return response
        finally:
            _context.reset(token)
