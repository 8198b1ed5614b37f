"""Jakon and PMI in billing (issue 18 point 4), on a real database: a Jakon membership is billed by its
contract value (rules.md §3.1, marginal brackets) and a PMI membership by its contract length (§3.2,
Permenaker 4/2023 Pasal 18), each once for the contract, in the membership's first month. Figures by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cakupan.contributions.models import BillingRun, BillLine
from cakupan.contributions.services.billing import billing_run
from cakupan.contributions.tests.factories import person_make
from cakupan.core.errors import InvalidInput
from cakupan.registry import services
from cakupan.registry.models import Membership

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def jakon(world: Any, serial: int, value: int | None) -> Membership:
    return services.membership_enrol(
        actor=world.admin,
        person=person_make(world.admin, serial),
        segment="JAKON",
        programs=["JKK", "JKM"],
        start_date=D(2024, 5, 10),
        payer_kind="employer",
        employer=world.factory,
        contract_value=value,
    )


def pmi(
    world: Any, serial: int, months: int, *, individual: bool = False, jht: int | None = None
) -> Membership:
    return services.membership_enrol(
        actor=world.admin,
        person=person_make(world.admin, serial),
        segment="PMI",
        programs=["JKK", "JKM", "JHT"] if jht else ["JKK", "JKM"],
        start_date=D(2024, 5, 2),
        payer_kind="self",
        contract_months=months,
        pmi_jht_amount=jht,
        pmi_individual=individual,
    )


def skipped(period: str) -> dict[str, int]:
    run = BillingRun.objects.filter(period=period).latest("id")
    return dict(run.counts["skipped_reasons"])


def test_permenaker_44_2015_jakon_is_billed_once_by_contract_value_brackets(world: Any) -> None:
    project = jakon(world, 61, 600_000_000)
    assert billing_run(period="2024-05").status == "done"
    line = BillLine.objects.select_related("bill__account").get(membership=project, period="2024-05")
    # JKK, marginal: 100,000,000 x 0.21 % = 210,000; 400,000,000 x 0.17 % = 680,000;
    # 100,000,000 x 0.13 % = 130,000; together 1,020,000.
    # JKM by the same slices: 30,000 + 80,000 + 20,000 = 130,000.
    assert (line.jkk, line.jkm, line.amount) == (1_020_000, 130_000, 1_150_000)
    assert line.employer_share == 1_150_000
    assert line.base == 600_000_000
    assert line.bill.account.employer_id == world.factory.pk
    # The next month owes nothing more for the same contract.
    assert billing_run(period="2024-06").status == "done"
    assert not BillLine.objects.filter(membership=project, period="2024-06").exists()
    assert skipped("2024-06")["JAKON: paid once for the contract, in the membership's first month."] == 1


def test_a_run_names_its_pro_rating_rule_as_unconfirmed(world: Any) -> None:
    # rules.md has no pro-rating rule for a membership ending mid-month: the whole month is charged, and
    # the run says which rule it used and that it is unconfirmed (contribution table `proration`).
    ending = jakon(world, 63, 100_000_000)
    services.membership_end(actor=world.admin, membership=ending, end_date=D(2024, 5, 20))
    assert billing_run(period="2024-05").status == "done"
    run = BillingRun.objects.filter(period="2024-05").latest("id")
    assert run.counts["proration"] == {"method": "whole_month", "confidence": "unconfirmed"}
    # 100,000,000 x 0.21 % = 210,000 and x 0.03 % = 30,000: the whole amount, not 20/31 of it.
    assert BillLine.objects.get(membership=ending, period="2024-05").amount == 240_000


def test_a_jakon_membership_without_contract_value_is_skipped_naming_the_field(world: Any) -> None:
    project = jakon(world, 62, None)
    assert billing_run(period="2024-05").status == "done"
    assert not BillLine.objects.filter(membership=project).exists()
    assert any("JAKON contract_value" in reason for reason in skipped("2024-05"))


@pytest.mark.parametrize(
    ("months", "fee"),
    [
        (24, 332_500),  # Permenaker 4/2023 Pasal 18: 24 months Rp332,500
        (12, 189_000),  # 12 months Rp189,000
        (15, 189_000 + 3 * 13_500),  # 12 months + 3 x Rp13,500 = 229,500
    ],
)
def test_permenaker_4_2023_pasal_18_pmi_pays_its_contract_package_once(
    world: Any, months: int, fee: int
) -> None:
    worker = pmi(world, 70 + months, months)
    alone = pmi(world, 100 + months, months, individual=True)
    assert billing_run(period="2024-05").status == "done"
    line = BillLine.objects.select_related("bill__account").get(membership=worker, period="2024-05")
    # Pasal 18 ayat 1: placed through an agency, the pre-placement protection Rp37,500 comes first.
    assert line.amount == fee + 37_500
    assert line.worker_share == fee + 37_500
    assert line.bill.account.person_id == worker.person_id
    # Pasal 18 ayat 2: a worker going individually (perseorangan) pays the package only.
    assert BillLine.objects.get(membership=alone, period="2024-05").amount == fee
    assert billing_run(period="2024-07").status == "done"
    assert not BillLine.objects.filter(membership__in=[worker, alone], period="2024-07").exists()


def test_permenaker_4_2023_pmi_optional_jht_is_billed_at_the_chosen_amount_each_month(world: Any) -> None:
    worker = pmi(world, 131, 12, jht=100_000)
    for period in ("2024-05", "2024-06"):
        assert billing_run(period=period).status == "done"
    first = BillLine.objects.get(membership=worker, period="2024-05")
    # First month: the 12-month package Rp189,000 (JKK column) + pre-placement Rp37,500 + JHT Rp100,000.
    assert (first.jkk, first.jht, first.amount) == (189_000 + 37_500, 100_000, 326_500)
    # The months after: the chosen JHT only (monthly: the table flags this reading unconfirmed).
    later = BillLine.objects.get(membership=worker, period="2024-06")
    assert (later.jkk, later.jkm, later.jht, later.amount, later.worker_share) == (
        0,
        0,
        100_000,
        100_000,
        100_000,
    )


def test_pmi_jht_amount_must_be_one_of_the_choices_and_only_for_pmi_in_jht(world: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        pmi(world, 132, 12, jht=75_000)
    assert [e.field for e in caught.value.errors] == ["pmi_jht_amount"]
    assert "Rp50.000" in str(caught.value.errors[0].message)
    # Without an amount (the API has no such field) the membership is kept and billed without JHT.
    unnamed = services.membership_enrol(
        actor=world.admin,
        person=person_make(world.admin, 133),
        segment="PMI",
        programs=["JKK", "JKM", "JHT"],
        start_date=D(2024, 5, 2),
        payer_kind="self",
        contract_months=12,
    )
    assert billing_run(period="2024-05").status == "done"
    line = BillLine.objects.get(membership=unnamed, period="2024-05")
    assert (line.jht, line.amount) == (0, 189_000 + 37_500)
    with pytest.raises(InvalidInput) as caught:
        services.membership_enrol(
            actor=world.admin,
            person=person_make(world.admin, 134),
            segment="BPU",
            programs=["JKK", "JKM", "JHT"],
            start_date=D(2024, 5, 2),
            payer_kind="self",
            declared_income=1_000_000,
            bpu_sector="other",
            pmi_jht_amount=100_000,
            pmi_individual=True,
        )
    assert sorted(e.field for e in caught.value.errors) == ["pmi_individual", "pmi_jht_amount"]


def test_contract_fields_belong_to_their_segment(world: Any) -> None:
    person = person_make(world.admin, 90)
    with pytest.raises(InvalidInput) as caught:
        services.membership_enrol(
            actor=world.admin,
            person=person,
            segment="PMI",
            programs=["JKK", "JKM"],
            start_date=D(2024, 5, 2),
            payer_kind="self",
            contract_value=5,
            contract_months=0,
        )
    assert {e.field for e in caught.value.errors} == {"contract_value", "contract_months"}
    assert not Membership.objects.filter(person=person).exists()


def test_pp49_2020_jp_deferral_bills_1_percent_of_jp_for_a_qualifying_employer_in_the_relief_months(
    world: Any,
) -> None:
    from cakupan.registry.services.relief import employer_jp_deferral_set

    nurse = Membership.objects.get(person=world.nurse)  # PU since 2020-01, wage 4,500,000, at the hospital
    employer_jp_deferral_set(actor=world.admin, employer=world.hospital, qualifies=True)
    for period in ("2020-07", "2020-09"):
        assert billing_run(period=period).status == "done"
    normal = BillLine.objects.get(membership=nurse, period="2020-07")
    deferred = BillLine.objects.get(membership=nurse, period="2020-09", bill__kind="regular")
    # JP on 4,500,000 (under the 2020 cap 8,939,700): employer 2 % = 90,000, worker 1 % = 45,000.
    assert normal.jp == 135_000
    # PP 49/2020: 99 % deferred, each party's share charged at 1 %: 900 + 450.
    assert deferred.jp == 1_350
    assert normal.worker_share - deferred.worker_share == 45_000 - 450
    # Unmarked, the same employer's next run for that month would bill JP in full: the mark is what defers.
    employer_jp_deferral_set(actor=world.admin, employer=world.hospital, qualifies=False)
    BillLine.objects.filter(membership=nurse, period="2020-09").delete()
    assert billing_run(period="2020-09").status == "done"
    assert BillLine.objects.get(membership=nurse, period="2020-09", bill__kind="regular").jp == 135_000
