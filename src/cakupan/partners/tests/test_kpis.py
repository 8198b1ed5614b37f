"""Every KPI definition against a figure worked out by hand from rows the test writes through the
services; the monthly computation (status on the straight path, rerun replaces) with a query count that
does not grow with the number of agreements; the registry that lets another app add a definition."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from conftest import person_data
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cakupan.accounts.permissions import SYSTEM
from cakupan.compliance.models import Case
from cakupan.coverage.models import WorkforceStat
from cakupan.coverage.services.snapshots import snapshot_build
from cakupan.partners import kpis as registry
from cakupan.partners.kpis import KpiDefinition, Measure, Unit, per_kpi, register_kpi, value_of
from cakupan.partners.kpis import catalogue as k
from cakupan.partners.kpis.compute import agreement_kpis_compute, expected_on_path, kpi_status
from cakupan.partners.models import AgreementKpi, KpiValue
from cakupan.partners.services.agreements import agreement_kpi_add
from cakupan.partners.tests.factories import agreement
from cakupan.registry import services
from cakupan.rules.period import Period

pytestmark = pytest.mark.django_db
OCT = Period(2025, 10)


def kpi(found: Any, key: str, **params: Any) -> AgreementKpi:
    return agreement_kpi_add(
        actor=params.pop("by"),
        agreement=found.pk,
        key=key,
        baseline=params.pop("baseline", 0),
        target=params.pop("target", 100),
        **params,
    )


def bpu_member(world: Any, serial: int, district: str, start: dt.date, **payer: Any) -> Any:
    person = services.person_register(
        actor=world.admin,
        **person_data(district, dt.date(1980, 1, 1 + serial % 28), "L", 40 + serial, f"W{serial}"),
    )
    return services.membership_enrol(
        actor=world.admin,
        person=person,
        segment="BPU",
        programs=["JKK", "JKM"],
        start_date=start,
        payer_kind=payer.get("payer_kind", "self"),
        sponsor=payer.get("sponsor"),
        declared_income=1_000_000,
        bpu_sector="other",
    )


def hospital_worker(world: Any, serial: int, *, member_from: dt.date | None) -> None:
    person = services.person_register(
        actor=world.admin,
        **person_data("35.73.01", dt.date(1988, 2, 1 + serial), "P", 60 + serial, f"N{serial}"),
    )
    services.employment_start(
        actor=world.admin,
        person=person,
        employer=world.hospital,
        start_date=dt.date(2024, 1, 1),
        basic_wage=3_500_000,
    )
    if member_from is not None:
        services.membership_enrol(
            actor=world.admin,
            person=person,
            segment="PU",
            programs=["JKK", "JKM", "JHT"],
            start_date=member_from,
            payer_kind="employer",
            employer=world.hospital,
        )


def value(found: AgreementKpi, period: Period) -> Measure | None:
    return value_of(AgreementKpi.objects.select_related("agreement").get(pk=found.pk), period)


def number(found: AgreementKpi, period: Period) -> Decimal:
    measure = value(found, period)
    assert measure is not None
    return measure.value


def test_coverage_rate_of_a_region_segment_and_sector_from_the_snapshot(world: Any) -> None:
    # Kota Malang on 31 October 2025: the nurse (PU, hospital) and the driver (BPU, CSR): 2 active.
    WorkforceStat.objects.create(
        region_id="35.73", year=2024, survey_month=8, employed=40, sectors={"rumah_sakit": 10}, source="uji"
    )
    snapshot_build(period="2025-10")
    found = agreement(world.branch_malang)
    whole = kpi(found, k.COVERAGE_RATE, by=world.branch_malang)
    informal = kpi(found, k.COVERAGE_RATE, by=world.branch_malang, segment="BPU")
    hospitals = kpi(found, k.COVERAGE_RATE, by=world.branch_malang, sector="rumah_sakit")
    assert value(whole, OCT) == Measure(Decimal("5.0"), 2, 40)  # 2 / 40
    assert value(informal, OCT) == Measure(Decimal("2.5"), 1, 40)  # 1 / 40
    assert value(hospitals, OCT) == Measure(Decimal("10.0"), 1, 10)  # 1 / the sector's 10
    assert value(whole, Period(2025, 9)) is None  # no snapshot of September: no value, not 0 %


def test_new_members_of_a_segment_in_the_month(world: Any) -> None:
    # May 2025 in Kota Malang: the sponsored driver (BPU) and one self-paying BPU member; one in Kab. Malang
    # and one starting in June do not count.
    bpu_member(world, 1, "35.73.03", dt.date(2025, 5, 20))
    bpu_member(world, 2, "35.07.01", dt.date(2025, 5, 3))
    bpu_member(world, 3, "35.73.03", dt.date(2025, 6, 1))
    found = agreement(world.branch_malang)
    every = kpi(found, k.NEW_MEMBERS, by=world.branch_malang)
    informal = kpi(found, k.NEW_MEMBERS, by=world.branch_malang, segment="BPU")
    wage = kpi(found, k.NEW_MEMBERS, by=world.branch_malang, segment="PU")
    may = Period(2025, 5)
    assert (number(every, may), number(informal, may), number(wage, may)) == (2, 2, 0)
    assert number(every, Period(2025, 6)) == 1


def test_health_workers_covered_as_the_health_view_counts_them(world: Any) -> None:
    # The hospital reports 4 staff on 31 October 2025: the nurse and N1 are members, N2 joins in November,
    # N3 is not registered. The factory's operator works at no health facility.
    hospital_worker(world, 1, member_from=dt.date(2024, 2, 1))
    hospital_worker(world, 2, member_from=dt.date(2025, 11, 1))
    hospital_worker(world, 3, member_from=None)
    found = agreement(world.branch_malang)
    health = kpi(found, k.HEALTH_WORKERS, by=world.branch_malang)
    assert value(health, OCT) == Measure(Decimal("50.0"), 2, 4)
    assert value(health, Period(2025, 11)) == Measure(Decimal("75.0"), 3, 4)
    assert value(health, Period(2023, 12)) == Measure(Decimal("100.0"), 1, 1)  # before the three were hired


def test_unregistered_employers_followed_up_and_closed_since_the_agreement(world: Any) -> None:
    def case(name: str, region: str, opened: dt.date, closed: dt.date | None) -> None:
        row = Case.objects.create(
            name=name, name_key=name.lower(), region_id=region, gap=0, status="closed" if closed else "open"
        )
        at = lambda day: timezone.make_aware(dt.datetime.combine(day, dt.time(10)))  # noqa: E731
        Case.objects.filter(pk=row.pk).update(opened_at=at(opened), closed_at=at(closed) if closed else None)

    case("PT A", "35.73.01", dt.date(2025, 2, 1), dt.date(2025, 9, 15))  # followed up and closed
    case("PT B", "35.73.02", dt.date(2025, 3, 1), dt.date(2025, 11, 5))  # closed after October
    case("PT C", "35.73.01", dt.date(2024, 12, 1), dt.date(2025, 5, 1))  # opened before the agreement
    case("PT D", "32.16.01", dt.date(2025, 4, 1), dt.date(2025, 5, 1))  # another regency
    case("PT E", "35.73.01", dt.date(2025, 6, 1), None)  # still open
    found = agreement(world.branch_malang)  # in force from 10 January 2025
    followed = kpi(found, k.CASES_CLOSED, by=world.branch_malang)
    assert value(followed, OCT) == Measure(Decimal(1), 1, 3)
    assert value(followed, Period(2025, 11)) == Measure(Decimal(2), 2, 3)


def test_members_of_a_sponsored_cohort(world: Any) -> None:
    # The CSR sponsor pays the driver (from May 2025), W1 (from June) and W2 (from December).
    bpu_member(world, 1, "35.73.03", dt.date(2025, 6, 1), payer_kind="sponsor", sponsor=world.sponsor)
    bpu_member(world, 2, "35.73.03", dt.date(2025, 12, 1), payer_kind="sponsor", sponsor=world.sponsor)
    found = agreement(world.branch_malang)
    cohort = kpi(found, k.SPONSORED_COHORT, by=world.branch_malang, sponsor=world.sponsor.pk, target=103)
    assert number(cohort, OCT) == 2
    assert number(cohort, Period(2025, 12)) == 3


def test_the_straight_path_and_the_status() -> None:
    # 10 Jan 2025 to 9 Jan 2027 is 729 days; 31 Oct 2025 is 294 days in: 40 + 20 x 294/729 = 48.07 -> 48.1.
    from cakupan.partners.kpis.compute import path_fraction

    fraction = path_fraction(dt.date(2025, 1, 10), dt.date(2027, 1, 9), OCT)
    expected = expected_on_path(Decimal(40), Decimal(60), fraction)
    assert expected == Decimal("48.1")
    status = lambda v: kpi_status(Decimal(v), baseline=Decimal(40), target=Decimal(60), expected=expected)  # noqa: E731
    assert (status("48.1"), status("48.0"), status("60")) == ("on_track", "behind", "reached")
    # A target below its baseline (fewer uncovered employers) reads the other way round.
    down = kpi_status(Decimal(8), baseline=Decimal(10), target=Decimal(5), expected=Decimal("8.5"))
    assert down == "on_track"


def test_the_monthly_run_stores_values_and_statuses_and_a_rerun_replaces_them(world: Any) -> None:
    hospital_worker(world, 1, member_from=None)  # 1 of 2 covered: 50.0 %
    found = agreement(world.branch_malang)
    on_path = kpi(found, k.HEALTH_WORKERS, by=world.branch_malang, baseline=40, target=60)  # expects 48.1
    reached = kpi(found, k.HEALTH_WORKERS, by=world.branch_malang, baseline=0, target=50)
    draft = agreement(world.branch_malang, number="02/DRAFT", signed_on=None)
    kpi(draft, k.HEALTH_WORKERS, by=world.branch_malang)
    out = agreement_kpis_compute(actor=SYSTEM, period="2025-10")
    assert out["values"] == 2  # the draft measures nothing
    stored = {v.agreement_kpi_id: v for v in KpiValue.objects.filter(period="2025-10")}
    assert (stored[on_path.pk].value, stored[on_path.pk].expected, stored[on_path.pk].status) == (
        Decimal("50.0"),
        Decimal("48.1"),
        "on_track",
    )
    assert stored[reached.pk].status == "reached"
    hospital_worker(world, 2, member_from=None)  # now 1 of 3: 33.3 %, behind
    agreement_kpis_compute(actor=SYSTEM, period="2025-10")
    again = KpiValue.objects.get(agreement_kpi=on_path, period="2025-10")
    assert (again.value, again.status) == (Decimal("33.3"), "behind")
    assert KpiValue.objects.filter(period="2025-10").count() == 2


def _one_of_each(world: Any, number: str) -> None:
    found = agreement(world.branch_malang, number=number)
    for key in (k.COVERAGE_RATE, k.NEW_MEMBERS, k.HEALTH_WORKERS, k.CASES_CLOSED):
        kpi(found, key, by=world.branch_malang)
    kpi(found, k.SPONSORED_COHORT, by=world.branch_malang, sponsor=world.sponsor.pk)


def test_the_query_count_does_not_grow_with_the_agreements(world: Any) -> None:
    WorkforceStat.objects.create(region_id="35.73", year=2024, survey_month=8, employed=40, source="uji")
    snapshot_build(period="2025-10")
    _one_of_each(world, "N-1")
    with CaptureQueriesContext(connection) as one:
        agreement_kpis_compute(actor=SYSTEM, period="2025-10")
    for n in range(2, 7):
        _one_of_each(world, f"N-{n}")
    with CaptureQueriesContext(connection) as six:
        out = agreement_kpis_compute(actor=SYSTEM, period="2025-10")
    assert out["values"] == 30
    assert len(six.captured_queries) == len(one.captured_queries)


def test_another_app_registers_a_definition_over_the_placeholder(world: Any, monkeypatch: Any) -> None:
    # The registry as before the outreach app registered its definition: the catalogue's placeholder.
    monkeypatch.setattr(
        registry,
        "_REGISTRY",
        {**registry.definitions(), k.EVENT_CONVERSIONS: k.EVENT_CONVERSIONS_PLACEHOLDER},
    )
    found = agreement(world.branch_malang)
    events = kpi(found, k.EVENT_CONVERSIONS, by=world.branch_malang, target=50)
    assert agreement_kpis_compute(actor=SYSTEM, period="2025-10")["by_kpi"] == {k.EVENT_CONVERSIONS: 0}
    register_kpi(
        KpiDefinition(k.EVENT_CONVERSIONS, "event conversions", Unit.COUNT, per_kpi(lambda kpi, period: 7))
    )
    with pytest.raises(ValueError, match="registered already"):
        register_kpi(KpiDefinition(k.EVENT_CONVERSIONS, "again", Unit.COUNT, per_kpi(lambda kpi, period: 0)))
    agreement_kpis_compute(actor=SYSTEM, period="2025-10")
    assert KpiValue.objects.get(agreement_kpi=events).value == 7
