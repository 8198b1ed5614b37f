"""JP from the registry's wage history (issue 18 point 3): a claim's request carries the wages of the worker's
jobs with their start months and the months actually paid, and the calculator averages those months' capped,
indexed wages (PP 45/2015), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cakupan.benefits.eligibility import eligibility_assess
from cakupan.benefits.tests.factories import paid_months, periods, pu_member
from cakupan.registry import services
from cakupan.registry.models import WageHistory
from cakupan.rules.benefits import benefit_compute


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_raise_and_a_gap_in_payments_give_the_pp45_2015_average_of_the_months_paid(world: Any) -> None:
    # Born 1962: 61 in 2024, past the pension age of 58. Wage 4,000,000 + 250,000.
    member = pu_member(world.admin, world.hospital, 31, start=dt.date(2021, 3, 1), born=dt.date(1962, 5, 1))
    assert member.employment is not None
    services.employment_update(
        actor=world.admin,
        employment=member.employment,
        basic_wage=12_000_000,
        wage_from=dt.date(2023, 1, 1),
    )
    paid_months(member, periods("2021-03", 10) + periods("2023-01", 6))  # 2022 never paid
    result = eligibility_assess(person=member.person, benefit="JP", event_date=dt.date(2024, 1, 10))
    assert result.request is not None
    request = result.request
    assert request["wage_history"] == [
        {"from": "2021-03", "wage": 4_250_000},
        {"from": "2023-01", "wage": 12_250_000},
    ]
    assert request["paid_periods"] == periods("2021-03", 10) + periods("2023-01", 6)
    assert "average_indexed_wage" not in request
    answer = benefit_compute(request)
    # 2021 wages x CPI 2021-2023 (1.0187 x 1.0551 x 1.0261 = 1.102883...): 10 x 4,250,000 x 1.102883...;
    # 2023 wages capped: Jan-Feb at the Mar 2022 cap 9,077,600, Mar-Jun at 9,559,600, x CPI 2023 1.0261;
    # sum / 16 = 6,546,126.2 -> 6,546,126. Under 180 months: lump sum 3 % x 6,546,126 x 16 = 3,142,140.
    assert answer["details"]["average_indexed_wage"] == 6_546_126
    assert answer["details"]["wage_months_averaged"] == 16
    assert [c["amount"] for c in answer["components"]] == [3_142_140]
    assert {"jp_wage_index.2022", "jp_wage_index.method"} <= {u["key"] for u in answer["unconfirmed"]}


def test_a_job_without_history_falls_back_to_the_last_reported_wage(world: Any) -> None:
    member = pu_member(world.admin, world.hospital, 32, start=dt.date(2021, 3, 1))
    WageHistory.objects.filter(employment=member.employment).delete()
    paid_months(member, periods("2021-03", 3))
    result = eligibility_assess(person=member.person, benefit="JP", event_date=dt.date(2024, 1, 10))
    assert result.request is not None
    assert result.request["average_indexed_wage"] == 4_250_000
    assert "wage_history" not in result.request
