"""The demo's agreements (demo/s7_agreements.py) at a small scale: each seed agreement with its KPIs
computed from the demo's own rows; Lhokseumawe's health-worker share is the one the S5 facilities give at
this scale (993 of 1,252 = 79.3 % at scale 1.0), Kota Malang's coverage rate the snapshot's; Batang is
expiring with its alert. The set is loaded once, inside a transaction rolled back at the end."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.db import transaction

from cakupan.accounts.models import User
from cakupan.accounts.scope import EVERYTHING
from cakupan.coverage.selectors import coverage_show
from cakupan.demo import figures, s5_lhokseumawe, s7_agreements
from cakupan.demo.services import demo_load
from cakupan.partners.models import Agreement, AgreementAlert
from cakupan.partners.selectors import agreement_kpis, agreement_list

SCALE = 0.02


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_load(seed=4242, scale=SCALE)
        transaction.set_rollback(True)


def test_the_seed_agreements_and_their_kpis(demo: Any, db: Any) -> None:
    assert set(Agreement.objects.values_list("number", flat=True)) == set(s7_agreements.NUMBERS)
    for number in s7_agreements.NUMBERS:
        out = agreement_kpis(scope=EVERYTHING, number=number)
        assert out["period"] == "2025-10", number
        assert out["kpis"], number


def test_lhokseumawe_health_workers_covered_as_the_facilities_give_it(demo: Any, db: Any) -> None:
    staff = [figures.scaled(row[4], SCALE) for row in s5_lhokseumawe.FACILITIES]
    covered = sum(round(n * row[5]) for n, row in zip(staff, s5_lhokseumawe.FACILITIES, strict=True))
    share = (Decimal(covered) * 100 / sum(staff)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    out = agreement_kpis(scope=EVERYTHING, number=s7_agreements.LHOKSEUMAWE_NUMBER, period="2025-10")
    assert [(k["key"], k["value"], k["unit"]) for k in out["kpis"]] == [
        ("health_workers_covered", float(share), "percent")
    ]


def test_kota_malang_coverage_rate_is_the_snapshots(demo: Any, db: Any) -> None:
    shown = coverage_show(scope=EVERYTHING, region="35.73", period="2025-10")
    out = agreement_kpis(scope=EVERYTHING, number=s7_agreements.MALANG_NUMBER, period="2025-10")
    rate = next(k for k in out["kpis"] if k["key"] == "coverage_rate")
    assert rate["value"] == round(shown["rate"] * 100, 1)


def test_batang_is_expiring_with_its_alert_and_each_agency_sees_its_own(demo: Any, db: Any) -> None:
    batang = Agreement.objects.get(number=s7_agreements.BATANG_NUMBER)
    assert batang.status == "expiring"
    assert AgreementAlert.objects.filter(agreement=batang, threshold_days=90).exists()
    disnaker = User.objects.get(username="disnaker_batang")
    assert list(agreement_list(user=disnaker).values_list("number", flat=True)) == [batang.number]
    dinkes = User.objects.get(username="dinkes_lhokseumawe")
    assert list(agreement_list(user=dinkes).values_list("number", flat=True)) == [
        s7_agreements.LHOKSEUMAWE_NUMBER
    ]
