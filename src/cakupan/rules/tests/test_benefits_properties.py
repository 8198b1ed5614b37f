"""Properties the benefit rules must keep for any valid input (hypothesis)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cakupan.rules.benefits import BENEFITS, benefit_compute

FAST = settings(max_examples=60, deadline=None)
wages = st.integers(min_value=1, max_value=200_000_000)
dates = st.dates(min_value=dt.date(2015, 7, 1), max_value=dt.date(2045, 12, 31))
levels = st.sampled_from(["TK", "SD", "SMP", "SMA", "PT"])


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _amount(answer: dict[str, Any], name: str) -> int:
    return next(c["amount"] for c in answer["components"] if c["name"] == name)


@FAST
@given(event=dates, wage=wages, years=st.integers(min_value=0, max_value=20))
def test_jkk_death_is_at_least_jkm(event: dt.date, wage: int, years: int) -> None:
    # PP 82/2019 Lampiran (PP 44/2015 before): the work-accident death lump sum is "paling sedikit" the JKM
    # death lump sum of the same regulation (rules.md §12.1), and the answer says when the floor applied.
    start = _iso(event.replace(year=event.year - years) if (event.month, event.day) != (2, 29) else event)
    jkk = benefit_compute(
        {"benefit": "JKK_DEATH", "event_date": _iso(event), "membership_start": start, "monthly_wage": wage}
    )
    jkm = benefit_compute({"benefit": "JKM", "event_date": _iso(event), "membership_start": start})
    assert jkk["total"] >= jkm["total"]
    floor = _amount(jkm, "lump_sum")
    assert _amount(jkk, "death_lump_sum") == max(48 * wage, floor)
    lump = next(c for c in jkk["components"] if c["name"] == "death_lump_sum")
    assert ("floor_applied" in lump) == (48 * wage < floor)
    assert _amount(jkk, "periodic") == _amount(jkm, "periodic")


@FAST
@given(event=dates, wage=wages)
def test_jkk_total_disability_adds_the_death_periodic_benefit(event: dt.date, wage: int) -> None:
    # PP 82/2019 Lampiran (rules.md §12.1): the periodic benefit is due for total permanent disability as
    # for death, by the regulation in force on the accident.
    answer = benefit_compute(
        {
            "benefit": "JKK_TOTAL_DISABILITY",
            "event_date": _iso(event),
            "membership_start": "2015-07-01",
            "monthly_wage": wage,
        }
    )
    jkm = benefit_compute({"benefit": "JKM", "event_date": _iso(event), "membership_start": "2015-07-01"})
    assert _amount(answer, "disability_lump_sum") == 56 * wage
    assert _amount(answer, "periodic") == _amount(jkm, "periodic")
    assert answer["total"] == 56 * wage + _amount(jkm, "periodic")


@FAST
@given(event=dates, wage=wages, months=st.integers(min_value=1, max_value=120))
def test_stmb_grows_with_the_months(event: dt.date, wage: int, months: int) -> None:
    def paid(count: int) -> int:
        answer = benefit_compute(
            {
                "benefit": "JKK_STMB",
                "event_date": _iso(event),
                "membership_start": "2015-07-01",
                "monthly_wage": wage,
                "months_unable": count,
            }
        )
        return _amount(answer, "wage_replacement")

    shorter, longer = paid(months), paid(months + 1)
    assert shorter < longer <= shorter + wage
    assert paid(months) <= months * wage


@FAST
@given(
    event=st.dates(min_value=dt.date(2025, 2, 7), max_value=dt.date(2040, 12, 31)),
    wage=wages,
)
def test_jkp_never_above_18_million_under_pp_6_2025(event: dt.date, wage: int) -> None:
    answer = benefit_compute(
        {"benefit": "JKP", "event_date": _iso(event), "membership_start": "2022-01-01", "monthly_wage": wage}
    )
    assert answer["rule_version"] == "PP 6/2025"
    cash = _amount(answer, "cash")
    assert cash <= 18_000_000
    assert cash == sum(answer["details"]["monthly_amounts"])
    assert len(answer["details"]["monthly_amounts"]) == 6


@FAST
@given(event=st.dates(min_value=dt.date(2022, 2, 1), max_value=dt.date(2025, 2, 6)), wage=wages)
def test_jkp_under_pp_37_2021_is_below_pp_6_2025(event: dt.date, wage: int) -> None:
    old = benefit_compute(
        {"benefit": "JKP", "event_date": _iso(event), "membership_start": "2021-02-02", "monthly_wage": wage}
    )
    assert old["rule_version"] == "PP 37/2021"
    assert _amount(old, "cash") <= 10_500_000  # (45 % × 3 + 25 % × 3) × Rp5,000,000


@FAST
@given(
    year=st.sampled_from([2015, 2016, 2019, 2020, 2021, 2022, 2023, 2024, 2025]),
    months=st.integers(min_value=180, max_value=480),
    wage=wages,
)
def test_jp_stays_within_the_known_bounds(year: int, months: int, wage: int) -> None:
    answer = benefit_compute(
        {
            "benefit": "JP",
            "event_date": f"{year}-12-01",
            "membership_start": "1970-01-01",
            "contribution_months": months,
            "average_indexed_wage": wage,
        }
    )
    bounds = answer["details"]["bounds"]
    assert bounds["min"] <= _amount(answer, "monthly_pension") <= bounds["max"]


@FAST
@given(percent=st.integers(min_value=1, max_value=70), wage=wages)
def test_partial_disability_never_above_total(percent: int, wage: int) -> None:
    common = {"event_date": "2024-01-01", "membership_start": "2020-01-01", "monthly_wage": wage}
    partial = benefit_compute({"benefit": "JKK_PARTIAL_DISABILITY", "disability_percent": percent, **common})
    total = benefit_compute({"benefit": "JKK_TOTAL_DISABILITY", **common})
    assert partial["total"] <= total["total"]


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    """Any valid request for any benefit."""
    benefit = draw(st.sampled_from(BENEFITS))
    event = draw(dates)
    start = draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=event))
    span = (event.year - start.year) * 12 + event.month - start.month
    payload: dict[str, Any] = {"benefit": benefit, "event_date": _iso(event), "membership_start": _iso(start)}
    payload["children"] = draw(st.integers(min_value=0, max_value=5))
    payload["monthly_wage"] = draw(wages)
    if benefit == "JKK_PARTIAL_DISABILITY":
        payload["disability_percent"] = draw(st.integers(min_value=1, max_value=100))
    if benefit == "JKK_STMB":
        payload["months_unable"] = draw(st.integers(min_value=1, max_value=60))
    if benefit.startswith("JKK"):
        payload["medical_cost"] = draw(st.integers(min_value=0, max_value=10**9))
        payload["transport_costs"] = {"land": draw(st.integers(min_value=0, max_value=10**8))}
    if benefit == "JP":
        payload["contribution_months"] = draw(st.integers(min_value=1, max_value=max(1, span)))
        payload["average_indexed_wage"] = draw(wages)
    if benefit == "JHT":
        payload["claim_reason"] = draw(
            st.sampled_from(["DEATH", "RESIGNATION", "PARTIAL_OTHER", "PENSION_AGE"])
        )
        if draw(st.booleans()):
            payload["balance"] = draw(st.integers(min_value=0, max_value=10**10))
    if benefit == "SCHOLARSHIP":
        payload["school_levels"] = draw(st.lists(levels, min_size=1, max_size=4))
        payload["work_accident"] = draw(st.booleans())
    return payload


@settings(max_examples=150, deadline=None)
@given(payload=requests())
def test_total_is_the_sum_of_cash_components(payload: dict[str, Any]) -> None:
    answer = benefit_compute(payload)
    cash = [c["amount"] for c in answer["components"] if c["name"] != "scholarship"]
    assert answer["total"] == sum(cash)
    assert all(isinstance(amount, int) and amount >= 0 for amount in cash)
    if not answer["eligible"]:
        assert answer["components"] == []
        assert answer["reasons"]
    assert answer["scholarship"]["max_total"] <= 174_000_000
    if not answer["scholarship"]["eligible"]:
        assert answer["scholarship"]["max_total"] == 0


@FAST
@given(
    balance=st.integers(min_value=0, max_value=10**12),
    requested=st.one_of(st.none(), st.integers(min_value=1, max_value=10**12)),
    reason=st.sampled_from(["PARTIAL_HOUSING", "PARTIAL_OTHER"]),
)
def test_jht_partial_pays_the_amount_asked_up_to_the_limit(
    balance: int, requested: int | None, reason: str
) -> None:
    # PP 60/2015: at most 30 % (housing) or 10 % (other needs) of the balance; the amount asked within it.
    payload: dict[str, Any] = {
        "benefit": "JHT",
        "event_date": "2026-03-10",
        "membership_start": "2015-07-01",
        "balance": balance,
        "claim_reason": reason,
    }
    if requested is not None:
        payload["amount_requested"] = requested
    answer = benefit_compute(payload)
    limit = answer["details"]["partial_limit"]
    percent = 30 if reason == "PARTIAL_HOUSING" else 10
    assert abs(limit * 100 - balance * percent) <= 50  # the limit rounded half up once
    paid = _amount(answer, "balance_payout")
    assert paid == (limit if requested is None else min(requested, limit))
    assert paid + answer["details"]["remaining_balance"] == balance
