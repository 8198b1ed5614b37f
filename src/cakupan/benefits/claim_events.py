"""What happened, in plain words, and the benefit a claim for it asks for.

A worker on a phone does not know "JKK_STMB" or "JHT claim reason RESIGNATION"; they know they resigned,
retired, had an accident at work or lost their job. Each event names the benefit, what it fixes in the
claim's details (the JHT claim reason), and what the calculator still needs from the claimant (months
unable to work, the disability percent...). The documents to bring come from the benefit tables
(`rules/tables/benefits.toml`), the same list the claim's checklist is made from.

Death events are filed by an heir at the counter (branch staff), never from the member's own account.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cakupan.rules.benefits import default_tables


@dataclass(frozen=True)
class ClaimEventKind:
    code: str
    label: Promise
    benefit: str
    # Details the event itself decides (JHT's claim reason), passed to the calculator unchanged.
    fixed: dict[str, Any] = field(default_factory=dict)
    # Form fields the claimant must fill for this event, then those they may fill.
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    heir: bool = False  # the member died: an heir claims
    # The same event as staff or HR read it when filing for someone else ("The member resigned...").
    office_label: Promise | None = None

    def label_for(self, *, own_claim: bool) -> Promise:
        return self.label if own_claim or self.office_label is None else self.office_label

    def documents(self) -> list[str]:
        """The checklist the claim will carry (benefit_compute attaches the same lists)."""
        tables = default_tables()
        items = list(tables.documents(self.benefit)[0])
        reason = self.fixed.get("claim_reason")
        if reason:
            items += [d for d in tables.documents(f"JHT_{reason}")[0] if d not in items]
        return items


JHT_BALANCE = ("balance",)
ACCIDENT = ("medical_cost",)

EVENTS: tuple[ClaimEventKind, ...] = (
    ClaimEventKind(
        "resigned",
        _("I resigned from my job: pay out my old-age savings (JHT)"),
        "JHT",
        {"claim_reason": "RESIGNATION"},
        optional=JHT_BALANCE,
        office_label=_("The member resigned: pay out the old-age savings (JHT)"),
    ),
    ClaimEventKind(
        "dismissed",
        _("I was dismissed: pay out my old-age savings (JHT)"),
        "JHT",
        {"claim_reason": "DISMISSAL"},
        optional=JHT_BALANCE,
        office_label=_("The member was dismissed: pay out the old-age savings (JHT)"),
    ),
    ClaimEventKind(
        "lost_job",
        _("I lost my job: job-loss benefit (JKP)"),
        "JKP",
        required=("end_reason",),
        office_label=_("The member lost their job: job-loss benefit (JKP)"),
    ),
    ClaimEventKind(
        "retired",
        _("I reached retirement age: my old-age savings (JHT)"),
        "JHT",
        {"claim_reason": "PENSION_AGE"},
        optional=JHT_BALANCE,
        office_label=_("The member reached retirement age: old-age savings (JHT)"),
    ),
    ClaimEventKind(
        "pension",
        _("I reached retirement age: my pension (JP)"),
        "JP",
        office_label=_("The member reached retirement age: pension (JP)"),
    ),
    ClaimEventKind(
        "leaving",
        _("I am leaving Indonesia for good: my old-age savings (JHT)"),
        "JHT",
        {"claim_reason": "LEAVING_INDONESIA"},
        optional=JHT_BALANCE,
        office_label=_("The member leaves Indonesia for good: old-age savings (JHT)"),
    ),
    ClaimEventKind(
        "housing",
        _("Part of my old-age savings for a house (30 %, after 10 years)"),
        "JHT",
        {"claim_reason": "PARTIAL_HOUSING"},
        optional=JHT_BALANCE,
        office_label=_("Part of the old-age savings for a house (30 %, after 10 years)"),
    ),
    ClaimEventKind(
        "partial_other",
        _("Part of my old-age savings for other needs (10 %, after 10 years)"),
        "JHT",
        {"claim_reason": "PARTIAL_OTHER"},
        optional=JHT_BALANCE,
        office_label=_("Part of the old-age savings for other needs (10 %, after 10 years)"),
    ),
    ClaimEventKind(
        "accident_unable",
        _("An accident at work: I cannot work for a while"),
        "JKK_STMB",
        required=("months_unable",),
        optional=ACCIDENT,
        office_label=_("An accident at work: the member cannot work for a while"),
    ),
    ClaimEventKind(
        "accident_partial",
        _("An accident at work left me partly disabled"),
        "JKK_PARTIAL_DISABILITY",
        required=("disability_percent",),
        optional=ACCIDENT,
        office_label=_("An accident at work left the member partly disabled"),
    ),
    ClaimEventKind(
        "accident_total",
        _("An accident at work left me totally disabled"),
        "JKK_TOTAL_DISABILITY",
        optional=("children", *ACCIDENT),
        office_label=_("An accident at work left the member totally disabled"),
    ),
    ClaimEventKind(
        "scholarship",
        _("A school year of my children after my total disability at work: their scholarship"),
        "SCHOLARSHIP",
        required=("school_levels",),
        office_label=_("The children's scholarship (after the member's death or total disability)"),
    ),
    ClaimEventKind(
        "death",
        _("The member died (illness or any cause other than work)"),
        "JKM",
        optional=("children",),
        heir=True,
    ),
    ClaimEventKind(
        "death_accident",
        _("The member died in an accident at work"),
        "JKK_DEATH",
        optional=("children",),
        heir=True,
    ),
    ClaimEventKind(
        "death_jht",
        _("The member died: their old-age savings (JHT) for the heirs"),
        "JHT",
        {"claim_reason": "DEATH"},
        optional=JHT_BALANCE,
        heir=True,
    ),
)
BY_CODE = {event.code: event for event in EVENTS}
# The detail fields an event may ask for; the form has one input for each.
DETAIL_INPUTS = (
    "months_unable",
    "disability_percent",
    "end_reason",
    "children",
    "school_levels",
    "balance",
    "medical_cost",
)


def events_for(*, own_claim: bool) -> tuple[ClaimEventKind, ...]:
    """The events offered: a member filing their own claim is alive, so no death events."""
    return tuple(e for e in EVENTS if not (own_claim and e.heir))


def event_of(benefit: str, details: dict[str, Any]) -> ClaimEventKind | None:
    """The plain event a filed claim stands for (for its page), when one matches."""
    for event in EVENTS:
        if event.benefit == benefit and all(details.get(k) == v for k, v in event.fixed.items()):
            return event
    return None
