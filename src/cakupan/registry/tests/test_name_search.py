"""A name search finds the persons whose full name starts with the text (docs/design.md, "Name search"):
for every role, through an index range (the audience's name for a role with one key, UPPER(name) for the
admin), never a word inside the name; the API's `?name=` and `?q=` and the search page alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from conftest import World
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cakupan.accounts.scope import scope_for
from cakupan.core.pagination import BoundedCount, bounded_count
from cakupan.registry import selectors, services
from cakupan.registry.models import Person, PersonAudience
from cakupan.registry.nik import nik_compose
from cakupan.registry.selectors import SEARCH_NAME


def _found(user: Any, text: str) -> list[str]:
    return [p.full_name for p in selectors.person_find(user=user, query=text)]


@pytest.mark.parametrize("role", ["admin", "branch_malang", "hr_hospital", "agency_health_malang"])
def test_a_name_is_found_by_its_start_whatever_the_role(world: World, role: str) -> None:
    user = getattr(world, role)
    seen = {p.full_name for p in selectors.person_list(user=user)}
    assert "Ners Contoh" in seen
    for text in ("Ners", "ners", "NERS", "Ners Contoh", "ners  contoh", "N"):
        assert "Ners Contoh" in _found(user, text), (role, text)
    for text in ("Contoh", "contoh", "ers", "Ners X", "Nerss"):
        assert "Ners Contoh" not in _found(user, text), (role, text)
    assert set(_found(user, "p")) <= {n for n in seen if n.upper().startswith("P")}


def test_the_admin_finds_any_case_and_reads_the_matches_in_index_order(world: World) -> None:
    born = dt.date(1990, 1, 1)
    for serial, name in enumerate(("SITI AMINAH", "siti badriyah", "Siti Chairunisa", "Sitihajar"), 60):
        nik = nik_compose(district_code="35.73.01", birth_date=born, sex="P", serial=serial)
        services.person_register(
            actor=world.admin, nik=nik, full_name=name, birth_date=born, sex="P", address_region="35.73.01"
        )
    found = selectors.person_find(user=world.admin, query="siti ")
    assert [p.full_name for p in found] == ["SITI AMINAH", "siti badriyah", "Siti Chairunisa", "Sitihajar"]
    assert found.query.order_by == (SEARCH_NAME, "id")
    assert _found(world.admin, "sItI b") == ["siti badriyah"]
    # The branch office reads its key's rows: as typed, in Title Case or in capitals.
    assert set(_found(world.branch_malang, "siti")) == {
        "SITI AMINAH", "siti badriyah", "Siti Chairunisa", "Sitihajar",
    }  # fmt: skip
    # "sItI": as typed nobody, "Siti…" and "SITI…": a name in its own odd case only as typed.
    assert set(_found(world.branch_malang, "sItI")) == {"SITI AMINAH", "Siti Chairunisa", "Sitihajar"}


def test_the_person_api_filters_name_and_q_by_the_start(world: World, client: Any) -> None:
    client.force_login(world.branch_malang)
    for params, expected in (
        ({"name": "ners"}, ["Ners Contoh"]),
        ({"name": "contoh"}, []),
        ({"q": "PENGEMUDI"}, ["Pengemudi Contoh"]),
        ({"q": "ners", "name": "pengemudi"}, []),
    ):
        answered = client.get("/api/v1/persons/", params)
        assert answered.status_code == 200, answered.content[:500]
        assert [p["full_name"] for p in answered.json()["results"]] == expected, params
    assert scope_for(world.branch_malang).audience_keys()


def test_a_one_key_search_counts_the_key_rows_alone(world: World) -> None:
    """The bounded count of a branch's name search reads the audience's rows, not each match's person;
    a further filter (a region) counts the list's own rows."""
    rows = selectors.person_find(user=world.branch_malang, query="ners")
    with CaptureQueriesContext(connection) as counted:
        assert bounded_count(rows) == BoundedCount(1, True)
    person, audience = Person._meta.db_table, PersonAudience._meta.db_table
    assert person not in counted[0]["sql"].replace(audience, "")
    narrowed = rows.filter(address_region__code__startswith="32")
    with CaptureQueriesContext(connection) as counted:
        assert bounded_count(narrowed) == BoundedCount(0, True)
    assert person in counted[0]["sql"].replace(audience, "")
