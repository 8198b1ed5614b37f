"""Structured request logs (one JSON line per request, with its id, user, role and no query string) and the
Prometheus metrics at /metrics (request latency per view, queue depth and job durations from the jobs table),
which answer only locally without a proxy, or with the token."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cakupan.core.observability import JsonFormatter
from cakupan.jobs.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    """What the configured console handler (settings.LOGGING: its formatter and filter) writes, read back."""
    [handler] = [h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter)]
    assert isinstance(handler, logging.StreamHandler)
    # Not setStream(): it flushes the old stream, which may be a capture an earlier test closed.
    previous, handler.stream = handler.stream, io.StringIO()
    yield handler.stream
    handler.stream = previous


def log_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def request_line(lines: list[dict[str, Any]], request_id: str) -> dict[str, Any]:
    [line] = [x for x in lines if x["logger"] == "cakupan.request" and x.get("request_id") == request_id]
    return line


def test_a_request_is_one_json_line_with_who_what_and_how_long(world: Any, log: io.StringIO) -> None:
    client = Client()
    client.force_login(world.branch_malang)
    nik = world.nurse.nik
    response = client.get(f"/persons/?q={nik}", HTTP_X_REQUEST_ID="trace-0001-abcd")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "trace-0001-abcd"
    line = request_line(log_lines(log), "trace-0001-abcd")
    assert line["level"] == "INFO"
    assert line["message"] == "request"
    assert line["user_id"] == world.branch_malang.pk
    assert line["role"] == "branch_staff"
    assert line["method"] == "GET"
    assert line["path"] == "/persons/"
    assert line["status"] == 200
    assert 0 < line["duration_ms"] < 60_000
    assert dt.datetime.fromisoformat(line["timestamp"]).tzinfo is not None
    # The query string (a NIK here) never reaches the log.
    assert nik not in json.dumps(line)


def test_an_unusable_request_id_is_replaced(log: io.StringIO) -> None:
    response = Client().get("/login/", HTTP_X_REQUEST_ID="<script>\u00e9")
    given = response["X-Request-ID"]
    assert given != "<script>\u00e9"
    assert len(given) == 32
    line = request_line(log_lines(log), given)
    assert line["user_id"] is None
    assert line["role"] is None


def test_a_missing_request_id_is_made(log: io.StringIO) -> None:
    first = Client().get("/healthz")["X-Request-ID"]
    second = Client().get("/healthz")["X-Request-ID"]
    assert first != second


def metrics(client: Client, **extra: Any) -> Any:
    return client.get("/metrics", **extra)


def sample(text: str, prefix: str) -> float:
    [line] = [x for x in text.splitlines() if x.startswith(prefix)]
    return float(line.rsplit(" ", 1)[1])


def test_metrics_count_requests_per_view_and_read_the_jobs_table() -> None:
    client = Client()
    before = metrics(client).content.decode()
    client.get("/healthz")
    now = timezone.now()
    Job.objects.create(kind="billing_run", status=Job.Status.QUEUED)
    Job.objects.create(kind="billing_run", status=Job.Status.QUEUED)
    Job.objects.create(kind="billing_run", status=Job.Status.RUNNING, started_at=now)
    Job.objects.create(
        kind="billing_run",
        status=Job.Status.DONE,
        started_at=now - dt.timedelta(seconds=90),
        finished_at=now,
    )
    response = metrics(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    healthz = 'cakupan_http_request_duration_seconds_count{method="GET",status="2xx",view="healthz"}'
    assert sample(text, healthz) == (sample(before, healthz) if healthz in before else 0) + 1
    assert sample(text, 'cakupan_jobs{kind="billing_run",status="queued"}') == 2
    assert sample(text, 'cakupan_jobs{kind="billing_run",status="running"}') == 1
    assert sample(text, 'cakupan_job_duration_seconds_count{kind="billing_run",status="done"}') == 1
    assert sample(text, 'cakupan_job_duration_seconds_sum{kind="billing_run",status="done"}') == 90


def test_metrics_are_refused_to_other_machines() -> None:
    assert metrics(Client(), REMOTE_ADDR="10.1.2.3").status_code == 404
    assert metrics(Client(), REMOTE_ADDR="::1").status_code == 200


def test_behind_a_proxy_only_the_token_opens_metrics(settings: Any) -> None:
    settings.CAKUPAN_PROXY_COUNT = 1  # every visitor arrives from the proxy on 127.0.0.1
    assert metrics(Client()).status_code == 404
    settings.CAKUPAN_METRICS_TOKEN = "s3cret-metrics-token"
    assert metrics(Client()).status_code == 404
    assert metrics(Client(), HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert metrics(Client(), HTTP_AUTHORIZATION="Bearer s3cret-metrics-token").status_code == 200
    assert (
        metrics(
            Client(), REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token"
        ).status_code
        == 200
    )
