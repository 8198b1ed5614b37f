"""Metrics for Prometheus at /metrics: request latency per view, and from the jobs table queue depth and job
durations.

prometheus_client directly rather than django-prometheus: that one counts database calls by replacing the
database ENGINE, which the replica router and the statement timeout would then have to go through. Under
gunicorn every worker is a process of its own; `cakupan serve` sets PROMETHEUS_MULTIPROC_DIR so that each
writes its samples to a file there and any worker answers the sum (gunicorn's hooks in core.gunicorn_conf).

The job figures are read from the jobs table when Prometheus asks, so they are the same whichever worker
answers and include jobs run by other processes. The jobs app is looked up by label (core imports no app).

/metrics holds no personal data (view names, counts, durations) but says how busy the agency is: it answers
only with `Authorization: Bearer <CAKUPAN_METRICS_TOKEN>` or, without a proxy in front
(CAKUPAN_PROXY_COUNT=0), to a client on this machine. Anyone else gets a 404.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import os
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, DurationField, ExpressionWrapper, F, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, SummaryMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

# Pages should answer in well under a second (issue 13: p95 at most 300 ms); the tail buckets show timeouts.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0, 15.0, 30.0, 60.0)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUEST_LATENCY = Histogram(
    "cakupan_http_request_duration_seconds",
    "Time from the request's arrival to its response, per view.",
    ["view", "method", "status"],
    buckets=LATENCY_BUCKETS,
)


def request_observe(*, view: str, method: str, status: int, seconds: float) -> None:
    # Bounded labels: view names come from the URL configuration, the status as its class (2xx, 4xx...).
    REQUEST_LATENCY.labels(
        view=view, method=method if method in _METHODS else "other", status=f"{status // 100}xx"
    ).observe(seconds)


class JobCollector(Collector):
    """Queue depth and job durations, read from the jobs table on each scrape (two grouped queries)."""

    def collect(self) -> Iterator[Any]:
        job: Any = apps.get_model("jobs", "Job")
        depth = GaugeMetricFamily("cakupan_jobs", "Jobs by kind and status, now.", labels=["kind", "status"])
        seconds = SummaryMetricFamily(
            "cakupan_job_duration_seconds",
            "Wall time of finished jobs, by kind and status (_sum / _count is the mean).",
            labels=["kind", "status"],
        )
        open_statuses = [job.Status.QUEUED, job.Status.RUNNING]
        waiting = job.objects.filter(status__in=open_statuses).values("kind", "status").order_by()
        for row in waiting.annotate(n=Count("id")):
            depth.add_metric([row["kind"], row["status"]], row["n"])
        took = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
        rows = (
            job.objects.filter(started_at__isnull=False, finished_at__isnull=False)
            .values("kind", "status")
            .annotate(n=Count("id"), total=Sum(took))
            .order_by()
        )
        for row in rows:
            total = row["total"].total_seconds() if row["total"] is not None else 0.0
            seconds.add_metric([row["kind"], row["status"]], count_value=row["n"], sum_value=total)
        yield depth
        yield seconds


def _allowed(request: HttpRequest) -> bool:
    token = settings.CAKUPAN_METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    if settings.CAKUPAN_PROXY_COUNT:
        # Behind a proxy on this machine every visitor arrives from 127.0.0.1: only the token will do.
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


@csrf_exempt
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        MultiProcessCollector(processes)
        body = generate_latest(processes)
    else:
        body = generate_latest(REGISTRY)
    jobs = CollectorRegistry()
    jobs.register(JobCollector())
    # The latencies are still worth having while the database is away (/readyz says why).
    with contextlib.suppress(DatabaseError):
        body += generate_latest(jobs)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
