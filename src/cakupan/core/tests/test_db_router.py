"""The replica router's and middleware's decisions, without a running replica (SQLite and PostgreSQL).

A "replica" alias is declared for the test (a mirror of the default database) but never connected to: a
queryset's `.db` is the router's answer, asked without a query. These tests use no database fixture, so no
test transaction is open (inside one, every read goes to the primary: test_transaction_reads_primary).
The real streaming replica is in test_replica.py.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django.db import router as django_router
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from cakupan.core.db_router import (
    PRIMARY,
    REPLICA,
    ReplicaRouter,
    current_routing,
    reads_from_replica,
    reads_primary,
    replica_configured,
)
from cakupan.core.replica_middleware import STICKY_COOKIE, ReplicaReadsMiddleware
from cakupan.registry.models import Person


def declare_replica(**settings_dict: Any) -> None:
    connections.settings[REPLICA] = {
        **connections.settings[PRIMARY],
        "OPTIONS": {},
        "TEST": {"MIRROR": PRIMARY},
        **settings_dict,
    }


@pytest.fixture
def replica_alias(django_db_blocker: Any) -> Iterator[None]:
    """A replica the middleware can connect to (an empty in-memory SQLite database: no test reads from it),
    outside any test transaction."""
    declare_replica(ENGINE="django.db.backends.sqlite3", NAME=":memory:")
    try:
        with django_db_blocker.unblock():
            yield
    finally:
        forget_replica()


def forget_replica() -> None:
    for conn in connections.all(initialized_only=True):
        if conn.alias == REPLICA:
            conn.close()
            del connections[REPLICA]
    del connections.settings[REPLICA]


def reads() -> str:
    return Person.objects.all().db


@pytest.mark.usefixtures("replica_alias")
def test_reads_go_to_the_replica_only_inside_the_block() -> None:
    assert replica_configured()
    assert reads() == PRIMARY  # a job, a command, a test: the primary unless they opt in
    with reads_from_replica():
        assert reads() == REPLICA
    assert reads() == PRIMARY


def test_without_a_replica_the_router_has_no_opinion() -> None:
    assert not replica_configured()
    router = ReplicaRouter()
    with reads_from_replica():
        assert router.db_for_read(Person) is None
        assert reads() == PRIMARY
    assert router.db_for_read(Person) is None


@pytest.mark.usefixtures("replica_alias")
def test_writes_and_reads_after_a_write_use_the_primary() -> None:
    router = ReplicaRouter()
    with reads_from_replica() as routing:
        assert reads() == REPLICA
        # A row read from the replica is still written to the primary.
        replica_row = Person(full_name="x")
        replica_row._state.db = REPLICA
        assert router.db_for_write(Person, instance=replica_row) == PRIMARY
        assert django_router.db_for_write(Person, instance=replica_row) == PRIMARY
        assert routing.wrote
        assert reads() == PRIMARY
    assert django_router.db_for_write(Person) == PRIMARY


@pytest.mark.usefixtures("replica_alias")
def test_locks_and_sign_in_state_read_the_primary() -> None:
    from django.contrib.sessions.models import Session
    from rest_framework.authtoken.models import Token

    with reads_from_replica() as routing:
        assert Session.objects.all().db == PRIMARY
        assert Token.objects.all().db == PRIMARY
        assert reads() == REPLICA
        # A locking read is asked as a write (Django routes select_for_update by db_for_write): it counts as
        # one, so what the block reads next is the primary's.
        assert Person.objects.select_for_update().db == PRIMARY
        assert routing.wrote
        assert reads() == PRIMARY


@pytest.mark.usefixtures("replica_alias")
@pytest.mark.django_db
def test_transaction_reads_primary() -> None:
    # pytest-django holds a transaction open on the primary: what it wrote is only visible there.
    assert connections[PRIMARY].in_atomic_block
    with reads_from_replica():
        assert reads() == PRIMARY


def test_migrations_never_run_on_the_replica() -> None:
    router = ReplicaRouter()
    assert router.allow_migrate(REPLICA, "registry") is False
    assert router.allow_migrate(PRIMARY, "registry") is None


def test_rows_of_both_copies_may_relate() -> None:
    router = ReplicaRouter()
    a, b = Person(), Person()
    a._state.db, b._state.db = PRIMARY, REPLICA
    assert router.allow_relation(a, b) is True
    b._state.db = "elsewhere"
    assert router.allow_relation(a, b) is None


class Seen:
    """A view that records where its reads would go."""

    def __init__(self, *, writes: bool = False) -> None:
        self.db: str | None = None
        self.writes = writes

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.writes:
            ReplicaRouter().db_for_write(Person)  # what a service's save asks first
        self.db = reads()
        return HttpResponse("ok")


def through(
    view: Seen, request: HttpRequest, *, flagged: bool = False
) -> tuple[HttpResponse, ReplicaReadsMiddleware]:
    """The middleware around `view`, calling process_view as Django's handler does."""
    middleware: ReplicaReadsMiddleware

    def handler(req: HttpRequest) -> HttpResponse:
        func: Any = reads_primary(lambda r: None) if flagged else (lambda r: None)
        middleware.process_view(req, func, (), {})
        return view(req)

    middleware = ReplicaReadsMiddleware(handler)
    return middleware(request), middleware  # type: ignore[return-value]


