"""The employer and employment lists: page and API read the same FilterSet, so the same query string keeps
the same rows on both and a bad filter is refused by both (page: 400 and no rows; API: 400 naming it)."""

from __future__ import annotations

from typing import Any

import pytest

from cakupan.web.tests.test_list_filters import TOO_BIG, api_ids, both, page_ids, queries
from cakupan.web.tests.test_pages import _bulk_world

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["admin", "branch_malang", "hr_hospital"])
def test_employment_page_and_api_search_the_same(world: Any, role: str) -> None:
    _bulk_world(world, 3)
    page, api = both(getattr(world, role))
    found_any = False
    for q in [*queries(world), "RS Contoh"]:
        for extra in ({}, {"open": "true"}, {"employer": str(world.hospital.pk)}):
            params = {"q": q, **extra}
            shown = page.get("/employment/", params)
            assert shown.status_code == 200, params
            listed = api.get("/api/v1/employments/", params)
            assert page_ids(shown) == api_ids(listed), (role, params)
            found_any = found_any or bool(page_ids(shown))
    assert found_any
    # The nurse by NIK and by KPJ: her job at the hospital, on both.
    job = world.nurse.employments.get(employer=world.hospital).pk
    for q in (world.nurse.nik, world.nurse.memberships.get().kpj):
        assert page_ids(page.get("/employment/", {"q": q})) == [job]
        assert api_ids(api.get("/api/v1/employments/", {"q": q})) == [job]


@pytest.mark.parametrize("role", ["admin", "branch_malang", "agency_health_malang"])
def test_employers_page_and_api_search_the_same(world: Any, role: str) -> None:
    page, api = both(getattr(world, role))
    for params in ({"q": "NPP00001"}, {"q": "contoh"}, {"region": "35.73"}, {"size_class": "besar"}, {}):
        shown = page.get("/employers/", params)
        assert shown.status_code == 200, params
        assert page_ids(shown) == api_ids(api.get("/api/v1/employers/", params)), (role, params)


def test_employer_and_employment_filters_refused_alike(world: Any) -> None:
    page, api = both(world.admin)
    for url, api_url, params, field in (
        ("/employment/", "/api/v1/employments/", {"employer": TOO_BIG}, "employer"),
        ("/employment/", "/api/v1/employments/", {"person": "abc"}, "person"),
        ("/employers/", "/api/v1/employers/", {"size_class": "raksasa"}, "size_class"),
    ):
        shown = page.get(url, params)
        assert shown.status_code == 400, params
        assert page_ids(shown) == []
        answered = api.get(api_url, params)
        assert answered.status_code == 400
        assert [e["field"] for e in answered.json()["errors"]] == [field]
