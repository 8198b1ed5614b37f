"""A JHT balance estimate from the contributions actually recorded (the worker's own page).

Not the BPJS statement: the balance is the JHT part of the contributions paid (employer 3.7 % + worker 2 %
for wage earners, 2 % of the declared income for BPU; rules.md §5.4), plus the development returns BPJS
declared for each year (the `jht_returns` table, rules.md §11.6), credited as the table's
`crediting_convention` says: yearly, on the balance at the start of the year; a year's contributions earn
from the next year; the current year earns nothing until its return is declared. A year whose return is not
in the table earns the table's `unknown_year_return_percent` (0 %, flagged U) and is listed in `unknown`,
so the page can say the estimate is low by that year's return.

Pure: no Django, no database. The caller gives the contributions by month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from cakupan.rules.benefits.old_age import declared_return
from cakupan.rules.benefits.tables import BenefitTables, Cited, weakest
from cakupan.rules.money import rupiah


@dataclass(frozen=True)
class YearReturn:
    year: int
    opening: int  # the balance the return was credited on
    percent: str
    amount: int
    cited: Cited


@dataclass(frozen=True)
class JhtEstimate:
    balance: int
    contributed: int
    returns: int
    credited: list[YearReturn] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)  # years whose declared return is not known
    confidence: str = "C"  # the weakest confidence of the values used
    cited: list[Cited] = field(default_factory=list)


def jht_balance_estimate(
    tables: BenefitTables, *, contributions: Iterable[tuple[int, int, int]], as_of: dt.date
) -> JhtEstimate | None:
    """`contributions`: (year, month, JHT amount) of each month paid. None when no JHT rule version is in
    force on `as_of` (before the first table)."""
    version = tables.version("jht", as_of)
    if version is None:
        return None
    per_year: dict[int, int] = {}
    for year, _month, amount in contributions:
        if year <= as_of.year:
            per_year[year] = per_year.get(year, 0) + int(amount)
    convention = version.cited("crediting_convention")
    cited = [convention]
    if not per_year:
        return JhtEstimate(0, 0, 0, confidence=convention.confidence, cited=cited)
    balance = contributed = returns = 0
    credited: list[YearReturn] = []
    unknown: list[int] = []
    for year in range(min(per_year), as_of.year + 1):
        opening = balance
        if year < as_of.year and opening > 0:  # the current year's return is not declared yet
            rate = declared_return(tables, version, year)
            amount = rupiah(Decimal(opening) * Decimal(str(rate.value)) / Decimal(100))
            credited.append(YearReturn(year, opening, str(rate.value), amount, rate))
            cited.append(rate)
            if rate.key.endswith("unknown_year_return_percent"):
                unknown.append(year)
            balance += amount
            returns += amount
        paid = per_year.get(year, 0)
        balance += paid
        contributed += paid
    return JhtEstimate(
        balance=balance,
        contributed=contributed,
        returns=returns,
        credited=credited,
        unknown=unknown,
        confidence=weakest(c.confidence for c in cited),
        cited=cited,
    )
