"""Scholarship for the participant's children (beasiswa pendidikan anak).

PP 82/2019 + Permenaker 5/2021: up to 2 children, a yearly amount per school level, paid when the participant
died after at least 3 years of membership, or died or became totally disabled from a work accident (then no
minimum). It ends when the child turns 23, marries or starts working. Before PP 82/2019 (PP 44/2015) it was a
flat Rp12,000,000 per participant after 5 years of membership.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cakupan.rules.benefits.answer import SCHOLARSHIP, Answer
from cakupan.rules.benefits.inputs import Event, Reader, full_years, read_paid_months
from cakupan.rules.benefits.tables import BenefitTables, Cited, Version

LEVELS = ("TK", "SD", "SMP", "SMA", "PT")


@dataclass(frozen=True)
class Child:
    level: str
    birth_date: dt.date | None = None
    married: bool = False
    working: bool = False
    years_received: int = 0


# The minimum period is one of contributions (masa iur), not of calendar membership: a gap in payments
# does not count (issue 18 review of PP 82/2019; background).
PAID_MONTHS_RULE = Cited(
    "scholarship.minimum_counts_paid_months",
    "contribution months paid (masa iur)",
    "B",
    "PP 82/2019: the minimum membership period is counted in contribution months paid (masa iur)",
)


def qualifies(
    ans: Answer, version: Version, event: Event, *, work_accident: bool, paid_months: int | None = None
) -> bool:
    """Whether the participant's death (or work-accident total disability) opens the scholarship. With
    `paid_months` the minimum is counted in months paid; without it, in calendar years of membership (which
    cannot see a gap in payments: the answer says so)."""
    if work_accident and ans.use(version.cited("work_accident")):
        return True
    minimum = int(ans.use(version.cited("min_membership_years")))
    if paid_months is not None:
        ans.use(PAID_MONTHS_RULE)
        ans.details["scholarship_paid_months"] = paid_months
        if paid_months >= 12 * minimum:
            return True
        ans.reasons.append(
            f"No scholarship: {paid_months} contribution months paid, {12 * minimum} needed "
            f"({minimum} years, {version.name}), and the event was not a work accident."
        )
        return False
    years = full_years(event.membership_start, event.event_date)
    if years >= minimum:
        ans.reasons.append(
            f"Scholarship minimum counted as {years} calendar years of membership; the months actually paid "
            "were not given, so a gap in payments is not seen."
        )
        return True
    ans.reasons.append(
        f"No scholarship: {years} full years of membership, {minimum} needed ({version.name}), "
        "and the event was not a work accident."
    )
    return False


def per_child_maximum(version: Version) -> tuple[int, list[Cited]]:
    """Most one child can receive over all school years (Rp87,000,000 under PP 82/2019)."""
    cited = [level_cited(version, level) for level in LEVELS]
    levels: Mapping[str, Any] = version.data["levels"]
    return sum(int(levels[lv]["amount"]) * int(levels[lv]["max_years"]) for lv in LEVELS), cited


def level_cited(version: Version, level: str) -> Cited:
    entry = version.data["levels"][level]
    value = {"amount": entry["amount"], "max_years": entry["max_years"]}
    return Cited(f"scholarship[{version.name}].levels.{level}", value, entry["confidence"], entry["source"])


def scholarship_entitlement(
    ans: Answer,
    tables: BenefitTables,
    event: Event,
    *,
    children: int | None,
    work_accident: bool,
    paid_months: int | None = None,
) -> None:
    """Fill the answer's `scholarship` block for a death or total-disability benefit."""
    version = tables.version("scholarship", event.event_date)
    if version is None:
        return
    if not qualifies(ans, version, event, work_accident=work_accident, paid_months=paid_months):
        return
    if not children:
        ans.reasons.append("No scholarship: no children given.")
        return
    if version.mode == "flat":
        maximum = int(ans.use(version.cited("flat_amount")))
    else:
        per_child, cited = per_child_maximum(version)
        for item in cited:
            ans.use(item)
        maximum = per_child * min(children, int(ans.use(version.cited("max_children"))))
    ans.scholarship = {"eligible": True, "max_total": maximum}
    ans.attach_documents(tables, "SCHOLARSHIP")


