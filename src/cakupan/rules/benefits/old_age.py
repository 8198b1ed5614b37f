"""JHT: old-age savings (PP 46/2015 jo. PP 60/2015; claims under Permenaker 4/2022).

The balance is the contributions (3.7 % employer + 2 % worker) plus the yearly declared returns; give it as
`balance` (from the BPJS statement) or let it be projected from `monthly_wage`. It is paid in full on a claim
trigger: pension age, total disability, death, leaving Indonesia for good, or, after a 1-month wait,
resignation or dismissal. One partial withdrawal while still working, after 10 years of membership: at most
30 % for housing or 10 % for other needs (PP 60/2015): the amount asked (`amount_requested`) up to that
limit, or the limit when no amount is asked.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cakupan.rules.benefits.answer import Answer
from cakupan.rules.benefits.inputs import (
    Event,
    Reader,
    add_months,
    calendar_months,
    full_years,
    read_paid_months,
)
from cakupan.rules.benefits.tables import BenefitTables, Cited, Version
from cakupan.rules.money import rupiah

REASONS = (
    "PENSION_AGE",
    "TOTAL_DISABILITY",
    "DEATH",
    "RESIGNATION",
    "DISMISSAL",
    "LEAVING_INDONESIA",
    "PARTIAL_HOUSING",
    "PARTIAL_OTHER",
)
WAITING = ("RESIGNATION", "DISMISSAL")
PARTIAL = {"PARTIAL_HOUSING": "partial_housing_percent", "PARTIAL_OTHER": "partial_other_percent"}


def jht_compute(reader: Reader, tables: BenefitTables, event: Event) -> Answer:
    reason = reader.choice("claim_reason", REASONS, required=True)
    balance = reader.integer("balance", minimum=0)
    wage = reader.integer("monthly_wage", minimum=1)
    if balance is None and reader.payload.get("monthly_wage") is None:
        reader.error("balance", "Give the balance, or monthly_wage to project it from contributions.")
    months = read_paid_months(reader, event)
    claim_date = reader.date("claim_date")
    if claim_date is not None and claim_date < event.event_date:
        reader.error("claim_date", "The claim cannot be before the event.")
    born = reader.date("birth_date")
    if born is not None and born >= event.membership_start:
        reader.error("birth_date", "The birth date must be before the membership started.")
    earlier_partial = reader.boolean("previous_partial_withdrawal")
    requested = reader.integer("amount_requested", minimum=1)
    if requested is not None and reason is not None and reason not in PARTIAL:
        reader.error("amount_requested", "Only for a partial withdrawal (PARTIAL_HOUSING, PARTIAL_OTHER).")
    version = tables.version("jht", event.event_date)
    if version is None:
        reader.error("event_date", f"No rule table covers events before {tables.first_valid_from('jht')}.")
    reader.check()
    assert version is not None
    assert reason is not None
    ans = Answer(event.benefit)
    ans.follow(tables, version, event.event_date)
    ans.attach_documents(tables, "JHT")
    ans.attach_documents(tables, f"JHT_{reason}")
    ans.details["claim_reason"] = reason
    cited: list[Cited] = []
    if balance is None:
        assert wage is not None
        balance, cited = project_balance(ans, tables, version, event, wage=wage, months=months)
    ans.details["balance"] = balance
    if not _trigger(ans, version, event, reason, claim_date=claim_date, born=born, earlier=earlier_partial):
        return ans
    if reason in PARTIAL:
        # PP 60/2015: "paling banyak" 30 % (housing) or 10 % (other needs): a limit, not a fixed payment.
        rate = version.cited(PARTIAL[reason])
        limit = rupiah(Decimal(balance) * Decimal(rate.value) / Decimal(100))
        amount = limit if requested is None else min(requested, limit)
        ans.details["partial_limit"] = limit
        ans.details["amount_requested"] = requested
        ans.details["remaining_balance"] = balance - amount
        if requested is None:
            ans.reasons.append(f"No amount asked: the limit of {rate.value}% of the balance is shown.")
        elif requested > limit:
            ans.reasons.append(
                f"The amount asked (Rp{requested:,}) is above the limit of {rate.value}% of the balance "
                f"(Rp{limit:,}); the limit is paid."
            )
        else:
            ans.reasons.append(f"The amount asked is paid; it is within the limit of Rp{limit:,}.")
        rule = f"{version.name}: partial withdrawal of at most {rate.value}% of the balance"
        cited.append(rate)
    else:
        amount, rule = balance, f"{version.name}: the whole balance, paid at once ({reason.lower()})"
    ans.add("balance_payout", amount, rule=rule, cited=cited)
    return ans


def _trigger(
    ans: Answer,
    version: Version,
    event: Event,
    reason: str,
    *,
    claim_date: dt.date | None,
    born: dt.date | None,
    earlier: bool,
) -> bool:
    """Whether the claim trigger holds on the event date; records why not."""
    if reason == "PENSION_AGE":
        age = int(ans.use(version.cited("pension_age")))
        if born is None:
            ans.reasons.append(f"Assumes the participant has reached the JHT age of {age}.")
        elif full_years(born, event.event_date) < age:
            ans.refuse(f"Age {full_years(born, event.event_date)}; JHT is paid at {age}.")
    elif reason in WAITING:
        wait = version.cited("waiting_months")
        payable = add_months(event.event_date, int(ans.use(wait)))
        ans.details["payable_from"] = payable.isoformat()
        if claim_date is not None and claim_date < payable:
            ans.refuse(f"Payable from {payable.isoformat()}, {wait.value} month after employment ended.")
        else:
            ans.reasons.append(
                f"Payable from {payable.isoformat()}, {wait.value} month after employment ended."
            )
    elif reason in PARTIAL:
        years = full_years(event.membership_start, event.event_date)
        minimum = int(ans.use(version.cited("partial_min_years")))
        if years < minimum:
            ans.refuse(f"{years} full years of membership; a partial withdrawal needs {minimum}.")
        if earlier and ans.use(version.cited("partial_only_once")):
            ans.refuse("A partial withdrawal was already taken; the rest is paid only on a full claim.")
    return ans.eligible


def project_balance(
    ans: Answer, tables: BenefitTables, version: Version, event: Event, *, wage: int, months: int | None
) -> tuple[int, list[Cited]]:
    """The balance from a constant monthly wage and the declared yearly returns.

    Contributions are for the months before the event's month (the most recent `months` of them when
    given). Each completed year earns its declared return on the balance at the start of that year; the
    year of the event earns nothing yet, as its return is declared after it ends.
    """
    employer, worker = version.cited("employer_percent"), version.cited("worker_percent")
    # Rounded per party, as contributions are (rules/money.py).
    monthly = sum(rupiah(Decimal(wage) * Decimal(c.value) / Decimal(100)) for c in (employer, worker))
    last = event.event_date.year * 12 + event.event_date.month - 1  # the event's month, not contributed
    count = calendar_months(event.membership_start, event.event_date) if months is None else months
    per_year: dict[int, int] = {}
    for index in range(last - count, last):
        per_year[index // 12] = per_year.get(index // 12, 0) + 1
    cited = [employer, worker, version.cited("crediting_convention")]
    balance, credited, unknown = 0, {}, []
    for year in range((last - count) // 12, event.event_date.year + 1):
        opening = balance
        balance += per_year.get(year, 0) * monthly
        if year == event.event_date.year or opening == 0:
            continue
        rate = declared_return(tables, version, year)
        if rate.key.endswith("unknown_year_return_percent"):
            unknown.append(year)
        cited.append(rate)
        credited[str(year)] = str(rate.value)
        balance += rupiah(Decimal(opening) * Decimal(rate.value) / Decimal(100))
    for item in cited:
        ans.use(item)  # the balance in `details` depends on them even when nothing is payable
    if unknown:
        ans.reasons.append(
            "Declared JHT returns unknown for "
            + ", ".join(map(str, unknown))
            + "; the configured rate was used."
        )
    ans.details.update(
        {
            "balance_projected": True,
            "monthly_contribution": monthly,
            "contribution_months": count,
            "returns": credited,
        }
    )
    return balance, cited


def declared_return(tables: BenefitTables, version: Version, year: int) -> Cited:
    """The JHT return BPJS declared for `year`, or the configured placeholder when it is not known."""
    entry = tables.section("jht_returns").get(str(year))
    if entry is None:
        return version.cited("unknown_year_return_percent")
    return Cited(f"jht_returns.{year}", entry["value"], entry["confidence"], entry["source"])
