"""PP 49/2020 in billing: a bill for 2020-09 and one for 2020-02 for the same members, on a real database.

PP 49/2020 (rules.md §2.7), for the contributions of August 2020 to January 2021: JKK and JKM at 1 % of the
normal amount for PU, BPU and Jakon; due by the 30th of the following month; late fine 0.5 % a month. All
figures are worked by hand below; the calculator must give the same.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cakupan.contributions.models import Bill, BillLine
from cakupan.contributions.selectors_payments import fine_as_of
from cakupan.contributions.services.billing import billing_run
from cakupan.contributions.services.billing_dates import due_date_for
from cakupan.contributions.tests.factories import person_make
from cakupan.registry import services
from cakupan.registry.models import Membership
from cakupan.rules.contributions import contribution_assess
from cakupan.rules.period import Period

pytestmark = pytest.mark.django_db

D = dt.date


def _line(member: Membership, period: str) -> BillLine:
    return BillLine.objects.select_related("bill__account").get(membership=member, period=period)


def _bpu_self_since_2020(world: Any) -> Membership:
    person = person_make(world.admin, 49, district="35.73.01")
    return services.membership_enrol(
        actor=world.admin,
        person=person,
        segment="BPU",
        programs=["JKK", "JKM", "JHT"],
        start_date=D(2020, 1, 1),
        payer_kind="self",
        declared_income=1_000_000,
        bpu_sector="other",
    )


def test_pp49_2020_bill_of_2020_09_differs_from_2020_02_exactly_as_the_regulation_says(world: Any) -> None:
    nurse = Membership.objects.get(person=world.nurse)  # PU since 2020-01, wage 4,500,000, risk class 2
    driver = _bpu_self_since_2020(world)
    for period in ("2020-02", "2020-09"):
        assert billing_run(period=period).status == "done"

    before, relief = _line(nurse, "2020-02"), _line(nurse, "2020-09")
    # 2020-02: JKK 0.54 % x 4,500,000 = 24,300; JKM 0.30 % = 13,500; JHT 166,500 + 90,000; JP (cap 8,512,400)
    # 90,000 + 45,000. JKP did not exist yet (PP 37/2021, Feb 2021): not billed although the member holds it.
    assert (before.jkk, before.jkm, before.jht, before.jp, before.jkp) == (
        24_300,
        13_500,
        256_500,
        135_000,
        0,
    )
    assert before.amount == 429_300
    # 2020-09: JKK and JKM at 1 % of the normal amount (PP 49/2020): 243 and 135; JHT and JP unchanged.
    assert (relief.jkk, relief.jkm, relief.jht, relief.jp, relief.jkp) == (243, 135, 256_500, 135_000, 0)
    assert relief.amount == 391_878
    assert before.amount - relief.amount == (24_300 - 243) + (13_500 - 135)
    # The employer's shares: only JKK and JKM moved; the worker's deduction is the same.
    assert before.employer_share - relief.employer_share == 24_300 - 243 + 13_500 - 135
    assert before.worker_share == relief.worker_share == 90_000 + 45_000
    assert not BillLine.objects.filter(membership=nurse, bill__account__kind="government").exists()

    # BPU, income 1,000,000: 2020-02 JKK 10,000 + JKM 6,800 + JHT 20,000;
    # 2020-09 JKK 100 + JKM 68 + JHT 20,000.
    own_before, own_relief = _line(driver, "2020-02"), _line(driver, "2020-09")
    assert (own_before.jkk, own_before.jkm, own_before.jht, own_before.amount) == (
        10_000,
        6_800,
        20_000,
        36_800,
    )
    assert (own_relief.jkk, own_relief.jkm, own_relief.jht, own_relief.amount) == (100, 68, 20_000, 20_168)

    # The calculator (CLI, API) gives the same amounts for the same months.
    for line, period in ((before, "2020-02"), (relief, "2020-09")):
        answer = contribution_assess(
            {
                "segment": "PU",
                "period": period,
                "programs": ["JKK", "JKM", "JHT", "JP"],
                "monthly_wage": 4_500_000,
                "risk_class": 2,
            }
        )
        assert (line.employer_share, line.worker_share) == (
            answer["totals"]["employer"],
            answer["totals"]["worker"],
        )
        assert ("pp49_2020" in [f["code"] for f in answer["flags"]]) is (period == "2020-09")

    # Due dates: PU by the 15th of the following month (15 Mar 2020 is a Sunday: Monday 16 Mar); BPU by the
    # 15th of the same month (15 Feb 2020 is a Saturday: Monday 17 Feb). PP 49/2020: both by Fri 30 Oct 2020.
    assert (before.bill.due_date, relief.bill.due_date) == (D(2020, 3, 16), D(2020, 10, 30))
    assert (own_before.bill.due_date, own_relief.bill.due_date) == (D(2020, 2, 17), D(2020, 10, 30))

    # Late fines, both employer bills unpaid on 1 Feb 2021: 2020-02 is 11 started months late at 2 %
    # (16 Mar 2020 -> 1 Feb 2021), 2020-09 is 4 started months late at 0.5 % (30 Oct 2020 -> 1 Feb 2021).
    as_of = D(2021, 2, 1)
    assert fine_as_of(Bill.objects.get(pk=before.bill_id), as_of) == 11 * 8_586  # 2 % of 429,300 = 8,586
    assert fine_as_of(Bill.objects.get(pk=relief.bill_id), as_of) == 4 * 1_959  # 0.5 % of 391,878 = 1,959.39


@pytest.mark.parametrize(
    ("period", "kind", "due"),
    [
        ("2020-07", "employer", D(2020, 8, 18)),  # the 15th: Sat 15 Aug, Mon 17 Aug Independence Day
        ("2020-07", "self", D(2020, 7, 15)),  # BPU: the 15th of the same month
        ("2020-08", "employer", D(2020, 9, 30)),  # PP 49/2020's first month: the 30th of the following month
        ("2020-08", "self", D(2020, 9, 30)),
        ("2021-01", "employer", D(2021, 3, 1)),  # no 30 Feb: the 28th, a Sunday -> Monday 1 Mar
        ("2021-01", "self", D(2021, 3, 1)),
        ("2021-02", "employer", D(2021, 3, 15)),  # relief over: the 15th again
        ("2021-02", "self", D(2021, 2, 15)),
    ],
)
def test_pp49_2020_due_dates_at_the_edges(period: str, kind: str, due: dt.date) -> None:
    assert due_date_for(period=Period.parse(period), payer_kind=kind) == due
