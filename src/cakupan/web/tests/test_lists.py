"""Lists page by keyset (core.pagination): next and previous links keep the filters and show every row
once; the count stops at LIST_COUNT_BOUND ("lebih dari"); a cursor the list did not make is a 400 that
still shows the first page; an htmx page link gets only the table."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.urls import reverse

from cakupan.web.tests.test_pages import _bulk_world

LISTS = [
    "registry:person_list",
    "registry:employer_list",
    "registry:employment_list",
    "registry:membership_list",
]


def link(response: Any, rel: str) -> str:
    """The query string of the page's `rel` link ("" when there is none)."""
    found = re.search(rf'<a href="(\?[^"]*)"[^>]*rel="{rel}"', response.text)
    return html.unescape(found.group(1)) if found else ""


def pks(response: Any) -> list[int]:
    return [row.pk for row in response.context["page_obj"]]


@pytest.mark.parametrize("name", LISTS)
def test_next_and_previous_links_walk_the_whole_list(world: Any, as_user: Any, name: str) -> None:
    _bulk_world(world, 29)
    client = as_user(world.branch_malang)
    url = reverse(name)
    first = client.get(url)
    everything = list(first.context["page_obj"].object_list)
    assert len(everything) == 25
    assert link(first, "prev") == ""
    second = client.get(url + link(first, "next"))
    assert second.status_code == 200
    assert link(second, "next") == ""
    seen = pks(first) + pks(second)
    assert len(seen) == len(set(seen)) == second.context["page_obj"].count.value
    back = client.get(url + link(second, "prev"))
    assert pks(back) == pks(first)
    assert link(back, "prev") == ""


def test_links_keep_the_filter(world: Any, as_user: Any) -> None:
    _bulk_world(world, 29)
    client = as_user(world.branch_malang)
    url = reverse("registry:person_list")
    first = client.get(url, {"q": "Pekerja"})
    assert "q=Pekerja" in link(first, "next")
    second = client.get(url + link(first, "next"))
    names = [p.full_name for p in first.context["page_obj"]] + [
        p.full_name for p in second.context["page_obj"]
    ]
    assert names == [f"Pekerja {i:02d}" for i in range(29)]


def test_an_htmx_page_link_gets_the_table_only(world: Any, as_user: Any) -> None:
    _bulk_world(world, 29)
    client = as_user(world.branch_malang)
    url = reverse("registry:employer_list")
    first = client.get(url, headers={"HX-Request": "true"})
    assert "<html" not in first.text
    assert 'hx-get="?cursor=' in first.text
    second = client.get(url + link(first, "next"), headers={"HX-Request": "true"})
    assert second.status_code == 200
    assert "<html" not in second.text


def test_the_count_says_more_than_past_its_bound(world: Any, as_user: Any, settings: Any) -> None:
    client = as_user(world.branch_malang)
    settings.LIST_COUNT_BOUND = 1
    response = client.get(reverse("registry:person_list"))
    assert "lebih dari 1 baris" in response.text
    assert len(pks(response)) == 2  # the page itself is whole
    settings.LIST_COUNT_BOUND = 2
    assert "2 baris" in client.get(reverse("registry:person_list")).text


@pytest.mark.parametrize("name", [*LISTS, "enrolment:review_list", "contributions:bill_list"])
def test_a_bad_cursor_is_a_400_with_the_first_page(world: Any, as_user: Any, name: str) -> None:
    client = as_user(world.branch_malang)
    good = client.get(reverse(name))
    response = client.get(reverse(name), {"cursor": "tidak-sah", "q": ""})
    assert response.status_code == 400
    assert "Kursor ini tidak berlaku" in response.text
    assert pks(response) == pks(good)
    assert client.get(reverse(name), {"cursor": "x"}, headers={"HX-Request": "true"}).status_code == 400
