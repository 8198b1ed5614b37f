"""One FilterSet per list (core.filtering): a page and its API endpoint keep the same rows for the same
query string, and refuse the same bad filters (the page with a 400 and no rows, the API with a 400
naming the parameter)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cakupan.benefits.services import claim_submit
from cakupan.contributions.tests.payment_fixtures import account_make, bill_make
from cakupan.web.tests.test_pages import _bulk_world

pytestmark = pytest.mark.django_db

TOO_BIG = "99999999999999999999"


def both(user: Any) -> tuple[Client, APIClient]:
    page = Client(HTTP_ACCEPT_LANGUAGE="id")
    page.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    return page, api


def page_ids(response: Any) -> list[int]:
    return sorted(row.pk for row in response.context["page_obj"])


def api_ids(response: Any) -> list[int]:
    return sorted(row["id"] for row in response.json()["results"])


def queries(world: Any) -> list[str]:
    kpj = world.nurse.memberships.get().kpj
    return [world.nurse.nik, kpj, "Contoh", "pekerja 0", "NPP00001", "tidak ada", world.operator.nik]


@pytest.mark.parametrize("role", ["admin", "branch_malang", "hr_hospital", "sponsor_user"])
def test_memberships_page_and_api_search_the_same(world: Any, role: str) -> None:
    _bulk_world(world, 3)
    page, api = both(getattr(world, role))
    for q in queries(world):
        for extra in ({}, {"status": "active"}, {"segment": "BPU"}):
            params = {"q": q, **extra}
            shown = page.get("/memberships/", params)
            assert shown.status_code == 200
            listed = api.get("/api/v1/memberships/", params)
            assert page_ids(shown) == api_ids(listed), (role, params)
    # A NIK never finds anyone for a role that sees NIKs masked, on either.
    nik = {"q": world.driver.nik}
    # (employer HR does not see the sponsored driver at all)
    expected = [world.driver_membership.pk] if role in ("admin", "branch_malang") else []
    assert page_ids(page.get("/memberships/", nik)) == expected
    assert api_ids(api.get("/api/v1/memberships/", nik)) == expected


@pytest.mark.parametrize("role", ["admin", "branch_malang", "sponsor_user"])
def test_persons_page_and_api_search_the_same(world: Any, role: str) -> None:
    _bulk_world(world, 3)
    page, api = both(getattr(world, role))
    for q in queries(world):
        assert page_ids(page.get("/persons/", {"q": q})) == api_ids(api.get("/api/v1/persons/", {"q": q})), q


def test_a_filter_the_api_refuses_the_page_refuses(world: Any) -> None:
    page, api = both(world.admin)
    for url, api_url, params, field in (
        ("/memberships/", "/api/v1/memberships/", {"employer": TOO_BIG}, "employer"),
        ("/memberships/", "/api/v1/memberships/", {"status": "nope"}, "status"),
        ("/persons/", "/api/v1/persons/", {"q": "x" * 2, "region": ""}, None),
    ):
        shown = page.get(url, params)
        answered = api.get(api_url, params)
        if field is None:
            assert (shown.status_code, answered.status_code) == (200, 200)
            continue
        assert shown.status_code == 400
        assert page_ids(shown) == []
        assert answered.status_code == 400
        assert [e["field"] for e in answered.json()["errors"]] == [field]


def test_bills_page_and_api_share_filters_and_refusals(world: Any) -> None:
    hospital = account_make(va="8810000000000001", employer=world.hospital)
    factory = account_make(va="8810000000000002", employer=world.factory)
    for account in (hospital, factory):
        bill_make(account, "2025-01", 100_000, due=dt.date(2025, 2, 17))
        bill_make(account, "2025-02", 100_000, due=dt.date(2025, 3, 17))
    page, api = both(world.admin)
    for params in (
        {},
        {"period": "2025-01"},
        {"account": str(factory.pk)},
        {"account": str(hospital.pk), "period": "2025-02"},
    ):
        assert page_ids(page.get("/contributions/bills/", params)) == api_ids(
            api.get("/api/v1/bills/", params)
        )
    for params, field in (
        ({"account": TOO_BIG}, "account"),
        ({"account": "x"}, "account"),
        ({"period": "2025-13"}, "period"),
    ):
        shown = page.get("/contributions/bills/", params)
        assert shown.status_code == 400, params  # before: the page ignored it and listed every bill
        assert page_ids(shown) == []
        assert "Bulan" in shown.content.decode() or field == "account"
        answered = api.get("/api/v1/bills/", params)
        assert answered.status_code == 400
        assert [e["field"] for e in answered.json()["errors"]] == [field]


def test_claims_page_and_api_share_filters(world: Any) -> None:
    jkm = claim_submit(
        actor=world.branch_malang,
        person=world.nurse,
        benefit="JKM",
        event_date=dt.date(2025, 6, 1),
        claimant_kind="heir",
        claimant_name="Ahli Waris",
        details={"children": 1},
    )
    claim_submit(
        actor=world.branch_malang,
        person=world.driver,
        benefit="JKK_STMB",
        event_date=dt.date(2025, 9, 1),
        claimant_kind="worker",
        details={"months_unable": 2},
    )
    page, api = both(world.branch_malang)
    for params in (
        {},
        {"benefit": "JKM"},
        {"status": "submitted"},
        {"q": world.nurse.nik},
        {"q": "Pengemudi"},
        {"person": str(world.nurse.pk)},
    ):
        shown = sorted(c.pk for c in page.get("/benefits/claims/", params).context["claims"])
        assert shown == api_ids(api.get("/api/v1/claims/", params)), params
    assert api_ids(api.get("/api/v1/claims/", {"q": world.nurse.nik})) == [jkm.pk]
    for params, field in (({"status": "nope"}, "status"), ({"person": TOO_BIG}, "person")):
        refused = page.get("/benefits/claims/", params)
        assert refused.status_code == 400
        assert list(refused.context["claims"]) == []
        answered = api.get("/api/v1/claims/", params)
        assert answered.status_code == 400
        assert [e["field"] for e in answered.json()["errors"]] == [field]
