"""Probes for a load balancer or an orchestrator: no sign-in, no personal data, a few milliseconds.

`/healthz` says the process answers (restart it if not): no query at all. `/readyz` says whether it can
serve (send it traffic if so): the database answers, the jobs table can be read (its queued count, for
the curious), and the disk holding reports under VAR_DIR has `CAKUPAN_READY_MIN_FREE_BYTES` free. 200
when all hold, else 503 with the check that failed. Neither reads a session (no cookie, no CSRF, no audit
event); the request log puts them at DEBUG.
"""

from __future__ import annotations

import shutil
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET


@csrf_exempt
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def _queue() -> dict[str, Any]:
    # The jobs app by label: core imports no app.
    job: Any = apps.get_model("jobs", "Job")
    try:
        queued = job.objects.filter(status=job.Status.QUEUED).count()
    except DatabaseError as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "queued": queued}


def _disk() -> dict[str, Any]:
    minimum = settings.CAKUPAN_READY_MIN_FREE_BYTES
    try:
        free = shutil.disk_usage(settings.VAR_DIR).free
    except OSError as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": free >= minimum, "free_bytes": free, "min_free_bytes": minimum}


@csrf_exempt
@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database()}
    # Without a database the queue cannot be read either: say the one cause, not two.
    checks["queue"] = _queue() if checks["database"]["ok"] else {"ok": False, "error": "database"}
    checks["disk"] = _disk()
    failed = [name for name, check in checks.items() if not check["ok"]]
    body = {"status": "unavailable" if failed else "ok", "failed": failed, "checks": checks}
    return JsonResponse(body, status=503 if failed else 200)
