"""Eligibility rules as pure functions over plain facts (no queries): each returns one `Check`.

The facts (memberships, paid months, the employer's standing) are gathered by eligibility/facts.py; the
numbers come from rules/tables/benefits.toml (`Cited`) and rules/tables/eligibility.toml (`Sourced`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from cakupan.rules.benefits.inputs import add_months, full_years
from cakupan.rules.benefits.tables import Cited
from cakupan.rules.eligibility import JkpContributions, JkpProgrammes, JkpReasons
from cakupan.rules.period import Period
from cakupan.rules.sourced import CONFIDENCE_TAGS, Sourced, Validity

PASS, FAIL, UNKNOWN, NOTE = "pass", "fail", "unknown", "note"
_LETTER = {word: letter for letter, word in CONFIDENCE_TAGS.items()}


@dataclass(frozen=True)
class Check:
    """One condition: `status` pass | fail | unknown (could not be decided from the data) | note."""

    code: str
    status: str
    message: str
    rule: str = ""
    confidence: str = "C"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def decision(checks: Iterable[Check]) -> str:
    """eligible, not_eligible (a condition failed) or needs_review (one could not be decided)."""
    statuses = {c.status for c in checks}
    if FAIL in statuses:
        return "not_eligible"
    return "needs_review" if UNKNOWN in statuses else "eligible"


def _letter(item: Sourced[Any] | Validity) -> str:
    return _LETTER[item.source.confidence]


# --- membership ---------------------------------------------------------------------------------------


def programme_check(*, programmes: Iterable[str], required: str, event_date: dt.date) -> Check:
    held = sorted(set(programmes))
    if not held:
        return Check("membership", FAIL, f"No membership was active on {event_date.isoformat()}.")
    if required not in held:
        return Check(
            "membership",
            FAIL,
            f"The membership active on {event_date.isoformat()} covers {', '.join(held)}, not {required}.",
        )
    return Check("membership", PASS, f"Active on {event_date.isoformat()} in {', '.join(held)}.")


# --- contributions -------------------------------------------------------------------------------------


def window_before(event_date: dt.date, months: int) -> list[Period]:
    """The `months` contribution months before the event's month (the event's own month is not whole)."""
    last = Period.of(event_date).shift(-1)
    return [last.shift(-i) for i in range(months - 1, -1, -1)]


def longest_run(periods: Iterable[Period]) -> int:
    """The longest run of consecutive months."""
    best = run = 0
    previous: Period | None = None
    for period in sorted(set(periods)):
        run = run + 1 if previous is not None and previous.shift(1) == period else 1
        best = max(best, run)
        previous = period
    return best


def jkp_contributions_check(
    *, paid: Iterable[Period], billed_any: bool, event_date: dt.date, rule: JkpContributions | None
) -> Check:
    if rule is None:
        return Check("jkp_contributions", FAIL, "No JKP contribution rule before JKP began (2 Feb 2021).")
    months = window_before(event_date, rule.window_months.value)
    inside = set(paid) & set(months)
    count, run = len(inside), longest_run(inside)
    need, need_run = rule.min_paid_months.value, rule.min_consecutive_months.value
    cite, conf = rule.validity.source.citation, _letter(rule.validity)
    where = f"{months[0]} to {months[-1]}"
    if not billed_any:
        return Check(
            "jkp_contributions",
            UNKNOWN,
            f"No contribution records for {where}; {need} paid months ({need_run} consecutive) to verify.",
            cite,
            conf,
        )
    ok = count >= need and run >= need_run
    return Check(
        "jkp_contributions",
        PASS if ok else FAIL,
        f"{count} months paid from {where}, longest run {run}; at least {need} with {need_run} "
        "consecutive are needed.",
        cite,
        conf,
    )


def jp_months_check(*, paid_months: int, billed_any: bool, minimum: Cited) -> Check:
    need = int(minimum.value)
    if not billed_any:
        return Check(
            "jp_months",
            UNKNOWN,
            "No contribution records to count JP months.",
            minimum.source,
            minimum.confidence,
        )
    if paid_months >= need:
        message = f"{paid_months} JP months paid: a monthly pension ({need} months or more)."
    else:
        message = f"{paid_months} JP months paid, fewer than {need}: the benefit is a lump sum."
    return Check("jp_months", NOTE, message, minimum.source, minimum.confidence)


def employer_first_check(*, behind: bool, months_behind: int, rule: str, employer: str) -> Check:
    """rules.md §4 (PP 44/2015): an employer more than 3 months in arrears at the accident pays the JKK
    benefits itself first; BPJS reimburses it after the arrears and fines are settled."""
    if behind:
        return Check(
            "employer_pays_first",
            NOTE,
            f"{employer} was {months_behind} months in arrears at the accident: it pays the JKK benefits "
            "first and is reimbursed by BPJS after settling its arrears and fines.",
            rule,
        )
    return Check("employer_pays_first", PASS, f"{employer} was not more than 3 months in arrears.", rule)


# --- JKP ---------------------------------------------------------------------------------------------


def citizen_check(*, citizenship: str) -> Check:
    ok = citizenship == "WNI"
    return Check(
        "jkp_citizen",
        PASS if ok else FAIL,
        "Indonesian citizen." if ok else "JKP is for Indonesian citizens (WNI) only.",
        "PP 37/2021 Pasal 4 ayat 1",
    )


def registration_age_check(*, birth_date: dt.date, registered_on: dt.date, limit: Cited) -> Check:
    age = full_years(birth_date, registered_on)
    ok = age < int(limit.value)
    return Check(
        "jkp_registration_age",
        PASS if ok else FAIL,
        f"Registered at age {age}; JKP requires registration before {limit.value}.",
        limit.source,
        limit.confidence,
    )


def jkp_programmes_check(*, size_class: str, programmes: Iterable[str], rule: JkpProgrammes | None) -> Check:
    if rule is None:
        return Check("jkp_programmes", FAIL, "JKP did not exist yet.")
    needed = rule.by_size.get(size_class, ())
    missing = [p for p in needed if p not in set(programmes)]
    cite, conf = rule.validity.source.citation, _letter(rule.validity)
    if missing:
        return Check(
            "jkp_programmes",
            FAIL,
            f"A {size_class} employer must enrol its workers in {', '.join(needed)}; missing: "
            f"{', '.join(missing)}.",
            cite,
            conf,
        )
    return Check(
        "jkp_programmes",
        PASS,
        f"Enrolled in {', '.join(needed)} as a {size_class} employer must.",
        cite,
        conf,
    )


def end_reason_check(*, reason: str | None, rule: JkpReasons | None) -> Check:
    if rule is None:
        return Check("jkp_reason", FAIL, "JKP did not exist yet.")
    cite, conf = rule.validity.source.citation, _letter(rule.validity)
    if not reason:
        return Check("jkp_reason", UNKNOWN, "How the job ended was not given.", cite, conf)
    if reason in rule.excluded:
        return Check(
            "jkp_reason", FAIL, f"No JKP when the job ends by {reason.replace('_', ' ')}.", cite, conf
        )
    return Check("jkp_reason", PASS, f"Job ended by {reason.replace('_', ' ')}.", cite, conf)


def claim_window_check(*, event_date: dt.date, claim_date: dt.date, months: Cited, rule_name: str) -> Check:
    deadline = add_months(event_date, int(months.value))
    ok = claim_date <= deadline
    return Check(
        "claim_window",
        PASS if ok else FAIL,
        f"Claimed on {claim_date.isoformat()}; the deadline under {rule_name} is {deadline.isoformat()} "
        f"({months.value} months after the event).",
        months.source,
        months.confidence,
    )


# --- wage ----------------------------------------------------------------------------------------------


def wage_check(*, reported: int | None, compliance_wage: int | None) -> Check:
    """The benefit base is the last wage the employer reported; a lower figure than a wage known from
    compliance data (labour inspection, tax) suggests under-reporting (PDS Upah), which the branch should
    pursue before paying: the worker's benefit would be too low."""
    if reported is None:
        return Check("wage", UNKNOWN, "No reported wage on record.")
    if compliance_wage is not None and compliance_wage > reported:
        return Check(
            "wage",
            NOTE,
            f"Reported wage Rp{reported:,} is below the wage in compliance data (Rp{compliance_wage:,}): "
            "possible under-reporting; the benefit is computed on the reported wage.",
            "rules.md §2.1 (wage = basic wage + fixed allowances)",
        )
    return Check(
        "wage",
        PASS,
        f"Benefit base: the last reported wage, Rp{reported:,}.",
        "rules.md §2.1 (wage = basic wage + fixed allowances)",
    )
