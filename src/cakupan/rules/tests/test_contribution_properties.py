"""Properties of the contribution calculator that must hold for every input, checked with hypothesis.

The oracles here restate the regulations independently of the table file (the JP caps of rules.md 2.4 and
the PP 50/2025 windows), so a wrong table version or a wrong month boundary shows up as a failure.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cakupan.rules.contributions import (
    contribution_assess,
    contribution_input_parse,
    contribution_tables,
    contributions_assess_batch,
)
from cakupan.rules.period import Period

PARTIES = ("employer", "worker", "government", "sponsor")

# rules.md 2.4 and 11.4: the cap that starts in March of each year (2015: from July).
JP_CAP_FROM_MARCH = {
    2015: 7_000_000,
    2016: 7_335_300,
    2017: 7_703_500,
    2018: 8_094_000,
    2019: 8_512_400,
    2020: 8_939_700,
    2021: 8_754_600,
    2022: 9_077_600,
    2023: 9_559_600,
    2024: 10_042_300,
    2025: 10_547_400,
    2026: 11_086_300,
}


def jp_cap(period: Period) -> int:
    # January and February still use the cap that started the March before.
    return JP_CAP_FROM_MARCH[period.year if period.month >= 3 else period.year - 1]


# PP 50/2025: the months in which each sector's JKK and JKM are halved.
DISCOUNT_WINDOWS = {
    "transport": (Period(2026, 1), Period(2027, 3)),
    "other": (Period(2026, 4), Period(2026, 12)),
}


def discounted(period: Period, sector: str, funding: str) -> bool:
    first, last = DISCOUNT_WINDOWS[sector]
    return first <= period <= last and funding not in ("apbd", "apbn")


# PP 49/2020 (rules.md §2.7): JKK and JKM at 1 % of the normal amount for these contribution months.
RELIEF = (Period(2020, 8), Period(2021, 1))


def relieved(period: Period) -> bool:
    return RELIEF[0] <= period <= RELIEF[1]


def periods(first: Period, last: Period) -> st.SearchStrategy[Period]:
    span = (last.year - first.year) * 12 + last.month - first.month
    return st.integers(0, span).map(first.shift)


wages = st.integers(min_value=1, max_value=10**12)
pu_periods = periods(Period(2015, 7), Period(2027, 2))


@st.composite
def pu_payloads(draw: st.DrawFn, wage: st.SearchStrategy[int] = wages) -> dict[str, Any]:
    period = draw(pu_periods)
    programs = draw(st.lists(st.sampled_from(["JKK", "JKM", "JHT", "JP"]), min_size=1, unique=True))
    if period >= Period(2021, 2) and {"JKK", "JKM", "JHT"} <= set(programs) and draw(st.booleans()):
        programs.append("JKP")
    return {
        "segment": "PU",
        "period": str(period),
        "programs": programs,
        "monthly_wage": draw(wage),
        "risk_class": draw(st.integers(1, 5)),
    }


@st.composite
def bpu_payloads(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "segment": "BPU",
        "period": str(draw(periods(Period(2015, 7), Period(2030, 12)))),
        "programs": draw(st.lists(st.sampled_from(["JKK", "JKM", "JHT"]), min_size=1, unique=True)),
        "declared_income": draw(st.integers(1_000_000, 10**11)),
        "sector": draw(st.sampled_from(["transport", "other"])),
        "funding": draw(st.sampled_from(["self", "apbd", "apbn", "csr", "donor"])),
    }


@st.composite
def other_payloads(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        return {
            "segment": "JAKON",
            "period": str(draw(periods(Period(2015, 7), Period(2030, 12)))),
            "programs": draw(st.lists(st.sampled_from(["JKK", "JKM"]), min_size=1, unique=True)),
            "contract_value": draw(st.integers(1, 10**14)),
        }
    payload: dict[str, Any] = {
        "segment": "PMI",
        "period": str(draw(periods(Period(2023, 2), Period(2030, 12)))),
        "programs": ["JKK", "JKM"],
        "contract_months": draw(st.integers(1, 120)),
        "include_pre_placement": draw(st.booleans()),
    }
    if draw(st.booleans()):
        payload["programs"].append("JHT")
        payload["jht_amount"] = draw(st.sampled_from([50_000, 100_000, 200_000, 300_000, 600_000]))
    return payload


any_payload = st.one_of(pu_payloads(), bpu_payloads(), other_payloads())


@settings(max_examples=300, deadline=None)
@given(any_payload)
def test_parties_add_up_to_lines_and_lines_to_totals(payload: dict[str, Any]) -> None:
    answer = contribution_assess(payload)
    for line in answer["lines"]:
        assert all(type(line[p]) is int and line[p] >= 0 for p in PARTIES)
        assert sum(line[p] for p in PARTIES) == line["amount"]
        if "allocation" in line and line["program"] in ("JKK", "JKM"):
            assert sum(line["allocation"].values()) == line["amount"]
    for party in PARTIES:
        assert answer["totals"][party] == sum(line[party] for line in answer["lines"])
    assert answer["totals"]["total"] == sum(line["amount"] for line in answer["lines"])
    assert [line["program"] for line in answer["lines"] if line["program"] in payload["programs"]] == [
        p
        for p in ("JKK", "JKM", "JHT", "JP", "JKP")
        if p in payload["programs"] and payload["segment"] != "PMI"
    ] + (["JHT"] if payload["segment"] == "PMI" and "JHT" in payload["programs"] else [])


@settings(max_examples=200, deadline=None)
@given(pu_payloads(), wages, wages)
def test_monotone_in_wage(payload: dict[str, Any], one: int, other: int) -> None:
    low, high = sorted((one, other))
    lower = contribution_assess({**payload, "monthly_wage": low})
    higher = contribution_assess({**payload, "monthly_wage": high})
    for a, b in zip(lower["lines"], higher["lines"], strict=True):
        assert a["program"] == b["program"]
        assert all(a[p] <= b[p] for p in PARTIES)
    assert lower["totals"]["total"] <= higher["totals"]["total"]


@settings(max_examples=200, deadline=None)
@given(pu_payloads(wage=st.integers(1, 30_000_000)))
def test_jp_base_never_above_the_cap_of_the_period(payload: dict[str, Any]) -> None:
    payload["programs"] = sorted(set(payload["programs"]) | {"JP"})
    answer = contribution_assess(payload)
    jp = next(line for line in answer["lines"] if line["program"] == "JP")
    cap = jp_cap(Period.parse(payload["period"]))
    assert jp["base"] == min(payload["monthly_wage"], cap) <= cap


@settings(max_examples=200, deadline=None)
@given(pu_payloads(wage=st.integers(1, 30_000_000)))
def test_recomposition_never_changes_what_the_employer_pays(payload: dict[str, Any]) -> None:
    with_jkp = dict(payload, programs=["JKK", "JKM", "JHT"])
    without = contribution_assess(with_jkp)
    if Period.parse(payload["period"]) >= Period(2021, 2):
        with_jkp["programs"] = ["JKK", "JKM", "JHT", "JKP"]
    answer = contribution_assess(with_jkp)
    assert answer["totals"]["employer"] == without["totals"]["employer"]
    assert answer["totals"]["worker"] == without["totals"]["worker"]


@pytest.mark.parametrize(
    ("period", "sector", "expected"),
    [
        ("2025-12", "transport", False),
        ("2025-12", "other", False),
        ("2026-01", "transport", True),
        ("2026-03", "other", False),
        ("2026-04", "other", True),
        ("2026-12", "other", True),
        ("2027-01", "other", False),
        ("2027-03", "transport", True),
        ("2027-04", "transport", False),
    ],
)
def test_discount_windows_are_exact_to_the_month(period: str, sector: str, expected: bool) -> None:
    answer = contribution_assess(
        {
            "segment": "BPU",
            "period": period,
            "programs": ["JKK", "JKM"],
            "declared_income": 1_000_000,
            "sector": sector,
            "funding": "self",
        }
    )
    assert answer["totals"]["total"] == (8_400 if expected else 16_800)
    assert all((line["discount"] > 0) is expected for line in answer["lines"])


@settings(max_examples=300, deadline=None)
@given(bpu_payloads())
def test_bpu_discount_and_payer(payload: dict[str, Any]) -> None:
    answer = contribution_assess(payload)
    period = Period.parse(payload["period"])
    payer = {"self": "worker", "apbd": "sponsor", "csr": "sponsor", "donor": "sponsor", "apbn": "government"}
    for line in answer["lines"]:
        assert line["amount"] == line[payer[payload["funding"]]]
        halved = discounted(period, payload["sector"], payload["funding"]) and line["program"] != "JHT"
        cut = relieved(period) and line["program"] != "JHT"
        assert (line["discount"] > 0) is (halved or cut)
        full = line["amount"] + line["discount"]
        if line["program"] == "JKM":
            assert full == 6_800
        if halved:
            assert abs(line["amount"] * 2 - full) <= 1
        if cut:  # 1 % of the exact amount, rounded once: within a Rupiah of 1 % of the rounded one
            assert abs(line["amount"] * 100 - full) <= 100


@pytest.mark.parametrize("funding", ["apbd", "apbn"])
@given(period=periods(Period(2025, 1), Period(2028, 12)), sector=st.sampled_from(["transport", "other"]))
def test_budget_funded_bpu_is_never_discounted(funding: str, period: Period, sector: str) -> None:
    answer = contribution_assess(
        {
            "segment": "BPU",
            "period": str(period),
            "programs": ["JKK", "JKM"],
            "declared_income": 1_000_000,
            "sector": sector,
            "funding": funding,
        }
    )
    assert answer["totals"]["total"] == 16_800


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10**14), st.integers(1, 10**14))
def test_jakon_monotone_in_contract_value(one: int, other: int) -> None:
    low, high = sorted((one, other))
    base = {"segment": "JAKON", "period": "2025-05", "programs": ["JKK", "JKM"]}
    a = contribution_assess({**base, "contract_value": low})
    b = contribution_assess({**base, "contract_value": high})
    assert all(x["amount"] <= y["amount"] for x, y in zip(a["lines"], b["lines"], strict=True))


@given(st.integers(1, 119))
def test_pmi_fee_never_falls_with_a_longer_contract(months: int) -> None:
    base = {"segment": "PMI", "period": "2025-05", "programs": ["JKK", "JKM"]}
    shorter = contribution_assess({**base, "contract_months": months})
    longer = contribution_assess({**base, "contract_months": months + 1})
    assert shorter["totals"]["total"] <= longer["totals"]["total"]


@settings(max_examples=30, deadline=None)
@given(st.lists(pu_payloads(), min_size=1, max_size=20), pu_periods)
def test_a_batch_gives_what_each_member_gets_alone(payloads: list[dict[str, Any]], period: Period) -> None:
    members = [{**p, "period": str(period)} for p in payloads]
    for member in members:
        if period < Period(2021, 2) and "JKP" in member["programs"]:
            member["programs"] = [p for p in member["programs"] if p != "JKP"]
    rules = contribution_tables().for_period(period)
    results = contributions_assess_batch(rules=rules, inputs=[contribution_input_parse(m) for m in members])
    assert [r.as_dict() for r in results if not isinstance(r, Exception)] == [
        contribution_assess(m) for m in members
    ]


@settings(max_examples=200, deadline=None)
@given(pu_payloads(wage=st.integers(1, 30_000_000)), periods(*RELIEF))
def test_pp49_2020_charges_one_percent_of_jkk_and_jkm_and_nothing_else_changes(
    payload: dict[str, Any], period: Period
) -> None:
    # The same member in a relief month and in the month before it (July 2020: same JP cap, no JKP).
    payload = {**payload, "period": str(period), "programs": ["JKK", "JKM", "JHT", "JP"]}
    payload["risk_class"] = payload.get("risk_class") or 1
    relief = {line["program"]: line for line in contribution_assess(payload)["lines"]}
    normal = {
        line["program"]: line for line in contribution_assess({**payload, "period": "2020-07"})["lines"]
    }
    for program in ("JKK", "JKM"):
        assert relief[program]["amount"] + relief[program]["discount"] == normal[program]["amount"]
        assert abs(relief[program]["amount"] * 100 - normal[program]["amount"]) <= 100
    # JHT and JP are charged in full (the JP cap of March 2020 holds from July 2020 to February 2021).
    assert relief["JHT"] == normal["JHT"]
    assert relief["JP"] == normal["JP"]
