"""JP average indexed wage from a wage history (PP 45/2015, formula of the old-age pension).

The pension averages the wages of the whole contribution history: each month's wage is first capped by the
JP wage cap in force that month (the contribution base, PP 45/2015 Pasal 29, contribution table
`jp_wage_cap`), then indexed to the year before the event by the `jp_wage_index` table (CPI inflation,
a configurable and flagged reading, rules.md §5.5), then averaged over the months counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from cakupan.rules.benefits.tables import BenefitTables, Cited
from cakupan.rules.contributions.tables import contribution_tables
from cakupan.rules.money import rupiah
from cakupan.rules.period import Period

CapOf = Callable[[Period], int | None]


@dataclass
class IndexedAverage:
    amount: int
    months: int
    capped_months: int
    cited: list[Cited] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def table_cap(period: Period) -> int | None:
    """The JP wage cap in force in `period` from the contribution tables (None before JP began). After the
    last known cap the last one is kept (a projection, flagged by `average_indexed_wage`): caps only follow
    GDP growth, which is not known ahead."""
    series = contribution_tables().jp_wage_cap
    found = series.in_force(period)
    if found is None and period >= Period.of(series.versions[-1].validity.effective_from):
        found = series.versions[-1]
    return None if found is None else int(found.cap.value)


def cap_known_until() -> Period:
    """The last month the contribution tables give a JP wage cap for."""
    last = contribution_tables().jp_wage_cap.versions[-1].validity
    return Period.of(last.effective_to) if last.effective_to is not None else Period(9999, 12)


def year_factors(
    tables: BenefitTables, first_year: int, event_year: int
) -> tuple[dict[int, Decimal], list[Cited]]:
    """For each year from `first_year` to `event_year`, the factor raising its wages to the event's year:
    the product of (1 + CPI inflation) of that year and of every later year before the event's year."""
    section = tables.section("jp_wage_index")
    cited: list[Cited] = []
    method = section.get("method")
    if method is not None:
        cited.append(Cited("jp_wage_index.method", method["value"], method["confidence"], method["source"]))
    factors: dict[int, Decimal] = {event_year: Decimal(1)}
    running = Decimal(1)
    for year in range(event_year - 1, first_year - 1, -1):
        entry = section.get(str(year))
        if entry is None:
            note = f"CPI inflation {year} not in the table; counted as 0 %"
            cited.append(Cited(f"jp_wage_index.{year}", "0", "U", note))
        else:
            running *= 1 + Decimal(str(entry["percent"])) / 100
            key = f"jp_wage_index.{year}"
            cited.append(Cited(key, entry["percent"], entry["confidence"], entry["source"]))
        factors[year] = running
    return factors, cited


def wage_in(history: Sequence[tuple[Period, int]], period: Period) -> int:
    """The wage of `period`: the latest history entry starting on or before it (the first entry for months
    before the history starts)."""
    wage = history[0][1]
    for start, value in history:
        if start <= period:
            wage = value
        else:
            break
    return wage


def average_indexed_wage(
    tables: BenefitTables,
    history: Sequence[tuple[Period, int]],
    months: Iterable[Period],
    event_date: dt.date,
    cap_of: CapOf = table_cap,
) -> IndexedAverage:
    """The average of the capped, indexed monthly wages of `months` (each month counted once)."""
    counted = sorted(set(months))
    ordered = sorted(history)
    if not counted or not ordered:
        return IndexedAverage(0, 0, 0)
    factors, cited = year_factors(tables, counted[0].year, event_date.year)
    total = Decimal(0)
    capped = 0
    for period in counted:
        wage = wage_in(ordered, period)
        cap = cap_of(period)
        if cap is not None and wage > cap:
            wage, capped = cap, capped + 1
        total += Decimal(wage) * factors.get(period.year, Decimal(1))
    result = IndexedAverage(rupiah(total / len(counted)), len(counted), capped, cited)
    if ordered[0][0] > counted[0]:
        result.notes.append(
            f"The wage history starts in {ordered[0][0]}; earlier months use its first wage "
            f"(Rp{ordered[0][1]:,})."
        )
    beyond = [p for p in counted if p > cap_known_until()]
    if beyond and cap_of is table_cap:
        result.cited.append(
            Cited(
                "jp_wage_cap.projected",
                f"{beyond[0]}..{beyond[-1]}",
                "U",
                "JP wage cap not known yet for these months; the last known one is used (Pasal 29)",
            )
        )
        result.notes.append(f"{len(beyond)} months are after the last known JP wage cap; that cap was used.")
    if capped:
        result.notes.append(
            f"{capped} of {len(counted)} months were above the JP wage cap and count at the cap."
        )
    return result
