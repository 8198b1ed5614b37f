"""Due dates and virtual-account numbers of bills.

Due date: the rule table `payment_terms` (rules/tables/contributions.toml) of the bill's contribution month:
- an employer pays the contribution of a month (PU, Jakon) no later than the 15th of the FOLLOWING month;
- a BPU participant (self-paying) or its sponsor pays by the 15th of the SAME month;
- for August 2020 to January 2021 (PP 49/2020) both by the 30th of the following month (the month's last day
  when it has no 30th: 28 February 2021, our reading [M]);
- "if the 15th is a holiday, the next working day": we move it past Saturdays, Sundays and the Indonesian
  public holidays of the `holidays` package (country "ID"). Collective leave days (cuti bersama) are
  working days for this rule: they are not public holidays (assumption [M]).
The government (APBN) account mostly carries the JKP share of PU members (PP 37/2021 Pasal 11), so it
follows the employer rule; for APBN-funded BPU members that is an assumption [M].
"""

from __future__ import annotations

import datetime as dt
import functools

import holidays

from cakupan.core.errors import InvalidInput
from cakupan.rules.contributions import contribution_tables
from cakupan.rules.period import Period

# Which payers follow the BPU terms (the month itself, rules.md §3) rather than the employer's (§4).
BPU_PAYER_KINDS = frozenset({"self", "sponsor"})
VA_PREFIX = "88"
VA_KIND_DIGIT = {"employer": "1", "self": "2", "sponsor": "3", "government": "4"}


@functools.cache
def _holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("ID", years=[year, year + 1]).keys())


def working_day_on_or_after(day: dt.date) -> dt.date:
    """The day itself when it is a working day, else the next one (no weekend, no public holiday)."""
    while day.weekday() >= 5 or day in _holidays(day.year):
        day += dt.timedelta(days=1)
    return day


def due_date_for(*, period: Period, payer_kind: str) -> dt.date:
    """The due date of a payer's bill for `period`, from the payment terms in force for that month."""
    terms = contribution_tables().for_period(period).payment_terms
    if terms is None:
        raise InvalidInput.single("period", f"The rule tables have no payment terms for {period}.")
    if payer_kind in BPU_PAYER_KINDS:
        day, after = terms.bpu_due_day.value, terms.bpu_months_after.value
    else:
        day, after = terms.employer_due_day.value, terms.employer_months_after.value
    return working_day_on_or_after(period.shift(after).day(day))


def virtual_account_for(*, kind: str, payer_id: int | None) -> str:
    """A 16-digit virtual account derived from the payer, so it is stable and needs no lookup to be unique:
    88, a digit for the kind, and the payer's id on 13 digits (the government account is all zeros)."""
    return f"{VA_PREFIX}{VA_KIND_DIGIT[kind]}{(payer_id or 0):013d}"
