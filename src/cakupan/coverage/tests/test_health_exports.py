"""The health-worker view (hand-counted) and the region report exports."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client

from cakupan.accounts.scope import scope_for
from cakupan.core.errors import NotInScope
from cakupan.coverage.health import health_view
from cakupan.coverage.models import WorkforceStat
from cakupan.coverage.services.snapshots import snapshot_build
from cakupan.coverage.tests.factories import person
from cakupan.registry import services
from cakupan.registry.models import Employment

DAY = dt.date(2025, 6, 30)


@pytest.fixture
def clinic(world: Any) -> Any:
    """World's hospital (the nurse, covered, all five programmes) plus a second, unregistered nurse; a
    clinic in 35.73 with two staff, one registered for JKK, JKM and JHT; and a clinic registering nobody."""
    admin = world.admin
    hospital_nurse = person(actor=admin, district="35.73.01", serial=50)
    services.employment_start(
        actor=admin, person=hospital_nurse, employer=world.hospital, start_date=dt.date(2024, 1, 1),
        basic_wage=4_000_000, occupation="kesehatan",
    )  # fmt: skip
    clinic = services.employer_register(
        actor=admin, npp="NPP00077", name="Klinik Contoh", legal_form="CV", size_class="kecil", kbli="86105",
        risk_class=2, region="35.73.02", facility_type="klinik",
    )  # fmt: skip
    empty = services.employer_register(
        actor=admin, npp="NPP00078", name="Klinik Kosong", legal_form="CV", size_class="mikro", kbli="86105",
        risk_class=2, region="35.73.03", facility_type="klinik",
    )  # fmt: skip
    for serial, employer, enrol in ((51, clinic, True), (52, clinic, False), (53, empty, False)):
        who = person(actor=admin, district="35.73.02", serial=serial)
        services.employment_start(
            actor=admin, person=who, employer=employer, start_date=dt.date(2024, 1, 1),
            basic_wage=3_500_000, occupation="kesehatan",
        )  # fmt: skip
        if enrol:
            services.membership_enrol(
                actor=admin, person=who, segment="PU", programs=["JKK", "JKM", "JHT"],
                start_date=dt.date(2024, 1, 1), payer_kind="employer", employer=employer,
            )  # fmt: skip
    return world


def test_health_view_counts_by_facility_type(clinic: Any) -> None:
    view = health_view(scope=scope_for(clinic.agency_health_malang), region="", day=DAY)
    assert view["region"] == "35.73"
    rows = {r["type"]: r for r in view["rows"]}
    assert set(rows) == {"rumah_sakit", "klinik"}
    hospital, clinics = rows["rumah_sakit"], rows["klinik"]
    assert (hospital["facilities"], hospital["registering_nobody"]) == (1, 0)
    assert (hospital["reported"], hospital["covered"], hospital["registered"]) == (2, 1, 1)
    assert (hospital["jkk"], hospital["jht"], hospital["jp"], hospital["jkp"]) == (1, 1, 1, 1)
    assert (clinics["facilities"], clinics["registering_nobody"]) == (2, 1)
    assert (clinics["reported"], clinics["covered"], clinics["registered"]) == (3, 1, 1)
    assert (clinics["jkk"], clinics["jht"], clinics["jp"]) == (1, 1, 0)
    total = view["total"]
    assert (total["reported"], total["covered"], total["uncovered"]) == (5, 2, 3)
    assert total["progress"] == 0.4


def test_health_view_is_scoped(clinic: Any) -> None:
    with pytest.raises(NotInScope):
        health_view(scope=scope_for(clinic.agency_health_malang), region="35.07", day=DAY)
    # The Bekasi labour agency sees its regency, where the factory is no health facility.
    assert health_view(scope=scope_for(clinic.agency_labour_bekasi), region="", day=DAY)["rows"] == []
    client = Client()
    client.force_login(clinic.agency_health_malang)
    assert client.get("/coverage/health/").status_code == 200
    assert client.get("/coverage/health/", {"region": "32.16"}).status_code == 404
    client.force_login(clinic.hr_hospital)
    assert client.get("/coverage/health/").status_code == 403


def test_the_view_reads_the_snapshot_built_with_the_same_counts(clinic: Any) -> None:
    """Asked for today, the view sums the last built month's facility rows, for Indonesia, a province and
    a regency alike: the same figures as the live count on that month's last day. A later change shows
    in a live count (a given day) only, until the next build."""
    agency = scope_for(clinic.agency_health_malang)
    live = {r["type"]: r for r in health_view(scope=agency, region="", day=DAY)["rows"]}
    assert health_view(scope=agency, region="")["period"] is None  # no month built: counted live
    snapshot_build(period="2025-06")
    for scope, region in ((agency, ""), (scope_for(clinic.admin), "35.73")):
        shown = health_view(scope=scope, region=region)
        assert (shown["period"], shown["day"]) == ("2025-06", DAY.isoformat())
        assert {r["type"]: r for r in shown["rows"]} == live
    for region in ("", "35"):
        wide = {r["type"]: r for r in health_view(scope=scope_for(clinic.admin), region=region)["rows"]}
        assert (wide["klinik"]["reported"], wide["rumah_sakit"]["reported"]) == (3, 2)
    clinic_job = Employment.objects.get(person__nik__endswith="0051")
    services.employment_update(actor=clinic.admin, employment=clinic_job, end_date=DAY)
    later = health_view(scope=agency, region="", day=dt.date(2025, 7, 31))
    assert {r["type"]: r["reported"] for r in later["rows"]}["klinik"] == 2
    assert {r["type"]: r["reported"] for r in health_view(scope=agency, region="")["rows"]}["klinik"] == 3
    client = Client()
    client.force_login(clinic.agency_health_malang)
    assert 'id="health-snapshot"' in client.get("/coverage/health/").text


@pytest.fixture
def built(world: Any) -> Any:
    WorkforceStat.objects.create(region_id="35.73", year=2024, survey_month=8, employed=40, source="test")
    snapshot_build(period="2025-04")
    snapshot_build(period="2025-05")
    return world


def test_xlsx_export_holds_the_figures(built: Any) -> None:
    import polars as pl

    client = Client()
    client.force_login(built.admin)
    answer = client.get("/coverage/export.xlsx", {"period": "2025-05", "region": "35.73"})
    assert answer.status_code == 200
    assert answer["Content-Disposition"] == 'attachment; filename="cakupan-35.73-2025-05.xlsx"'
    sheets = pl.read_excel(io.BytesIO(answer.content), sheet_id=0, has_header=False)
    names = list(sheets)
    labels, values = sheets[names[0]].to_dict(as_series=False).values()
    # Rows by position (the labels follow the user's language): region, month, active, workforce.
    assert values[:4] == ["35.73 Kota Malang", "Mei 2025", "2", "40"]
    assert len(labels) == len(values)
    months, active = sheets[names[-1]].to_dict(as_series=False).values()
    assert (months[1:], active[1:]) == (["April 2025", "Mei 2025"], ["1", "2"])


def test_pdf_export_and_scope(built: Any) -> None:
    client = Client()
    client.force_login(built.agency_health_malang)
    answer = client.get("/coverage/export.pdf", {"period": "2025-05", "region": "35.73"})
    assert answer.status_code == 200
    assert answer.content.startswith(b"%PDF")
    assert client.get("/coverage/export.pdf", {"period": "2025-05", "region": "35.07"}).status_code == 404
    assert client.get("/coverage/export.xlsx", {"period": "2025-13", "region": "35.73"}).status_code == 400
    assert client.get("/coverage/export.csv", {"period": "2025-05", "region": "35.73"}).status_code == 404
