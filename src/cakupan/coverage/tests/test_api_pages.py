"""The API contract and its scope (agency, branch, admin, other roles), and the pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from cakupan.coverage.models import WorkforceStat
from cakupan.coverage.services.snapshots import snapshot_build

URL = "/api/v1/coverage/"


@pytest.fixture
def built(world: Any) -> Any:
    WorkforceStat.objects.create(region_id="35.73", year=2024, survey_month=8, employed=40, source="test")
    snapshot_build(period="2025-05")
    return world


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_api_equals_command(built: Any, capsys: Any) -> None:
    call_command("coverage", "show", "--region", "35.73", "--period", "2025-05", "--json")
    printed = json.loads(capsys.readouterr().out)
    answer = client_for(built.admin).get(URL, {"region": "35.73", "period": "2025-05"})
    assert answer.status_code == 200
    assert answer.json() == printed
    assert {"region", "period", "active", "workforce", "rate", "by_segment", "target"} <= set(printed)
    assert (printed["active"], printed["workforce"], printed["rate"]) == (2, 40, 0.05)


@pytest.mark.parametrize(
    ("user", "region", "status"),
    [
        ("admin", "35.73", 200),
        ("admin", "", 200),
        ("admin", "32", 200),
        ("branch_malang", "35.73", 200),
        ("branch_malang", "35.07", 200),
        ("branch_malang", "32.16", 404),
        ("branch_malang", "35", 404),
        ("branch_malang", "", 404),
        ("agency_health_malang", "35.73", 200),
        ("agency_health_malang", "35.07", 404),
        ("agency_labour_bekasi", "35.73", 404),
        ("agency_labour_bekasi", "32.16", 200),
        ("hr_hospital", "35.73", 403),
        ("sponsor_user", "35.73", 403),
        ("worker_user", "35.73", 403),
    ],
)
def test_api_scope(built: Any, user: str, region: str, status: int) -> None:
    answer = client_for(getattr(built, user)).get(URL, {"region": region, "period": "2025-05"})
    assert answer.status_code == status
    if status != 200:
        assert "errors" in answer.json()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"region": "35.73", "period": "2025-13"}, "period"),
        ({"region": "99.99", "period": "2025-05"}, "region"),
        ({"region": "35.73", "period": "2024-01"}, "period"),  # no snapshot
    ],
)
def test_api_bad_params(built: Any, params: dict[str, str], field: str) -> None:
    answer = client_for(built.admin).get(URL, params)
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == [field]


def test_the_newest_built_month_when_none_is_given(built: Any, capsys: Any) -> None:
    snapshot_build(period="2025-04")  # an older month built later: "latest" is the month, not the build
    call_command("coverage", "show", "--region", "35.73", "--json")
    printed = json.loads(capsys.readouterr().out)
    assert printed["period"] == "2025-05"
    answer = client_for(built.admin).get(URL, {"region": "35.73"})
    assert answer.status_code == 200
    assert answer.json() == printed
    call_command("coverage", "show")  # the text form too
    assert "2025-05" in capsys.readouterr().out


def test_no_month_before_any_build_is_a_field_error(world: Any) -> None:
    answer = client_for(world.admin).get(URL, {"region": "35.73"})
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == ["period"]


def test_targets_keep_the_month_and_offer_the_years(built: Any) -> None:
    snapshot_build(period="2024-12")
    c = client_for(built.admin)
    for year, target in (("2024", "30"), ("2025", "50")):
        c.post("/coverage/targets/", {"region": "35.73", "year": year, "segment": "", "target": target})
    dashboard = c.get("/coverage/", {"period": "2024-12"}).content.decode()
    assert 'href="/coverage/targets/?period=2024-12"' in dashboard
    chosen = c.get("/coverage/targets/", {"period": "2024-12"}).content.decode()
    assert '<option value="2024" selected>' in chosen
    assert '<option value="2025">' in chosen
    assert "2024-12" in chosen
    assert ">30<" in chosen
    assert ">50<" not in chosen
    other = c.get("/coverage/targets/", {"year": "2025"}).content.decode()
    assert '<option value="2025" selected>' in other
    assert "2025-05" in other  # measured at that year's newest built month
    assert ">50<" in other
    assert ">30<" not in other


def test_api_needs_login(built: Any) -> None:
    assert Client().get(URL, {"region": "35.73", "period": "2025-05"}).status_code in (401, 403)


def test_dashboard_drill_down(built: Any) -> None:
    c = client_for(built.admin)
    national = c.get("/coverage/", {"period": "2025-05"})
    html = national.content.decode()
    assert national.status_code == 200
    assert 'id="tile-map"' in html
    assert 'id="rate-chart"' in html
    assert "Jawa Timur" in html
    province = c.get("/coverage/", {"period": "2025-05", "region": "35"}).content.decode()
    assert "Kota Malang" in province
    assert 'id="children"' in province
    regency = c.get("/coverage/", {"period": "2025-05", "region": "35.73"}).content.decode()
    assert "5,0\u00a0%" in regency  # 2 / 40, Indonesian: decimal comma, no-break space (core.display)


def test_dashboard_scope(built: Any) -> None:
    c = client_for(built.agency_health_malang)
    assert c.get("/coverage/", {"period": "2025-05"}).status_code == 200
    assert c.get("/coverage/", {"period": "2025-05", "region": "32.16"}).status_code == 404
    assert client_for(built.hr_factory).get("/coverage/").status_code == 403


def test_planner_page(built: Any) -> None:
    c = client_for(built.admin)
    page = c.get(
        "/coverage/planner/",
        {
            "region": "35.73",
            "period": "2025-05",
            "category": "all",
            "workers": "100",
            "start": "2026-01",
            "months": "12",
        },
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="scenarios"' in html
    assert "20.160.000" in html or "20,160,000" in html
    assert "12.600.000" in html or "12,600,000" in html
    assert 'id="gap"' in html
    assert "38" in html


def test_targets_page_form(built: Any) -> None:
    c = client_for(built.admin)
    page = c.post("/coverage/targets/", {"region": "35.73", "year": "2025", "segment": "", "target": "50"})
    assert page.status_code == 302
    listing = c.get("/coverage/targets/", {"period": "2025-05"}).content.decode()
    assert 'id="targets"' in listing
    assert "35.73" in listing
    assert client_for(built.branch_malang).post("/coverage/targets/", {"region": "35.73"}).status_code == 403
