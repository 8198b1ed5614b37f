"""A web request's queries stop at CAKUPAN_WEB_STATEMENT_TIMEOUT_MS, on PostgreSQL and SQLite alike: the
request answers 503 in the user's language (JSON under /api/), the database has nothing left running, and
the connection is as clean for the next request (and for jobs and commands) as before.

Transactional, as production runs (autocommit): the flush after each test empties every table, so the
regions the other tests read are loaded again after the module."""

from __future__ import annotations

import time
from typing import Any

import pytest
from conftest import make_user
from django.db import connection
from django.test import Client

from cakupan.accounts.models import Role

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("cakupan.core.tests.slow_urls"),
    pytest.mark.usefixtures("regions_back_after_module"),
]

TIMEOUT_MS = 300


@pytest.fixture(autouse=True)
def _short_deadline(settings: Any) -> None:
    settings.CAKUPAN_WEB_STATEMENT_TIMEOUT_MS = TIMEOUT_MS


def running_elsewhere() -> list[str]:
    """Statements of this database still running in other backends (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT query FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state = 'active'"
        )
        return [row[0] for row in cursor.fetchall()]


def timed_get(client: Client, url: str, data: Any = None, **extra: Any) -> tuple[Any, float]:
    started = time.monotonic()
    response = client.get(url, data, **extra)
    return response, time.monotonic() - started


def test_an_endless_query_on_a_page_answers_503_in_indonesian() -> None:
    client = Client()
    # Signed in: the error page renders the header with the user's navigation, queries and all.
    client.force_login(make_user("admin-timeout", Role.NATIONAL_ADMIN))
    response, took = timed_get(client, "/slow/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Terlalu lama" in response.content.decode()  # the page's heading, in the default language
    # The query ran 60 s (PostgreSQL) or for ever (SQLite): the deadline stopped it, not its end.
    assert took < 10


def test_the_same_page_in_english() -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    response, _ = timed_get(client, "/slow/")
    assert response.status_code == 503
    assert "This took too long and was stopped" in response.content.decode()


def test_an_endless_query_on_the_api_answers_503_with_the_error_shape() -> None:
    response, took = timed_get(Client(), "/api/v1/slow/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response.json() == {
        "errors": [
            {
                "field": "non_field_errors",
                "message": "This took too long and was stopped. Narrow the search or try again later.",
            }
        ]
    }
    assert took < 10


def test_a_query_within_the_deadline_answers(settings: Any) -> None:
    settings.CAKUPAN_WEB_STATEMENT_TIMEOUT_MS = 10_000  # room for a loaded test machine
    response = Client().get("/slow/", {"seconds": "0.05", "repeat": "3"})
    assert response.status_code == 200


def test_the_deadline_is_the_requests_not_each_querys() -> None:
    """Fifty queries each well within the deadline, together far beyond it: the request is stopped."""
    response = Client().get("/slow/", {"seconds": "0.05", "repeat": "50"})
    assert response.status_code == 503


def test_nothing_is_left_running_and_the_connection_is_clean_afterwards() -> None:
    assert Client().get("/slow/").status_code == 503
    if connection.vendor == "postgresql":
        # The test client serves the request in this thread, on this connection: after its 503 the database
        # runs nothing of ours, and the timeout was reset (jobs and commands keep none).
        assert not [q for q in running_elsewhere() if "pg_sleep" in q]
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")  # the connection still works
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == "0"
    # Outside a request the same query is not bounded: a second or so of work runs to its end (the count
    # is four times what an idle machine does in the request's deadline, so a quiet CI is no excuse).
    started = time.monotonic()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_sleep(1)")
        else:
            cursor.execute(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 6000000) "
                "SELECT count(*) FROM c"
            )
        rows = cursor.fetchall()
    assert rows[0][0] in ("", 6_000_000)  # pg_sleep answers an empty value; the count ran to its end
    assert time.monotonic() - started > TIMEOUT_MS / 1000
    # And the next request is bounded again.
    assert Client().get("/api/v1/slow/").status_code == 503


def test_a_request_from_another_thread_leaves_no_backend_running(live_server: Any) -> None:
    """Through a real server thread and its own connection: the cancelled query is gone from the database."""
    if connection.vendor != "postgresql":
        pytest.skip("pg_stat_activity is PostgreSQL's")
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(f"{live_server.url}/api/v1/slow/", timeout=30)  # noqa: S310 - our test server
    assert answer.value.code == 503
    assert not [q for q in running_elsewhere() if "pg_sleep" in q]
