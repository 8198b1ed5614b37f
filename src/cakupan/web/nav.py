"""The header's main menu and the home page's shortcuts: which pages each user may open.

Each link names the permission its page checks (accounts.access.permission_required), and the menu asks
accounts whether the user holds it, so a link is shown exactly when the page would not answer 403. A URL
name that does not resolve (an app not installed in this deployment) drops its link instead of breaking
every page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, permissions_of


@dataclass(frozen=True)
class Link:
    url_name: str
    label: Promise
    perm: Perm | None  # None: every signed-in user with a role (the home page, the public simulator)
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
            Link("home", _("Home"), None),
            Link("search", _("Search"), Perm.PERSON_SEARCH),
            Link("registry:employer_list", _("Employers"), Perm.EMPLOYER_READ),
            Link("registry:person_list", _("Persons"), Perm.PERSON_READ),
            Link("registry:employment_list", _("Employment"), Perm.EMPLOYMENT_READ),
            Link("registry:membership_list", _("Memberships"), Perm.MEMBERSHIP_READ),
            Link(
                "own_record",
                _("My contributions"),
                Perm.OWN_RECORD,
                _("Your contributions month by month, your JHT balance estimate and your JP months."),
            ),
            Link(
                "cards:mine",
                _("My card"),
                Perm.CARD_MINE,
                _("Your digital membership card, with a QR code anyone can check."),
            ),
        ),
    ),
    Section(
        "contributions",
        _("Contributions"),
        (
            Link(
                "contributions:bill_list",
                _("Bills"),
                Perm.BILL_READ,
                _("Monthly contribution bills and what is still outstanding."),
            ),
            Link(
                "contributions:account_list",
                _("Payer accounts"),
                Perm.BILL_READ,
                _("Payer accounts: statements, payments and credit."),
            ),
            Link(
                "contributions:arrears",
                _("Arrears"),
                Perm.ARREARS_READ,
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
                Perm.ROSTER_UPLOAD,
                _("Upload a roster of workers (XLSX or CSV) and read the report row by row."),
            ),
            Link(
                "enrolment:review_list",
                _("Held roster rows"),
                Perm.LINK_REVIEW,
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
                Perm.COVERAGE_READ,
                _("Coverage rate of the workforce, by region, segment and sector."),
            ),
            Link(
                "coverage_targets",
                _("Coverage targets"),
                Perm.COVERAGE_READ,
                _("Targets for the year and the forecast to December."),
            ),
            Link(
                "coverage_planner",
                _("Gap and budget planner"),
                Perm.COVERAGE_PLAN,
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
                Perm.CLAIM_READ,
                _("Benefit claims: file them and follow each step."),
            ),
            Link(
                "benefits:simulator",
                _("Benefit simulator"),
                None,  # public
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
                Perm.COMPLIANCE_READ,
                _("Employers not registered or registered only in part, and their cases."),
            ),
            Link("compliance:review", _("Review queue"), Perm.COMPLIANCE_ENFORCE),
        ),
    ),
    Section(
        "sponsorship",
        _("Sponsored coverage"),
        (
            Link(
                "sponsorship:list",
                _("Sponsors and their money"),
                Perm.SPONSORSHIP_READ,
                _("Funded periods, runway, alerts and candidate lists of each sponsor."),
            ),
        ),
    ),
    Section(
        "outreach",
        _("Outreach"),
        (
            Link(
                "outreach:list",
                _("Outreach events"),
                Perm.OUTREACH_READ,
                _("Socialisation events, their QR sign-ups and who became a member."),
            ),
            Link("outreach:funnel", _("Outreach funnel"), Perm.OUTREACH_READ),
        ),
    ),
    Section(
        "agreements",
        _("Cooperation agreements"),
        (
            Link(
                "partners:list",
                _("Agreements (PKS)"),
                Perm.AGREEMENT_READ,
                _("Agreements with partner agencies: obligations, documents and KPIs against the data."),
            ),
        ),
    ),
    Section(
        "field",
        _("Field agents"),
        (
            Link(
                "field:agents",
                _("Agents"),
                Perm.AGENT_MANAGE,
                _("Register, approve and suspend the branch's field agents."),
            ),
            Link("field:conflicts", _("Field conflicts"), Perm.FIELD_REVIEW),
            Link(
                "field:deposits",
                _("Agents' deposits"),
                Perm.FIELD_REVIEW,
                _("Cash collected by agents against cash deposited, month by month."),
            ),
            Link("field:statements", _("Commission statements"), Perm.FIELD_REVIEW),
            Link(
                "field:anomalies",
                _("Field anomalies"),
                Perm.FIELD_REVIEW,
                _("Early claims after enrolment, members lapsing after one payment, repeated captures."),
            ),
            Link(
                "field:my_members",
                _("My members"),
                Perm.FIELD_OWN,
                _("The workers you enrolled."),
            ),
            Link(
                "field:my_collections",
                _("My collections"),
                Perm.FIELD_OWN,
                _("The cash you collected and its receipts."),
            ),
            Link(
                "field:my_statement",
                _("My commission"),
                Perm.FIELD_OWN,
                _("Your commission statement for the month."),
            ),
        ),
    ),
    Section(
        "fieldapp",
        None,
        (
            Link(
                "fieldapp:shell",
                _("Field app"),
                Perm.FIELD_SYNC,
                _("Enrol workers and record cash on your phone, also without signal; sync when back online."),
            ),
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


def _shown(link: Link, perms: frozenset[Perm]) -> bool:
    # A link for everyone is still not shown to an account with no permission at all (no role, or a role
    # missing the object it is scoped to): such an account gets no menu.
    return link.perm in perms if link.perm is not None else bool(perms)


def menu_for(who: Any, *, path: str = "") -> list[dict[str, Any]]:
    """The menu sections the user (or Scope) may use, each with its links (url, label, current), empty
    ones left out."""
    perms = permissions_of(who)
    allowed = [
        (
            section,
            [(link, url) for link in section.links if _shown(link, perms) and (url := _url(link.url_name))],
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


def shortcuts_for(who: Any) -> list[dict[str, Any]]:
    """The home page's pointers to the pages beyond the registry, with one line on each."""
    perms = permissions_of(who)
    out: list[dict[str, Any]] = []
    for link in _links_with_hints():
        url = _url(link.url_name) if _shown(link, perms) else None
        if url is not None:
            out.append({"url": url, "label": link.label, "hint": link.hint})
    return out


def _links_with_hints() -> Iterable[Link]:
    return (link for section in MENU for link in section.links if link.hint is not None)
