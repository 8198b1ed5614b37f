"""A real PostgreSQL primary and streaming standby holding the test database (core/tests/replica.py):
read-only pages, the API and an opted-in job read from the standby, writes never go to it, and the author of
a write reads it back at once.

Replay is paused on the replica where it matters (`Pair.paused`): what the primary has committed since is
then missing there, so a page showing the old value was served by the replica, and one showing the new value
by the primary. The rows must be committed for the replica to see them: these tests are transactional, and
the flush after each one empties every table of the pair's primary, so the regions are loaded again before
each test. PostgreSQL only: SQLite has no replica.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, suppress
from typing import Any

import pytest
from django.db import DatabaseError, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cakupan.core.db_router import PRIMARY, REPLICA, reads_from_replica
from cakupan.core.replica_middleware import STICKY_COOKIE
from cakupan.core.tests.replica import Pair, pair_start
from cakupan.regions.models import Region
from cakupan.regions.services import regions_load
from cakupan.registry import services
from cakupan.registry.forms import PersonForm
from cakupan.registry.models import Person

pytestmark = [pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])]

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture(scope="module")
def replica(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Pair]:
    """The pair, started from the test database once it is migrated, as this module's database: the default
    alias points at the pair's primary and the "replica" alias (what DATABASE_REPLICA_URL declares) at its
    standby, for this module only; the other tests run without a replica, on the test server."""
    primary = connections[PRIMARY]
    if primary.vendor != "postgresql":
        pytest.skip("a streaming replica is a PostgreSQL server; the SQLite set-up has none to route to")
    with django_db_blocker.unblock():
        pair = pair_start(primary.settings_dict)
    test_server = primary.settings_dict["HOST"], primary.settings_dict["PORT"]
    primary.close()
    primary.settings_dict["HOST"], primary.settings_dict["PORT"] = pair.primary.host, str(pair.primary.port)
    connections.settings[REPLICA] = {
        **primary.settings_dict,
        "HOST": pair.replica.host,
        "PORT": str(pair.replica.port),
        "TEST": {"MIRROR": PRIMARY},
    }
    try:
        yield pair
    finally:
        for conn in connections.all(initialized_only=True):
            conn.close()
        primary.settings_dict["HOST"], primary.settings_dict["PORT"] = test_server
        if REPLICA in connections.settings:
            with suppress(AttributeError):  # never connected
                del connections[REPLICA]
            del connections.settings[REPLICA]
        pair.stop()


@pytest.fixture
def world(replica: Pair, transactional_db: Any, world: Any) -> Any:
    return world


@pytest.fixture(autouse=True)
def _regions(replica: Pair, transactional_db: Any) -> None:
    # The flush after a transactional test empties the pair's primary (not the test server).
    if not Region.objects.filter(pk="35.73.01").exists():
        regions_load()


class Queries:
    """The queries each alias ran inside the block."""

    def __init__(self) -> None:
        self._stack = ExitStack()
        self.primary = CaptureQueriesContext(connections[PRIMARY])
        self.replica = CaptureQueriesContext(connections[REPLICA])

    def __enter__(self) -> Queries:
        self._stack.enter_context(self.primary)
        self._stack.enter_context(self.replica)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    @staticmethod
    def touching(ctx: CaptureQueriesContext, table: str) -> list[str]:
        return [q["sql"] for q in ctx.captured_queries if f'"{table}"' in q["sql"]]

    @staticmethod
    def writes(ctx: CaptureQueriesContext) -> list[str]:
        return [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]


def shows_old_name(text: str) -> bool:
    return "Ners Contoh" in text and "Ners Diganti" not in text


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_replica_streams_the_primary_and_refuses_writes(replica: Pair, world: Any) -> None:
    replica.caught_up()
    with connections[REPLICA].cursor() as cursor:  # the alias, not the helper's own connection
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0]
    assert Person.objects.using(REPLICA).get(pk=world.nurse.pk).full_name == "Ners Contoh"
    # What the router must never send there: a hot standby refuses every write.
    with pytest.raises(DatabaseError, match="read-only transaction"):
        Person.objects.using(REPLICA).filter(pk=world.nurse.pk).update(full_name="x")


def test_read_only_pages_the_api_and_an_opted_in_job_read_the_replica(replica: Pair, world: Any) -> None:
    admin = signed_in(world.admin)
    detail = reverse("registry:person_detail", args=[world.nurse.pk])
    with replica.paused():
        # Committed on the primary, not yet replayed on the replica.
        services.person_update(actor=world.admin, person=world.nurse, full_name="Ners Diganti")

        with Queries() as q:
            page = admin.get(detail)
        assert page.status_code == 200
        assert shows_old_name(page.text)
        assert q.touching(q.replica, "registry_person")
        assert not q.touching(q.primary, "registry_person")
        assert not q.writes(q.replica)
        assert STICKY_COOKIE not in page.cookies

        with Queries() as q:
            listing = admin.get(reverse("registry:person_list"))
            api = admin.get("/api/v1/persons/")
            home = admin.get(reverse("home"))
        assert listing.status_code == api.status_code == home.status_code == 200
        assert shows_old_name(listing.text)
        assert shows_old_name(api.text)
        assert not q.touching(q.primary, "registry_person")
        assert not q.writes(q.replica)

        # A job or command reads the primary, unless it opts in (an export that may be a second old).
        assert Person.objects.get(pk=world.nurse.pk).full_name == "Ners Diganti"
        with reads_from_replica():
            assert Person.objects.get(pk=world.nurse.pk).full_name == "Ners Contoh"
    replica.caught_up()
    assert "Ners Diganti" in admin.get(detail).text


def test_a_write_goes_to_the_primary_and_its_author_reads_it_at_once(replica: Pair, world: Any) -> None:
    author = signed_in(world.admin)
    colleague = signed_in(world.branch_malang)
    detail = reverse("registry:person_detail", args=[world.nurse.pk])
    form = {k: ("" if v is None else v) for k, v in PersonForm.initial_from(world.nurse).items()}
    assert "Ners Contoh" in colleague.get(detail).text
    with replica.paused():
        with Queries() as q:
            saved = author.post(
                reverse("registry:person_edit", args=[world.nurse.pk]), {**form, "full_name": "Ners Baru"}
            )
        assert saved.status_code == 302, saved.content
        assert q.writes(q.primary)
        assert not q.replica.captured_queries  # a write request reads and writes the primary only
        assert STICKY_COOKIE in saved.cookies
        # The replica has not seen it yet ...
        assert Person.objects.using(REPLICA).get(pk=world.nurse.pk).full_name == "Ners Contoh"

        # ... but its author, within the window after writing, reads the primary.
        with Queries() as q:
            mine = author.get(detail)
        assert "Ners Baru" in mine.text
        assert not q.replica.captured_queries
        # Another user's page comes from the replica, a moment behind.
        assert "Ners Contoh" in colleague.get(detail).text
    replica.caught_up()
    assert "Ners Baru" in colleague.get(detail).text


def test_sign_in_state_is_the_primarys(replica: Pair, world: Any) -> None:
    """A session or token made a moment ago works at once, although the replica has not replayed it yet: the
    router reads sessions and tokens from the primary. The page itself still comes from the replica."""
    detail = reverse("registry:person_detail", args=[world.nurse.pk])
    with replica.paused():
        browser = signed_in(world.branch_malang)  # a session row only the primary has
        with Queries() as q:
            page = browser.get(detail)
        assert page.status_code == 200
        assert q.touching(q.primary, "django_session")
        assert not q.touching(q.replica, "django_session")
        assert q.touching(q.replica, "registry_person")

        issued = APIClient().post(
            "/api/v1/auth/token/", {"username": "staf_malang", "password": "pw-staf_malang"}, format="json"
        )
        assert issued.status_code == 200, issued.content
        assert not Token.objects.using(REPLICA).filter(key=issued.json()["token"]).exists()
        fresh = APIClient()
        fresh.credentials(HTTP_AUTHORIZATION=f"Token {issued.json()['token']}")
        with Queries() as q:
            listed = fresh.get("/api/v1/persons/")
        assert listed.status_code == 200, listed.content
        assert "Ners Contoh" in listed.text
        assert q.touching(q.primary, "authtoken_token")
        assert q.touching(q.replica, "registry_person")
