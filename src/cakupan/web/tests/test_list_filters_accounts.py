"""The payer accounts' list: page (/contributions/) and API (/api/v1/payer-accounts/) read one FilterSet, so
they keep the same rows for the same search and refuse the same bad filter."""

from __future__ import annotations

from typing import Any

import pytest

from cakupan.contributions.tests.payment_fixtures import account_make
from cakupan.web.tests.test_list_filters import api_ids, both, page_ids

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["admin", "branch_malang", "hr_hospital"])
def test_accounts_page_and_api_search_the_same(world: Any, role: str) -> None:
    account_make(va="8810000000000001", employer=world.hospital)
    account_make(va="8810000000000002", employer=world.factory)
    account_make(kind="sponsor", va="8810000000000003", sponsor=world.sponsor)
    page, api = both(getattr(world, role))
    seen = set()
    for params in (
        {},
        {"q": "8810000000000002"},
        {"q": "NPP00001"},
        {"q": "contoh"},
        {"kind": "sponsor"},
        {"kind": "employer", "q": "pabrik"},
    ):
        shown = page.get("/contributions/", params)
        assert shown.status_code == 200, params
        ids = page_ids(shown)
        assert ids == api_ids(api.get("/api/v1/payer-accounts/", params)), (role, params)
        seen.update(ids)
    assert seen  # every role sees at least its own account


def test_a_bad_account_filter_is_refused_by_both(world: Any) -> None:
    account_make(va="8810000000000001", employer=world.hospital)
    page, api = both(world.admin)
    shown = page.get("/contributions/", {"kind": "bank"})
    assert shown.status_code == 400
    assert page_ids(shown) == []
    answered = api.get("/api/v1/payer-accounts/", {"kind": "bank"})
    assert answered.status_code == 400
    assert [e["field"] for e in answered.json()["errors"]] == ["kind"]


def test_the_arrears_page_refuses_a_bad_date_as_the_api_does(world: Any) -> None:
    account = account_make(va="8810000000000001", employer=world.hospital)
    page, api = both(world.branch_malang)
    assert page.get("/contributions/arrears/", {"as_of": "2026-06-30"}).status_code == 200
    assert page.get("/contributions/arrears/").status_code == 200
    refused = page.get("/contributions/arrears/", {"as_of": "30-06-2026"})
    assert refused.status_code == 400  # before: read as today, and figures shown for another day
    assert "Harus berupa tanggal" in refused.content.decode()
    answered = api.get(f"/api/v1/payer-accounts/{account.pk}/statement/", {"as_of": "30-06-2026"})
    assert answered.status_code == 400
    assert [e["field"] for e in answered.json()["errors"]] == ["as_of"]
