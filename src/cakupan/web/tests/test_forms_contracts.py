"""Registry pages for the fields billing prices by (issue 18): a changed wage's start month, a Jakon or PMI
membership's contract value and length (and a PMI's JHT amount and placement route), and the employer's
PP 49/2020 JP-deferral mark. Bad input shows field errors and writes nothing; good input is written by the
registry's services and audited; the pages read in Indonesian."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.urls import reverse

from cakupan.core.models import AuditEvent
from cakupan.registry.models import Employer, Employment, Membership, WageHistory

D = dt.date


def indonesian(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(user)
    return client


def errors(response: Any) -> dict[str, list[str]]:
    return {k: list(v) for k, v in response.context["form"].errors.items()}


def updates(instance: Any) -> list[dict[str, Any]]:
    return list(
        AuditEvent.objects.filter(
            action="update", entity=instance._meta.label_lower, entity_id=str(instance.pk)
        ).values_list("changes", flat=True)
    )


def test_employment_edit_keeps_the_new_wage_from_the_month_given(world: Any) -> None:
    client = indonesian(world.admin)
    job = Employment.objects.get(person=world.nurse)  # since 2020-01
    basic, allowance = job.basic_wage, job.fixed_allowance
    edit = reverse("registry:employment_edit", args=[job.pk])
    page = client.get(edit)
    assert "Upah baru mulai (bulan)" in page.text
    assert 'type="month"' in page.text
    good = {
        "start_date": job.start_date.isoformat(),
        "basic_wage": "5.000.000",
        "fixed_allowance": str(allowance),
        "occupation": job.occupation,
        "civil_service": job.civil_service,
    }
    rows = WageHistory.objects.count()
    for month, message in (
        ("2019-06", "Upah baru tidak dapat berlaku sebelum bulan mulai bekerja."),
        ("juni", "Isi bulan, misalnya 2025-04."),
    ):
        response = client.post(edit, {**good, "wage_from": month})
        assert response.status_code == 400
        assert errors(response) == {"wage_from": [message]}
    job.refresh_from_db()
    assert job.basic_wage == basic
    assert WageHistory.objects.count() == rows

    response = client.post(edit, {**good, "wage_from": "2025-03"})
    assert response.status_code == 302
    latest = WageHistory.objects.filter(employment=job).latest("start_month")
    assert (latest.start_month, latest.basic_wage, latest.fixed_allowance) == (
        D(2025, 3, 1),
        5_000_000,
        allowance,
    )
    assert any("basic_wage" in change for change in updates(job))
    detail = client.get(response["Location"]).text
    assert "Riwayat upah" in detail
    assert f"Rp{5_000_000 + allowance:,}".replace(",", ".") in detail


def test_membership_form_takes_jakon_contract_value_and_pmi_contract_length_and_jht(world: Any) -> None:
    client = indonesian(world.admin)
    url = reverse("registry:membership_create", args=[world.driver.pk])
    page = client.get(url).text
    for label in ("Nilai kontrak (Jakon)", "Lama kontrak dalam bulan (PMI)", "Nominal JHT pilihan (PMI)"):
        assert label in page
    assert 'data-show-when="segment:JAKON"' in page
    pmi = {
        "segment": "PMI",
        "programs": ["JKK", "JKM", "JHT"],
        "start_date": "2025-06-02",
        "payer_kind": "self",
        "contract_months": "12",
        "pmi_jht_amount": "100000",
    }
    before = Membership.objects.count()
    response = client.post(url, {**pmi, "contract_months": "0", "pmi_jht_amount": "75000"})
    assert response.status_code == 400
    assert set(errors(response)) == {"contract_months", "pmi_jht_amount"}
    response = client.post(url, {**pmi, "pmi_jht_amount": ""})  # in JHT without an amount: the service's
    assert errors(response) == {
        "pmi_jht_amount": [
            "Pilih nominal JHT: Rp50.000, Rp100.000, Rp200.000, Rp300.000, Rp400.000, Rp500.000, Rp600.000."
        ]
    }
    assert Membership.objects.count() == before
    response = client.post(url, {**pmi, "pmi_individual": "on"})
    assert response.status_code == 302
    made = Membership.objects.get(person=world.driver, segment="PMI")
    assert (made.contract_months, made.pmi_jht_amount, made.pmi_individual) == (12, 100_000, True)
    assert AuditEvent.objects.filter(
        action="create", entity="registry.membership", entity_id=str(made.pk)
    ).exists()
    detail = client.get(response["Location"]).text
    for text in ("12 bulan", "Rp100.000", "perseorangan (tanpa pelaksana penempatan)"):
        assert text in detail


def test_jakon_contract_value_from_the_form(world: Any) -> None:
    client = indonesian(world.admin)
    url = reverse("registry:membership_create", args=[world.nurse.pk])
    jakon = {
        "segment": "JAKON",
        "programs": ["JKK", "JKM"],
        "start_date": "2025-06-02",
        "payer_kind": "employer",
        "employer": "NPP00002",
        "contract_value": "Rp 1.500.000.000",
    }
    response = client.post(url, {**jakon, "contract_months": "6"})
    assert response.status_code == 400
    assert errors(response) == {
        "contract_months": ["Hanya kepesertaan pekerja migran (PMI) yang memiliki lama kontrak."]
    }
    response = client.post(url, jakon)
    assert response.status_code == 302
    made = Membership.objects.get(person=world.nurse, segment="JAKON")
    assert made.contract_value == 1_500_000_000
    assert "Rp1.500.000.000" in client.get(response["Location"]).text


def test_employer_edit_sets_the_pp49_2020_jp_deferral_mark_through_its_service(world: Any) -> None:
    client = indonesian(world.admin)
    employer = world.factory
    edit = reverse("registry:employer_edit", args=[employer.pk])
    page = client.get(edit)
    assert "Keringanan COVID-19 (PP 49/2020)" in page.text
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data["jp_deferral_pp49"] = "on"
    response = client.post(edit, {**data, "kbli": "107"})  # a bad field: nothing written, not the mark
    assert response.status_code == 400
    assert "kbli" in errors(response)
    assert not Employer.objects.get(pk=employer.pk).jp_deferral_pp49
    response = client.post(edit, data)
    assert response.status_code == 302
    assert Employer.objects.get(pk=employer.pk).jp_deferral_pp49
    assert {"jp_deferral_pp49": [False, True]} in updates(employer)
    detail = client.get(response["Location"]).text
    assert "Penundaan iuran JP (PP 49/2020)" in detail
    assert "memenuhi syarat" in detail
    del data["jp_deferral_pp49"]  # an unticked box is not sent
    assert client.post(edit, data).status_code == 302
    assert not Employer.objects.get(pk=employer.pk).jp_deferral_pp49
