"""The agreement pages end to end through the test client: the office creates an agreement with the form,
moves it, ticks an obligation and adds a KPI; the agency reads it, its scorecard (trend, chart with the
target line) and the PDF for the quarterly meeting; the agency's home counts its agreements."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cakupan.accounts.permissions import SYSTEM
from cakupan.partners.kpis import catalogue as k
from cakupan.partners.kpis.compute import agreement_kpis_compute
from cakupan.partners.models import Agreement, ObligationMark
from cakupan.partners.services.agreements import agreement_kpi_add
from cakupan.partners.tests.factories import agency_of, agreement

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_office_records_an_agreement_through_its_pages(world: Any) -> None:
    office = signed_in(world.branch_malang)
    form = office.get(reverse("partners:create"))
    assert form.status_code == 200
    agency = agency_of(world.agency_health_malang)
    bad = office.post(reverse("partners:create"), {"number": "", "region": "35.73"})
    assert bad.status_code == 400
    done = office.post(
        reverse("partners:create"),
        {
            "number": "11/PKS/MLG/2026",
            "title": "Tenaga kesehatan terlindungi",
            "region": "35.73",
            "signed_on": "2026-01-05",
            "valid_from": "2026-01-05",
            "valid_to": "2028-01-04",
            "agencies": [str(agency.pk)],
            "association": "Paguyuban Klinik Kota Malang",
            "segments": ["PU"],
            "obligations": ["workforce_data", "socialisation"],
        },
    )
    assert done.status_code == 302
    found = Agreement.objects.get(number="11/PKS/MLG/2026")
    assert [p.name for p in found.parties.all()] == [
        "Dinas Kesehatan Kota Malang",
        "Paguyuban Klinik Kota Malang",
    ]
    detail = reverse("partners:detail", args=[found.pk])
    assert office.post(reverse("partners:status", args=[found.pk]), {"status": "ended"}).status_code == 400
    assert office.post(reverse("partners:status", args=[found.pk]), {"status": "active"}).status_code == 302
    data = found.obligations.get(kind="workforce_data")
    marked = office.post(
        reverse("partners:obligation_mark", args=[found.pk, data.pk]), {"period": "2026-02", "done": "on"}
    )
    assert marked.status_code == 302
    assert ObligationMark.objects.get(obligation=data).done is True
    added = office.post(
        reverse("partners:kpi_add", args=[found.pk]),
        {"key": k.HEALTH_WORKERS, "baseline": "50", "target": "100"},
    )
    assert added.status_code == 302
    assert office.post(reverse("partners:kpi_add", args=[found.pk]), {"key": "x"}).status_code == 400
    page = office.get(detail).content.decode()
    assert "Paguyuban Klinik Kota Malang" in page
    assert "tenaga kesehatan yang terlindungi" in page
    edit = office.post(
        reverse("partners:edit", args=[found.pk]),
        {
            "title": "Judul baru",
            "region": "35.73",
            "signed_on": "2026-01-05",
            "valid_from": "2026-01-05",
            "valid_to": "2028-01-04",
        },
    )
    assert edit.status_code == 302
    assert Agreement.objects.get(pk=found.pk).title == "Judul baru"


def test_the_agency_reads_its_agreement_scorecard_and_pdf(world: Any) -> None:
    found = agreement(world.branch_malang, agencies=(agency_of(world.agency_health_malang),))
    Agreement.objects.filter(pk=found.pk).update(status="active")
    agreement_kpi_add(
        actor=world.branch_malang, agreement=found.pk, key=k.HEALTH_WORKERS, baseline=50, target=100
    )
    for month in ("2025-08", "2025-09", "2025-10"):
        agreement_kpis_compute(actor=SYSTEM, period=month)
    agency = signed_in(world.agency_health_malang)
    listing = agency.get(reverse("partners:list")).content.decode()
    assert found.number in listing
    detail = agency.get(reverse("partners:detail", args=[found.pk])).content.decode()
    assert "100,0\u00a0%" in detail  # the nurse is the hospital's one reported worker, covered
    assert 'id="kpi-form"' not in detail  # the agency reads, the office writes
    card = agency.get(reverse("partners:scorecard", args=[found.pk])).content.decode()
    assert card.count("<circle") == 3  # three months computed
    assert "stroke-dasharray" in card  # the target line and the path
    assert "Oktober 2025" in card
    assert "tercapai" in card  # reached: 100 % against a target of 100
    pdf = agency.get(reverse("partners:scorecard_pdf", args=[found.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    home = agency.get(reverse("home"))
    queues = {item["name"]: item["value"] for item in home.context["queues"]}
    assert queues["agreements_in_force"] == 1


def test_the_list_filters_by_region_and_names_a_bad_code(world: Any) -> None:
    agreement(world.branch_malang)
    admin = signed_in(world.admin)
    assert re.search(r"01/PKS/MLG/2025", admin.get(reverse("partners:list") + "?region=35").content.decode())
    assert "01/PKS/MLG/2025" not in admin.get(reverse("partners:list") + "?region=32.16").content.decode()
    assert admin.get(reverse("partners:list") + "?region=xx").status_code == 400


def test_an_expiring_agreement_shows_on_the_office_home(world: Any) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    found = agreement(
        world.branch_malang,
        valid_from=today - dt.timedelta(days=400),
        signed_on=today - dt.timedelta(days=400),
        valid_to=today + dt.timedelta(days=40),
    )
    Agreement.objects.filter(pk=found.pk).update(status="expiring")
    home = signed_in(world.branch_malang).get(reverse("home"))
    queues = {item["name"]: item["value"] for item in home.context["queues"]}
    assert queues["agreements_expiring"] == 1
