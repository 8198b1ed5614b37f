"""The main menu: each role sees exactly the pages it may open, every link it sees opens, and the menu
marks the page shown. The expected lists are written out here, not derived from cakupan.web.nav."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

REGISTRY_ALL = ["/", "/search/", "/employers/", "/persons/", "/employment/", "/memberships/"]
CONTRIBUTIONS_ALL = ["/contributions/bills/", "/contributions/", "/contributions/arrears/"]
COVERAGE_ALL = ["/coverage/", "/coverage/targets/", "/coverage/planner/"]
BENEFITS_ALL = ["/benefits/claims/", "/benefits/simulator/"]
OUTREACH_AND_AGREEMENTS = ["/outreach/", "/outreach/funnel/", "/agreements/"]  # issue 16
FIELD_OFFICE = [  # issue 17: the office's pages about its field agents
    "/field/agents/",
    "/field/conflicts/",
    "/field/deposits/",
    "/field/statements/",
    "/field/anomalies/",
]

EXPECTED = {
    "admin": [
        *REGISTRY_ALL,
        *CONTRIBUTIONS_ALL,
        "/rosters/",
        "/rosters/reviews/",
        *COVERAGE_ALL,
        *BENEFITS_ALL,
        "/compliance/",
        "/compliance/review/",
        "/sponsorship/",
        *OUTREACH_AND_AGREEMENTS,
        *FIELD_OFFICE,
    ],
    "branch_malang": [
        *REGISTRY_ALL,
        *CONTRIBUTIONS_ALL,
        "/rosters/",
        "/rosters/reviews/",
        *COVERAGE_ALL,
        *BENEFITS_ALL,
        "/compliance/",
        "/compliance/review/",
        "/sponsorship/",
        *OUTREACH_AND_AGREEMENTS,
        *FIELD_OFFICE,
    ],
    "agency_health_malang": [
        *REGISTRY_ALL,
        *CONTRIBUTIONS_ALL,
        "/rosters/",
        *COVERAGE_ALL,
        *BENEFITS_ALL,
        "/compliance/",
        "/sponsorship/",
        *OUTREACH_AND_AGREEMENTS,
    ],
    "hr_factory": [
        *REGISTRY_ALL,
        "/contributions/bills/",
        "/contributions/",
        "/rosters/",
        *BENEFITS_ALL,
        "/compliance/",
    ],
    "sponsor_user": [
        "/",
        "/search/",
        "/persons/",
        "/memberships/",
        "/contributions/bills/",
        "/contributions/",
        "/rosters/",
        "/coverage/planner/",  # for its own regency (issue 15)
        *BENEFITS_ALL,
        "/sponsorship/",
    ],
    "worker_user": [
        "/",
        "/employment/",
        "/memberships/",
        "/me/",
        "/cards/mine/",
        "/contributions/bills/",
        "/contributions/",
        *BENEFITS_ALL,
    ],
}
# Every page any menu offers: a role that is not shown one of them must also be refused it.
ALL_PAGES = sorted({url for urls in EXPECTED.values() for url in urls})


def nav_links(html: str) -> list[str]:
    found = re.search(r'<nav class="nav".*?</nav>', html, re.S)
    assert found, "no main menu on the page"
    return re.findall(r'href="([^"]+)"', found.group(0))


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_each_role_sees_exactly_its_links_and_each_opens(world: Any, as_user: Any, who: str) -> None:
    client: Client = as_user(getattr(world, who))
    shown = nav_links(client.get(reverse("home")).text)
    assert shown == EXPECTED[who]
    for url in ALL_PAGES:
        # A link may lead on to the role's own page (a sponsor's "sponsors" is its own sponsor's page).
        status = client.get(url, follow=True).status_code
        if url in shown:
            assert status == 200, (who, url, status)
        else:
            assert status in (403, 404), (who, url, status)


def test_menu_marks_the_page_shown_and_its_group(world: Any, as_user: Any) -> None:
    html = as_user(world.branch_malang).get("/contributions/bills/").text
    menu = re.search(r'<nav class="nav".*?</nav>', html, re.S).group(0)  # type: ignore[union-attr]
    assert re.findall(r'href="([^"]+)" aria-current="page"', menu) == ["/contributions/bills/"]
    # Its group's summary is highlighted, the others are not.
    assert len(re.findall(r'<summary class="on">', menu)) == 1
    # Groups are <details> sharing one name: only one drop-down is open at a time, without script.
    assert menu.count('<details name="main-nav"') == 8


def test_home_points_each_role_to_its_new_pages(world: Any, as_user: Any) -> None:
    def shortcuts(user: Any) -> list[str]:
        html = as_user(user).get(reverse("home")).text
        section = re.search(r'<section class="panel" id="shortcuts">.*?</section>', html, re.S)
        return re.findall(r'href="([^"]+)"', section.group(0)) if section else []

    assert shortcuts(world.agency_health_malang) == [
        *CONTRIBUTIONS_ALL,
        "/rosters/",
        *COVERAGE_ALL,
        *BENEFITS_ALL,
        "/compliance/",
        "/sponsorship/",
        "/outreach/",  # the funnel is reached from the events page
        "/agreements/",
    ]
    assert shortcuts(world.worker_user) == [
        "/me/",
        "/cards/mine/",
        "/contributions/bills/",
        "/contributions/",
        *BENEFITS_ALL,
    ]


def test_login_page_links_the_public_simulator(db: Any) -> None:
    client = Client()
    assert 'href="/benefits/simulator/"' in client.get(reverse("login")).text
    assert client.get("/benefits/simulator/").status_code == 200  # open without signing in
    assert "<nav" not in client.get(reverse("login")).text  # no menu before signing in
