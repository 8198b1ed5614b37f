"""Due dates and virtual-account numbers of bills.

Due date (rules.md §4 and §3, kontan.co.id quoting Kompas; PP 44/2015, PP 46/2015):
- an employer pays the contribution of a month (PU, Jakon) no later than the 15th of the FOLLOWING month;
- a BPU participant (self-paying) or its sponsor pays by the 15th of the SAME month;
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

from cakupan.rules.period import Period

DUE_DAY = 15
# Which payers pay in the month itself (BPU, rules.md §3) rather than in the month after (PU, §4).
SAME_MONTH_KINDS = frozenset({"self", "sponsor"})
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
    month = period if payer_kind in SAME_MONTH_KINDS else period.shift(1)
    return working_day_on_or_after(dt.date(month.year, month.month, DUE_DAY))


def virtual_account_for(*, kind: str, payer_id: int | None) -> str:
    """A 16-digit virtual account derived from the payer, so it is stable and needs no lookup to be unique:
    88, a digit for the kind, and the payer's id on 13 digits (the government account is all zeros)."""
    return f"{VA_PREFIX}{VA_KIND_DIGIT[kind]}{(payer_id or 0):013d}"
