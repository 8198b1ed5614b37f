"""Properties of the JP average indexed wage (PP 45/2015: the capped, indexed wages of the whole
contribution history, averaged), for any wage history (hypothesis). Only properties that hold are stated:
adding a month can lower the average (a low wage), so the property is stated for a month at or above it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from cakupan.rules.benefits import benefit_compute, default_tables
from cakupan.rules.benefits.jp_wage import average_indexed_wage, table_cap, wage_in, year_factors
from cakupan.rules.benefits.tables import BenefitTables
from cakupan.rules.period import Period

FAST = settings(max_examples=80, deadline=None)
TABLES = default_tables()
NO_INFLATION = BenefitTables({**TABLES.raw, "jp_wage_index": {}})
FIRST = Period(2015, 7)  # JP began in July 2015
wages = st.integers(min_value=1, max_value=60_000_000)
offsets = st.integers(min_value=0, max_value=180)


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[tuple[Period, int]], list[Period], dt.date]:
    """A wage history from its first month, some months counted in it, and an event after them."""
    start = FIRST.shift(draw(offsets))
    steps = draw(st.lists(st.tuples(st.integers(1, 36), wages), min_size=0, max_size=6))
    history = [(start, draw(wages))]
    at = start
    for gap, wage in steps:
        at = at.shift(gap)
        history.append((at, wage))
    span = draw(st.integers(min_value=1, max_value=240))
    months = sorted(set(draw(st.lists(st.integers(0, span - 1), min_size=1, max_size=60))))
    counted = [start.shift(k) for k in months]
    event = counted[-1].shift(draw(st.integers(1, 24))).first_day
    return history, counted, event


def capped(history: list[tuple[Period, int]], period: Period) -> int:
    cap = table_cap(period)
    wage = wage_in(history, period)
    return wage if cap is None else min(wage, cap)


@FAST
@given(case=histories())
def test_without_indexing_the_average_stays_within_the_capped_wages(
    case: tuple[list[tuple[Period, int]], list[Period], dt.date],
) -> None:
    history, counted, event = case
    average = average_indexed_wage(NO_INFLATION, history, counted, event).amount
    values = [capped(history, p) for p in counted]
    assert min(values) <= average <= max(values)
    assert average <= max(table_cap(p) or 0 for p in counted)  # never above the highest cap applied


@FAST
@given(case=histories())
def test_indexed_average_stays_within_the_indexed_capped_wages_and_not_below_the_plain_one(
    case: tuple[list[tuple[Period, int]], list[Period], dt.date],
) -> None:
    history, counted, event = case
    factors, _cited = year_factors(TABLES, counted[0].year, event.year)
    values = [Decimal(capped(history, p)) * factors[p.year] for p in counted]
    average = average_indexed_wage(TABLES, history, counted, event).amount
    assert min(values) - 1 <= average <= max(values) + 1  # rounding to the whole Rupiah
    assert average >= average_indexed_wage(NO_INFLATION, history, counted, event).amount


@FAST
@given(wage=wages, start=offsets, span=st.integers(1, 240))
def test_a_constant_wage_without_indexing_averages_to_that_wage_at_most_the_cap(
    wage: int, start: int, span: int
) -> None:
    first = FIRST.shift(start)
    counted = [first.shift(k) for k in range(span)]
    event = counted[-1].shift(1).first_day
    average = average_indexed_wage(NO_INFLATION, [(first, wage)], counted, event).amount
    caps = [table_cap(p) for p in counted]
    if all(cap is not None and wage <= cap for cap in caps):
        assert average == wage
    else:
        assert average < wage


@FAST
@given(case=histories(), raise_by=st.integers(1, 5_000_000), which=st.integers(0, 6))
def test_a_higher_wage_never_lowers_the_average(
    case: tuple[list[tuple[Period, int]], list[Period], dt.date], raise_by: int, which: int
) -> None:
    history, counted, event = case
    index = which % len(history)
    higher = [(p, w + raise_by if k == index else w) for k, (p, w) in enumerate(history)]
    before = average_indexed_wage(TABLES, history, counted, event).amount
    assert average_indexed_wage(TABLES, higher, counted, event).amount >= before


@FAST
@given(case=histories(), extra=st.integers(1, 24))
def test_a_month_paid_at_or_above_the_average_never_lowers_it(
    case: tuple[list[tuple[Period, int]], list[Period], dt.date], extra: int
) -> None:
    history, counted, event = case
    before = average_indexed_wage(NO_INFLATION, history, counted, event)
    added = counted[-1].shift(extra)
    later = event if added < Period.of(event) else added.shift(1).first_day
    at_least = [*history, (added, max(before.amount, 1))] if added > history[-1][0] else history
    after = average_indexed_wage(NO_INFLATION, at_least, [*counted, added], later).amount
    if capped(at_least, added) >= before.amount:
        assert after >= before.amount - 1
    else:
        assert after <= before.amount + 1


@FAST
@given(wage=wages, months=st.integers(1, 9))
def test_the_calculator_averages_a_history_of_one_year_to_the_capped_wage(wage: int, months: int) -> None:
    # Months of the event's own year are not indexed: a constant wage averages to itself, capped.
    answer = benefit_compute(
        {
            "benefit": "JP",
            "event_date": "2024-12-01",
            "membership_start": "2024-03-01",
            "contribution_months": months,
            "wage_history": [{"from": "2024-03", "wage": wage}],
            "paid_periods": [str(Period(2024, 3).shift(k)) for k in range(months)],
        }
    )
    assert answer["details"]["average_indexed_wage"] == min(wage, 10_042_300)
