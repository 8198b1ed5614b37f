"""Late fines (hand-computed, across month boundaries), ageing buckets, arrears by area, standing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cakupan.contributions.arrears import late_fine, late_fine_rate, months_late, standing_of
from cakupan.contributions.selectors_payments import (
    arrears_by_area,
    arrears_by_payer,
    fine_as_of,
    statement,
)
from cakupan.contributions.services.payments import payment_record
from cakupan.contributions.tests.payment_fixtures import account_make, bill_make
from cakupan.rules.contributions.tables import DEFAULT_PATH, PATH_ENV

D = dt.date


@pytest.mark.parametrize(
    ("due", "as_of", "months"),
    [
        (D(2025, 2, 17), D(2025, 2, 16), 0),
        (D(2025, 2, 17), D(2025, 2, 17), 0),  # paid on the due date is on time
        (D(2025, 2, 17), D(2025, 2, 18), 1),  # one day late: a started month
        (D(2025, 2, 17), D(2025, 3, 17), 1),
        (D(2025, 2, 17), D(2025, 3, 18), 2),
        (D(2025, 1, 31), D(2025, 2, 28), 1),  # clamped to February's end
        (D(2025, 1, 31), D(2025, 3, 1), 2),
        (D(2024, 12, 16), D(2025, 12, 16), 12),  # across the year
        (D(2024, 12, 16), D(2025, 12, 17), 13),
    ],
)
def test_months_late(due: dt.date, as_of: dt.date, months: int) -> None:
    assert months_late(due, as_of) == months


def test_fine_unpaid_is_two_percent_per_started_month() -> None:
    due = D(2025, 2, 17)
    assert (
        late_fine(amount_due=1_000_000, due_date=due, as_of=D(2025, 2, 17), payments=[], period="2025-01")
        == 0
    )
    assert (
        late_fine(amount_due=1_000_000, due_date=due, as_of=D(2025, 2, 18), payments=[], period="2025-01")
        == 20_000
    )
    assert (
        late_fine(amount_due=1_000_000, due_date=due, as_of=D(2025, 3, 17), payments=[], period="2025-01")
        == 20_000
    )
    assert (
        late_fine(amount_due=1_000_000, due_date=due, as_of=D(2025, 3, 18), payments=[], period="2025-01")
        == 40_000
    )
    # Simple, not compounding: 12 months is 12 x 2 %, not 1.02^12 - 1.
    assert (
        late_fine(amount_due=1_000_000, due_date=due, as_of=D(2026, 2, 17), payments=[], period="2025-01")
        == 240_000
    )


def test_fine_with_partial_and_late_payment() -> None:
    # 400,000 paid on 1 Mar (in late month 1): month 1 on 1,000,000, months 2 and 3 on 600,000.
    fine = late_fine(
        amount_due=1_000_000,
        due_date=D(2025, 2, 17),
        as_of=D(2025, 4, 20),
        payments=[(D(2025, 3, 1), 400_000)],
        period="2025-01",
    )
    assert fine == 20_000 + 12_000 + 12_000
    # Paid in full in month 2: the fine stops growing.
    full = [(D(2025, 3, 1), 400_000), (D(2025, 3, 20), 600_000)]
    assert (
        late_fine(
            amount_due=1_000_000,
            due_date=D(2025, 2, 17),
            as_of=D(2025, 9, 1),
            payments=full,
            period="2025-01",
        )
        == 32_000
    )
    # Paid on time: nothing.
    ontime = [(D(2025, 2, 17), 1_000_000)]
    on_time = late_fine(
        amount_due=1_000_000, due_date=D(2025, 2, 17), as_of=D(2025, 9, 1), payments=ontime, period="2025-01"
    )
    assert on_time == 0


def test_fine_rounds_half_up_and_rate_is_explicit_when_given() -> None:
    due, day = D(2025, 2, 17), D(2025, 2, 20)
    assert late_fine(amount_due=123_457, due_date=due, as_of=day, payments=[], period="2025-01") == 2_469
    assert late_fine(amount_due=123_475, due_date=due, as_of=day, payments=[], period="2025-01") == 2_470
    assert (
        late_fine(amount_due=1_000_000, due_date=due, as_of=day, payments=[], rate=Decimal("0.01")) == 10_000
    )
    with pytest.raises(ValueError, match="period"):
        late_fine(amount_due=1_000_000, due_date=due, as_of=day, payments=[])


def test_pp49_2020_late_fine_is_half_a_percent_a_month_for_aug_2020_to_jan_2021() -> None:
    # PP 49/2020 (rules.md §2.7): 0.5 % a month for the contributions of 2020-08 .. 2021-01; 2 % around them.
    due, day = D(2020, 10, 30), D(2021, 1, 5)  # three started months late
    assert late_fine_rate("2020-08") == Decimal("0.005")
    assert late_fine_rate("2021-01") == Decimal("0.005")
    assert late_fine_rate("2020-07") == Decimal("0.02")
    assert late_fine_rate("2021-02") == Decimal("0.02")
    assert late_fine(amount_due=1_000_000, due_date=due, as_of=day, payments=[], period="2020-09") == 15_000
    assert late_fine(amount_due=1_000_000, due_date=due, as_of=day, payments=[], period="2020-02") == 60_000


def test_fine_as_of_uses_recorded_payments(world: Any) -> None:
    account = account_make(va="8810000000000001", employer=world.hospital)
    bill = bill_make(account, "2025-01", 1_000_000, due=D(2025, 2, 17))
    payment_record(
        actor=world.admin,
        account=account,
        amount=400_000,
        paid_on=D(2025, 3, 1),
        reference="P1",
        source="page",
    )
    assert fine_as_of(bill, D(2025, 4, 20)) == 44_000
    assert statement(account=account, as_of=D(2025, 4, 20))["fines"] == 44_000
    # Self-paying BPU accounts are not fined (no rule found, rules.md §3).
    own = account_make(kind="self", va="8820000000000001", person=world.driver)
    assert fine_as_of(bill_make(own, "2025-01", 50_000, due=D(2025, 1, 15)), D(2025, 6, 1)) == 0


AS_OF = D(2025, 6, 30)
AGEING = [  # (period, due date, amount): days past due as of 30 June in the comment
    ("2025-06", D(2025, 6, 30), 1),  # 0 days: not yet past due
    ("2025-05", D(2025, 6, 29), 10),  # 1
    ("2025-04", D(2025, 5, 31), 100),  # 30
    ("2025-03", D(2025, 5, 30), 1_000),  # 31
    ("2025-02", D(2025, 5, 1), 10_000),  # 60
    ("2025-01", D(2025, 4, 30), 100_000),  # 61
    ("2024-12", D(2025, 4, 1), 1_000_000),  # 90
    ("2024-11", D(2025, 3, 31), 10_000_000),  # 91
]


def test_ageing_buckets_per_payer(world: Any) -> None:
    account = account_make(va="8810000000000001", employer=world.hospital)
    for period, due, amount in AGEING:
        bill_make(account, period, amount, due=due)
    paid_off = bill_make(account, "2024-10", 5, due=D(2025, 1, 1))
    payment_record(  # settles 2024-10 (oldest) and 3 of the 2024-11 bill
        actor=world.admin, account=account, amount=8, paid_on=D(2025, 1, 1), reference="P", source="page"
    )
    assert paid_off.allocations.count() == 1
    [row] = arrears_by_payer(user=world.admin, as_of=AS_OF)
    assert row["account"] == account
    assert (row["d0_30"], row["d31_60"], row["d61_90"], row["d91_plus"]) == (
        110,
        11_000,
        1_100_000,
        10_000_000 - 3,
    )
    assert row["total"] == 11_111_110 - 3
    assert row["bills"] == 7
    # Oldest unpaid due 31 Mar: 31 Mar + 3 months is 30 Jun, not more than 3 months yet.
    assert row["standing"].behind is False
    assert row["standing"].months_behind == 3


def test_arrears_queries_do_not_grow_with_bills(world: Any) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            arrears_by_payer(user=world.branch_malang, as_of=AS_OF)
            arrears_by_area(user=world.branch_malang, as_of=AS_OF)
        return len(ctx.captured_queries)

    account = account_make(va="8810000000000001", employer=world.hospital)
    bill_make(account, "2025-01", 100)
    few = count()
    for month in range(2, 13):
        bill_make(account, f"2024-{month:02d}", 100)
    sponsor = account_make(kind="sponsor", va="8830000000000001", sponsor=world.sponsor)
    bill_make(sponsor, "2025-01", 100)
    assert count() == few


def test_arrears_by_branch_and_region(world: Any) -> None:
    hospital = account_make(va="8810000000000001", employer=world.hospital)  # Malang, 35.73
    factory = account_make(va="8810000000000002", employer=world.factory)  # Bekasi, 32.16
    sponsor = account_make(kind="sponsor", va="8830000000000001", sponsor=world.sponsor)  # 35.73
    own = account_make(kind="self", va="8820000000000001", person=world.driver)  # 35.73.02
    bill_make(hospital, "2025-01", 1_000, due=D(2025, 6, 1))  # 29 days
    bill_make(factory, "2025-01", 20_000, due=D(2025, 3, 1))  # 121 days
    bill_make(sponsor, "2025-01", 300, due=D(2025, 5, 15))  # 46 days
    bill_make(own, "2025-01", 4, due=D(2025, 4, 15))  # 76 days
    area = arrears_by_area(user=world.admin, as_of=AS_OF)
    branches = {
        r["name"]: (r["total"], r["d0_30"], r["d31_60"], r["d61_90"], r["d91_plus"]) for r in area["branches"]
    }
    assert branches == {
        "Kantor Cabang Bekasi Cikarang": (20_000, 0, 0, 0, 20_000),
        "Kantor Cabang Malang": (1_304, 1_000, 300, 4, 0),
    }
    regencies = {r["key"]: r["total"] for r in area["regencies"]}
    assert regencies == {"32.16": 20_000, "35.73": 1_304}
    # Branch staff of Malang see only their regions; the factory's HR only its own account.
    mine = arrears_by_area(user=world.branch_malang, as_of=AS_OF)
    assert [r["key"] for r in mine["regencies"]] == ["35.73"]
    rows = arrears_by_payer(user=world.hr_factory, as_of=AS_OF)
    assert [r["account"] for r in rows] == [factory]


def test_standing_more_than_three_months(world: Any) -> None:
    due = D(2025, 2, 17)
    not_yet = standing_of(kind="employer", oldest_unpaid_due=due, unpaid_bills=3, as_of=D(2025, 5, 17))
    assert not_yet is not None
    assert not not_yet.behind
    behind = standing_of(kind="employer", oldest_unpaid_due=due, unpaid_bills=3, as_of=D(2025, 5, 18))
    assert behind is not None
    assert behind.behind
    assert behind.confirmed
    assert standing_of(kind="government", oldest_unpaid_due=due, unpaid_bills=9, as_of=D(2026, 1, 1)) is None
    # Through the statement: three monthly bills unpaid, the oldest due 17 Feb.
    account = account_make(va="8810000000000001", employer=world.hospital)
    for period, day in (("2025-01", due), ("2025-02", D(2025, 3, 17)), ("2025-03", D(2025, 4, 15))):
        bill_make(account, period, 1_000, due=day)
    assert statement(account=account, as_of=D(2025, 5, 17))["standing"].behind is False
    st = statement(account=account, as_of=D(2025, 5, 18))["standing"]
    assert (st.behind, st.unpaid_bills, st.oldest_due) == (True, 3, due)


def test_bpu_threshold_is_the_rule_tables_and_not_confirmed(monkeypatch: Any, tmp_path: Any) -> None:
    # rules.md §12.2: BPU cover non-active after 3 unpaid months, one secondary source [M].
    due = D(2025, 2, 15)
    default = standing_of(kind="self", oldest_unpaid_due=due, unpaid_bills=2, as_of=D(2025, 4, 20))
    assert default is not None
    assert (default.behind, default.confirmed) == (False, False)
    assert "§12.2" in default.rule
    # A corrected table (CAKUPAN_CONTRIBUTION_TABLES) changes it without code.
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    override = tmp_path / "contributions.toml"
    override.write_text(
        text.replace("bpu_months = { value = 3,", "bpu_months = { value = 1,"), encoding="utf-8"
    )
    monkeypatch.setenv(PATH_ENV, str(override))
    short = standing_of(kind="sponsor", oldest_unpaid_due=due, unpaid_bills=2, as_of=D(2025, 4, 20))
    assert short is not None
    assert short.behind
