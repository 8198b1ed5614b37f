"""The header's main menu and the home page's shortcuts: which pages each role may open.

The role lists come from the apps themselves (the same tuples their views check with `allow`), so a link
is shown exactly when the page would not answer 403. A URL name that does not resolve (an app not
installed in this deployment) drops its link instead of breaking every page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.models import Role
from cakupan.compliance.services import CASE_WORKERS as COMPLIANCE_CASE_WORKERS
from cakupan.compliance.services import READERS as COMPLIANCE_READERS
from cakupan.contributions.views import ARREARS_READERS
from cakupan.coverage.selectors import COVERAGE_ROLES
from cakupan.enrolment.services import UPLOADERS as ROSTER_UPLOADERS
from cakupan.enrolment.views_reviews import REVIEWERS
from cakupan.web.access import ALL_ROLES, EMPLOYER_READERS, PERSON_READERS

EMPLOYMENT_READERS = (*EMPLOYER_READERS, Role.WORKER)


@dataclass(frozen=True)
class Link:
    url_name: str
    label: Promise
    roles: tuple[str, ...]
    hint: Promise | None = None  # a line on the home page; links without one stay in the menu only


@dataclass(frozen=True)
class Section:
    key: str
    label: Promise | None  # None: its links sit directly in the menu bar
    links: tuple[Link, ...] = field(default_factory=tuple)


MENU: tuple[Section, ...] = (
    Section(
        "registry",
        None,
        (
            Link("home", _("Home"), ALL_ROLES),
            Link("search", _("Search"), PERSON_READERS),
            Link("registry:employer_list", _("Employers"), EMPLOYER_READERS),
            Link("registry:person_list", _("Persons"), PERSON_READERS),
            Link("registry:employment_list", _("Employment"), EMPLOYMENT_READERS),
            Link("registry:membership_list", _("Memberships"), ALL_ROLES),
        ),
    ),
    Section(
        "contributions",
        _("Contributions"),
        (
            Link(
                "contributions:bill_list",
                _("Bills"),
                ALL_ROLES,
                _("Monthly contribution bills and what is still outstanding."),
            ),
            Link(
                "contributions:account_list",
                _("Payer accounts"),
                ALL_ROLES,
                _("Payer accounts: statements, payments and credit."),
            ),
            Link(
                "contributions:arrears",
                _("Arrears"),
                ARREARS_READERS,
                _("Arrears by days past the due date, with late fines."),
            ),
        ),
    ),
    Section(
        "rosters",
        None,
        (
            Link(
                "enrolment:upload",
                _("Rosters"),
                ROSTER_UPLOADERS,
                _("Upload a roster of workers (XLSX or CSV) and read the report row by row."),
            ),
            Link(
                "enrolment:review_list",
                _("Held roster rows"),
                REVIEWERS,
                _("Roster rows that named a registered person with other details: link or reject."),
            ),
        ),
    ),
    Section(
        "coverage",
        _("Coverage"),
        (
            Link(
                "coverage_dashboard",
                _("Coverage dashboard"),
                COVERAGE_ROLES,
                _("Coverage rate of the workforce, by region, segment and sector."),
            ),
            Link(
                "coverage_targets",
                _("Coverage targets"),
                COVERAGE_ROLES,
                _("Targets for the year and the forecast to December."),
            ),
            Link(
                "coverage_planner",
                _("Gap and budget planner"),
                COVERAGE_ROLES,
                _("What covering uncovered workers would cost, by funding source."),
            ),
        ),
    ),
    Section(
        "benefits",
        _("Benefits"),
        (
            Link(
                "benefits:claim_list",
                _("Claims"),
                ALL_ROLES,
                _("Benefit claims: file them and follow each step."),
            ),
            Link(
                "benefits:simulator",
                _("Benefit simulator"),
                ALL_ROLES,
                _("What a worker pays each month and what the family would receive."),
            ),
        ),
    ),
    Section(
        "compliance",
        _("Compliance"),
        (
            Link(
                "compliance:dashboard",
                _("Compliance findings"),
                COMPLIANCE_READERS,
                _("Employers not registered or registered only in part, and their cases."),
            ),
            Link("compliance:review", _("Review queue"), COMPLIANCE_CASE_WORKERS),
        ),
    ),
)


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _current(urls: Iterable[str], path: str) -> str | None:
    """The link for the page shown: the longest link URL the path starts with ("/" only on itself)."""
    matches = [url for url in urls if path == url or (url != "/" and path.startswith(url))]
    return max(matches, key=len, default=None)


def menu_for(role: str, *, path: str = "") -> list[dict[str, Any]]:
    """The menu sections the role may use, each with its links (url, label, current), empty ones left out."""
    allowed = [
        (
            section,
            [(link, url) for link in section.links if role in link.roles and (url := _url(link.url_name))],
        )
        for section in MENU
    ]
    current = _current((url for _section, links in allowed for _link, url in links), path)
    sections: list[dict[str, Any]] = []
    for section, links in allowed:
        if not links:
            continue
        items = [{"url": url, "label": link.label, "current": url == current} for link, url in links]
        sections.append(
            {
                "key": section.key,
                "label": section.label,
                "links": items,
                "current": any(item["current"] for item in items),
            }
        )
    return sections


def shortcuts_for(role: str) -> list[dict[str, Any]]:
    """The home page's pointers to the pages beyond the registry, with one line on each."""
    out: list[dict[str, Any]] = []
    for link in _links_with_hints():
        url = _url(link.url_name) if role in link.roles else None
        if url is not None:
            out.append({"url": url, "label": link.label, "hint": link.hint})
    return out


def _links_with_hints() -> Iterable[Link]:
    return (link for section in MENU for link in section.links if link.hint is not None)
