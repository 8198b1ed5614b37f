"""JKP: job-loss cash benefit (PP 37/2021, amended by PP 6/2025 from 7 Feb 2025).

The wage is the last one reported to BPJS, capped at Rp5,000,000. Dismissals before 7 Feb 2025:
45 % for 3 months then 25 % for 3 months; from 7 Feb 2025: 60 % for 6 months (at most Rp18,000,000).
The version follows the date of the dismissal (event_date).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cakupan.rules.benefits.answer import Answer
from cakupan.rules.benefits.inputs import Event, Reader, add_months, calendar_months, full_years
from cakupan.rules.benefits.tables import BenefitTables, Version
from cakupan.rules.money import rupiah


def jkp_compute(reader: Reader, tables: BenefitTables, event: Event) -> Answer:
    wage = reader.integer("monthly_wage", required=True, minimum=1)
    months = reader.integer("contribution_months", minimum=0)
    born = reader.date("birth_date")
    claim_date = reader.date("claim_date")
    reader.within(
        "contribution_months",
        months,
        calendar_months(event.membership_start, event.event_date) + 1,
        "calendar months of membership up to the event",
    )
    if claim_date is not None and claim_date < event.event_date:
        reader.error("claim_date", "The claim cannot be before the dismissal.")
    if born is not None and born >= event.membership_start:
        reader.error("birth_date", "The birth date must be before the membership started.")
    reader.check()
    assert wage is not None
    ans = Answer(event.benefit)
    version = tables.version("jkp", event.event_date)
    if version is None:
        ans.refuse(
            f"JKP began on {tables.first_valid_from('jkp').isoformat()} (PP 37/2021); no JKP before it."
        )
        return ans
    ans.follow(tables, version, event.event_date)
    ans.attach_documents(tables, "JKP")
    _eligibility(ans, tables, version, event, months=months, born=born, claim_date=claim_date)
    cap, tiers = version.cited("wage_cap"), version.cited("cash_tiers")
    base = min(wage, int(cap.value))
    monthly: list[int] = []
    for count, percent in tiers.value:
        monthly += [rupiah(Decimal(base) * Decimal(percent) / Decimal(100))] * int(count)
    ans.details.update({"wage_used": base, "monthly_amounts": monthly})
    ans.add(
        "cash",
        sum(monthly),
        rule=f"{version.name} Pasal 21: "
        + ", then ".join(f"{p}% for {c} months" for c, p in tiers.value)
        + f" of the wage capped at Rp{cap.value:,}",
        cited=[cap, tiers],
        monthly=monthly,
    )
    return ans


def _eligibility(
    ans: Answer,
    tables: BenefitTables,
    version: Version,
    event: Event,
    *,
    months: int | None,
    born: dt.date | None,
    claim_date: dt.date | None,
) -> None:
    minimum = version.cited("min_contribution_months")
    needed = int(ans.use(minimum))
    # Contributions to JKP could only be paid from the day the programme began.
    since = max(event.membership_start, tables.first_valid_from("jkp"))
    possible = max(0, calendar_months(since, event.event_date))
    if months is None:
        if possible < needed:
            ans.refuse(
                f"At most {possible} months of JKP contributions before the dismissal; {needed} needed."
            )
        else:
            ans.reasons.append(
                f"Assumes at least {needed} months of contributions in the last 24, 6 of them consecutive; "
                "give contribution_months to check."
            )
    elif months < needed:
        ans.refuse(f"{months} months of contributions; at least {needed} within 24 months are needed.")
    age_limit = version.cited("max_registration_age")
    if born is not None:
        age = full_years(born, event.membership_start)
        if age >= int(ans.use(age_limit)):
            ans.refuse(f"Registered at age {age}; JKP requires registration before {age_limit.value}.")
    if claim_date is not None:
        window = version.cited("claim_window_months")
        deadline = add_months(event.event_date, int(ans.use(window)))
        if claim_date > deadline:
            ans.refuse(
                f"The claim deadline was {deadline.isoformat()} ({window.value} months after the dismissal)."
            )
    ans.reasons.append(
        "Not paid after resignation, total disability, retirement, death, "
        "or a fixed-term contract ending on schedule."
    )