def read_children(reader: Reader) -> list[Child]:
    raw = reader.payload.get("school_levels")
    if raw is None:
        reader.error("school_levels", "This field is required.")
        return []
    if not isinstance(raw, list) or not raw:
        reader.error("school_levels", "Give a list with the school level of each child.")
        return []
    children = []
    for index, item in enumerate(raw):
        child = _read_child(reader, item, index)
        if child is not None:
            children.append(child)
    return children


def _read_child(reader: Reader, item: Any, index: int) -> Child | None:
    """A child is a level ("SD"), or {"level", "birth_date", "married", "working", "years_received"}."""
    name = f"school_levels[{index}]"
    if isinstance(item, str):
        item = {"level": item}
    if not isinstance(item, Mapping):
        reader.error("school_levels", f"{name}: give a level or an object with a level.")
        return None
    sub = Reader(item)
    level = sub.choice("level", LEVELS, required=True)
    born = sub.date("birth_date")
    married = sub.boolean("married")
    working = sub.boolean("working")
    received = sub.integer("years_received", minimum=0) or 0
    for field_name, message in sub.errors:
        reader.error("school_levels", f"{name}.{field_name}: {message}")
    if level is None or sub.errors:
        return None
    return Child(level, born, married, working, received)


def scholarship_compute(reader: Reader, tables: BenefitTables, event: Event) -> Answer:
    """SCHOLARSHIP: the amount for one school year, for the first two children listed."""
    children = read_children(reader)
    work_accident = reader.boolean("work_accident")
    count = reader.integer("children", minimum=0, maximum=50)
    paid_months = read_paid_months(reader, event)
    claim_date = reader.date("claim_date")
    if claim_date is not None and claim_date < event.event_date:
        reader.error("claim_date", "The claim cannot be before the event.")
    version = tables.version("scholarship", event.event_date)
    if version is None:
        first = tables.first_valid_from("scholarship").isoformat()
        reader.error("event_date", f"No rule table covers events before {first}.")
    reader.check()
    assert version is not None
    ans = Answer(event.benefit)
    ans.follow(tables, version, event.event_date)
    ans.attach_documents(tables, "SCHOLARSHIP")
    if not qualifies(ans, version, event, work_accident=work_accident, paid_months=paid_months):
        ans.eligible = False
        return ans
    if version.mode == "flat":
        # PP 44/2015: one amount per participant, whatever the number of children.
        flat = version.cited("flat_amount")
        ans.add(
            SCHOLARSHIP, int(flat.value), rule=f"{version.name}: scholarship per participant", cited=[flat]
        )
        ans.scholarship = {"eligible": True, "max_total": int(flat.value)}
        return ans
    limit = int(ans.use(version.cited("max_children")))
    on = claim_date or event.event_date
    paid, breakdown, cited = 0, [], []
    for position, child in enumerate(children[:limit], start=1):
        stop = _ended(ans, version, child, on)
        entry = level_cited(version, child.level)
        amount = 0 if stop else int(entry.value["amount"])
        if stop:
            ans.reasons.append(f"Child {position} ({child.level}): {stop}")
        paid += amount
        cited.append(entry)
        breakdown.append({"child": position, "level": child.level, "amount": amount})
    if len(children) > limit:
        ans.reasons.append(
            f"Only the first {limit} children listed are paid; {len(children) - limit} left out."
        )
    if paid == 0:
        ans.refuse("No child listed can receive the scholarship this school year.")
        return ans
    ans.add(
        SCHOLARSHIP,
        paid,
        rule=f"{version.name}; Permenaker 5/2021: yearly amount per school level, up to {limit} children",
        cited=cited,
        children=breakdown,
    )
    per_child, level_values = per_child_maximum(version)
    for item in level_values:
        ans.use(item)
    ans.scholarship = {"eligible": True, "max_total": per_child * min(count or len(children), limit)}
    return ans


def _ended(ans: Answer, version: Version, child: Child, on: dt.date) -> str | None:
    """Why this child's scholarship has ended, or None (Permenaker 5/2021: age 23, marriage, work)."""
    end_age = int(ans.use(version.cited("end_age")))
    if child.birth_date is not None and full_years(child.birth_date, on) >= end_age:
        return f"turned {end_age}, the scholarship has ended."
    if child.married:
        return "married, the scholarship has ended."
    if child.working:
        return "works, the scholarship has ended."
    max_years = int(version.data["levels"][child.level]["max_years"])
    if child.years_received >= max_years:
        return f"already received the {max_years} years paid at {child.level}."
    return None