@pytest.mark.usefixtures("replica_alias")
def test_safe_requests_read_the_replica_and_writes_stick_to_the_primary(settings: Any) -> None:
    settings.CAKUPAN_REPLICA_STICKY_SECONDS = 20
    rf = RequestFactory()

    view = Seen()
    response, _ = through(view, rf.get("/persons/"))
    assert view.db == REPLICA
    assert STICKY_COOKIE not in response.cookies

    view = Seen()
    response, _ = through(view, rf.post("/persons/new/"))
    assert view.db == PRIMARY
    cookie = response.cookies[STICKY_COOKIE]
    assert cookie["max-age"] == 20
    assert cookie["httponly"]
    until = float(cookie.value)
    assert time.time() + 18 < until <= time.time() + 20

    # The same browser's next GET, within the window: the primary, so the author sees the write.
    view = Seen()
    request = rf.get("/persons/")
    request.COOKIES[STICKY_COOKIE] = cookie.value
    through(view, request)
    assert view.db == PRIMARY

    # After the window (a cookie a browser would have dropped, or a forged one): the replica again.
    for stale in (str(int(time.time()) - 1), "not-a-time"):
        view = Seen()
        request = rf.get("/persons/")
        request.COOKIES[STICKY_COOKIE] = stale
        through(view, request)
        assert view.db == REPLICA


@pytest.mark.usefixtures("replica_alias")
def test_a_safe_request_that_writes_sticks_too() -> None:
    view = Seen(writes=True)
    response, _ = through(view, RequestFactory().get("/rosters/jobs/1/"))
    assert view.db == PRIMARY
    assert STICKY_COOKIE in response.cookies


@pytest.mark.usefixtures("replica_alias")
def test_a_view_marked_reads_primary_reads_the_primary() -> None:
    view = Seen()
    through(view, RequestFactory().get("/"), flagged=True)
    assert view.db == PRIMARY


def test_an_unreachable_replica_leaves_the_primary_to_answer(
    django_db_blocker: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    declare_replica(
        ENGINE="django.db.backends.postgresql", HOST="127.0.0.1", PORT=str(port), NAME="none", USER="none"
    )
    try:
        with django_db_blocker.unblock():
            view = Seen()
            response, _ = through(view, RequestFactory().get("/persons/"))
    finally:
        forget_replica()
    assert view.db == PRIMARY
    assert response.status_code == 200
    assert STICKY_COOKIE not in response.cookies
    assert "read replica unreachable" in caplog.text


def test_without_a_replica_the_middleware_does_nothing() -> None:
    view = Seen(writes=True)
    response, _ = through(view, RequestFactory().post("/persons/new/"))
    assert view.db == PRIMARY
    assert STICKY_COOKIE not in response.cookies
    assert current_routing() is None
