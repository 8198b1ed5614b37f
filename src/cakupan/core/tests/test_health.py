"""/healthz and /readyz: JSON, no sign-in, no session, no personal data; /readyz names the failed check."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cakupan.jobs.models import Job

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_the_database(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers
    assert "no-cache" in response["Cache-Control"]


def test_readyz_reports_database_queue_and_disk(world: Any) -> None:
    Job.objects.create(kind="coverage_snapshot", status=Job.Status.QUEUED)
    Job.objects.create(kind="coverage_snapshot", status=Job.Status.DONE)
    response = Client().get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failed"] == []
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["queue"] == {"ok": True, "queued": 1}
    assert body["checks"]["disk"]["ok"] is True
    assert body["checks"]["disk"]["free_bytes"] > 0
    assert "Set-Cookie" not in response.headers


def test_readyz_names_the_failed_check_with_503(settings: Any) -> None:
    settings.CAKUPAN_READY_MIN_FREE_BYTES = 1 << 62  # more than any disk has
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["disk"]
    assert body["checks"]["database"]["ok"] is True


def test_probes_take_get_only_and_need_no_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post("/readyz").status_code == 405
    assert client.get("/readyz").status_code in (200, 503)


def test_probes_are_not_redirected_to_https(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/login/").status_code == 301
