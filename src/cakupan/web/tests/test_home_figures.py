"""Home figures come from the cache (registry.figures): a constant, small number of queries however many
rows the scope holds; a big scope is never counted in full on the request; the refresh recounts."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cakupan.accounts.models import User
from cakupan.core.models import CachedFigures
from cakupan.registry import figures
from cakupan.web.queues import home_refresh as home_figures_refresh
from cakupan.web.templatetags.cakupan_web import figure
from cakupan.web.tests.test_pages import _bulk_world


def values(response: Any) -> list[int]:
    return [c["value"] for c in response.context["counts"]]


def test_home_reads_cached_figures_in_constant_queries(world: Any, as_user: Any) -> None:
    client = as_user(world.branch_malang)
    first = client.get(reverse("home"))  # a small scope not yet cached: counted inline, bounded
    assert values(first) == [1, 2, 2]
    assert "Angka per " in first.text
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("home"))
    _bulk_world(world, 29)
    with CaptureQueriesContext(connection) as big:
        cached = client.get(reverse("home"))
    assert len(big.captured_queries) == len(small.captured_queries) <= 8
    assert not any("COUNT(" in q["sql"].upper() for q in big.captured_queries)
    assert values(cached) == [1, 2, 2]  # as cached, until the refresh
    assert home_figures_refresh() == 0  # nothing stale yet
    assert home_figures_refresh(CachedFigures.objects.get().key) == 1
    assert values(client.get(reverse("home"))) == [1 + 29, 2 + 29, 2 + 29]


def test_staff_of_one_office_share_one_cached_row(world: Any, as_user: Any) -> None:
    colleague = User.objects.create_user(
        username="staf_malang_2", password="pw", role=world.branch_malang.role, branch_office=world.malang
    )
    as_user(world.branch_malang).get(reverse("home"))
    as_user(colleague).get(reverse("home"))
    as_user(world.hr_hospital).get(reverse("home"))
    assert CachedFigures.objects.count() == 2


def test_a_big_scope_shows_a_bounded_count_until_the_refresh(world: Any, as_user: Any, settings: Any) -> None:
    settings.HOME_FIGURES_INLINE_BOUND = 1
    client = as_user(world.branch_malang)
    response = client.get(reverse("home"))
    assert [(c["value"], c["exact"]) for c in response.context["counts"]] == [
        (1, True),
        (1, False),
        (1, False),
    ]
    assert "lebih dari 1" in response.text
    assert "sedang dihitung" in response.text
    assert CachedFigures.objects.get().computed_at is None
    # Seen again before the refresh: still not counted on the request.
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    assert home_figures_refresh() == 1  # pending: recounted in full
    response = client.get(reverse("home"))
    assert values(response) == [1, 2, 2]
    assert "lebih dari" not in response.text


def test_a_small_scopes_stale_figures_are_recounted_on_the_request(
    world: Any, as_user: Any, settings: Any
) -> None:
    client = as_user(world.hr_hospital)
    assert values(client.get(reverse("home"))) == [1, 1, 1, 1]
    _bulk_world(world, 3)
    assert values(client.get(reverse("home"))) == [1, 1, 1, 1]  # fresh for HOME_FIGURES_MAX_AGE_MINUTES
    settings.HOME_FIGURES_MAX_AGE_MINUTES = 0
    assert values(client.get(reverse("home"))) == [1, 1 + 3, 1 + 3, 1 + 3]


def test_unseen_scopes_are_forgotten(world: Any, as_user: Any, settings: Any) -> None:
    as_user(world.hr_hospital).get(reverse("home"))
    settings.HOME_FIGURES_KEEP_DAYS = -1
    home_figures_refresh()
    assert not CachedFigures.objects.exists()


def test_figures_read_in_the_users_language() -> None:
    with translation.override("id"):
        assert figure({"value": 10_012_345, "exact": False, "estimate": True}) == "≈ 10,0 jt"
        assert figure({"value": 10_000, "exact": False}) == "lebih dari 10.000"
        assert figure({"value": 1234, "exact": True}) == "1.234"
    with translation.override("en"):
        assert figure({"value": 10_012_345, "exact": False, "estimate": True}) == "≈ 10.0 M"
        assert figure({"value": 10_000, "exact": False}) == "more than 10,000"


def test_the_command_refreshes_pending_figures(world: Any, as_user: Any, settings: Any) -> None:
    settings.HOME_FIGURES_INLINE_BOUND = 1
    as_user(world.branch_malang).get(reverse("home"))
    out = io.StringIO()
    call_command("home_figures_refresh", stdout=out)
    assert json.loads(out.getvalue()) == {"refreshed": 1}
    assert CachedFigures.objects.get().computed_at is not None


def test_the_national_admins_tables_of_millions_are_estimated_on_postgresql(
    world: Any, as_user: Any, monkeypatch: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("pg_class.reltuples is PostgreSQL's")
    monkeypatch.setattr(figures, "ESTIMATE_FROM", 1)  # the test's three persons stand for millions
    with connection.cursor() as c:
        c.execute("ANALYZE registry_person, registry_employer")
    counts = as_user(world.admin).get(reverse("home")).context["counts"]
    assert [(c["estimate"], c["exact"]) for c in counts] == [(True, False), (True, False), (False, True)]
    assert counts[1]["value"] == 3  # reltuples after ANALYZE of a small table is its row count
