"""The worker's JHT balance estimate: contributions plus the declared returns, credited yearly on the
opening balance (benefits.toml `crediting_convention`), unknown years flagged. Hand-worked figures."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cakupan.rules.benefits.jht_balance import jht_balance_estimate
from cakupan.rules.benefits.tables import default_tables


def test_returns_are_credited_on_the_opening_balance_of_each_declared_year() -> None:
    # 2019: 12 x 100,000 = 1,200,000 (no return: nothing at the start of 2019).
    # 2020: opening 1,200,000 x 5.63 % (declared, rules.md §11.6) = 67,560; + 6 x 100,000.
    # 2021: opening 1,867,560, return unknown -> 0 % (flagged); nothing paid. 2022: the current year.
    contributions = [(2019, m, 100_000) for m in range(1, 13)] + [(2020, m, 100_000) for m in range(1, 7)]
    estimate = jht_balance_estimate(default_tables(), contributions=contributions, as_of=dt.date(2022, 3, 1))
    assert estimate is not None
    assert estimate.contributed == 1_800_000
    assert [(r.year, r.opening, r.percent, r.amount) for r in estimate.credited] == [
        (2020, 1_200_000, "5.63", 67_560),
        (2021, 1_867_560, "0", 0),
    ]
    assert estimate.returns == 67_560
    assert estimate.balance == 1_867_560
    assert estimate.unknown == [2021]
    assert estimate.confidence == "U"  # the unknown year's placeholder is the weakest value used


def test_the_current_year_earns_nothing_until_its_return_is_declared() -> None:
    estimate = jht_balance_estimate(
        default_tables(), contributions=[(2016, 1, 500_000)], as_of=dt.date(2016, 12, 31)
    )
    assert estimate is not None
    assert (estimate.balance, estimate.returns, estimate.credited) == (500_000, 0, [])
    later = jht_balance_estimate(
        default_tables(), contributions=[(2016, 1, 500_000)], as_of=dt.date(2017, 1, 1)
    )
    assert later is not None
    assert later.balance == 500_000  # 2017's return is not declared yet: the opening of 2017 earns in 2018


def test_2016_declared_return_compounds() -> None:
    estimate = jht_balance_estimate(
        default_tables(), contributions=[(2015, 12, 1_000_000)], as_of=dt.date(2017, 6, 1)
    )
    assert estimate is not None
    assert estimate.balance == 1_000_000 + 71_900  # 7.19 % in 2016 (BPJS 2016), 2017 not yet declared
    assert estimate.unknown == []


def test_nothing_paid_is_a_zero_balance_and_before_the_tables_is_none() -> None:
    tables = default_tables()
    estimate = jht_balance_estimate(tables, contributions=[], as_of=dt.date(2025, 1, 1))
    assert estimate is not None
    assert estimate.balance == 0
    assert jht_balance_estimate(tables, contributions=[], as_of=dt.date(2000, 1, 1)) is None


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.lists(st.tuples(st.integers(2015, 2025), st.integers(1, 12), st.integers(0, 2_000_000)), max_size=30)
)
def test_the_balance_is_never_below_what_was_paid(rows: list[tuple[int, int, int]]) -> None:
    estimate = jht_balance_estimate(default_tables(), contributions=rows, as_of=dt.date(2025, 12, 31))
    assert estimate is not None
    assert estimate.contributed == sum(amount for _y, _m, amount in rows)
    assert estimate.balance == estimate.contributed + estimate.returns >= estimate.contributed
