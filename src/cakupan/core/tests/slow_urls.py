"""A test-only URL configuration: the product's URLs plus a page and an API endpoint whose query never ends
by itself (test_statement_timeout)."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path

from cakupan.urls import handler400, handler404, handler500
from cakupan.urls import urlpatterns as product_urls

# Runs until stopped: a sleep on PostgreSQL (so pg_stat_activity shows it), a counter with no end on SQLite.
ENDLESS = {
    "postgresql": "SELECT pg_sleep(60)",
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
}


def slow(request: HttpRequest) -> JsonResponse:
    """`?seconds=` runs that long (about, on SQLite) `?repeat=` times; without it, until stopped."""
    seconds = float(request.GET.get("seconds", "0"))
    with connection.cursor() as cursor:
        for _ in range(int(request.GET.get("repeat", "1"))):
            if seconds and connection.vendor == "postgresql":
                cursor.execute("SELECT pg_sleep(%s)", [seconds])
            elif seconds:
                cursor.execute(
                    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < %s) "
                    "SELECT count(*) FROM c",
                    [int(seconds * 2_000_000)],
                )
            else:
                cursor.execute(ENDLESS[connection.vendor])
            cursor.fetchall()
    return JsonResponse({"done": True})


urlpatterns = [path("slow/", slow), path("api/v1/slow/", slow), *product_urls]

__all__ = ["handler400", "handler404", "handler500", "urlpatterns"]
