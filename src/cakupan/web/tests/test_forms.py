"""Forms: bad input shows field errors and writes nothing; good input writes through one service and is
audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from cakupan.core.models import AuditEvent
from cakupan.registry.models import Employer, Employment, Membership, Person
from cakupan.registry.nik import nik_compose


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Person, Employer, Employment, Membership, AuditEvent)}


def field_errors(response: Any) -> dict[str, list[str]]:
    return {k: list(v) for k, v in response.context["form"].errors.items()}


def audited(action: str, instance: Any) -> bool:
    return AuditEvent.objects.filter(
        action=action, entity=instance._meta.label_lower, entity_id=str(instance.pk)
    ).exists()


EMPLOYER = {
    "npp": "NPP10001",
    "nib": "",
    "name": "Klinik Pratama Sentosa",
    "legal_form": "CV",
    "size_class": "kecil",
    "kbli": "86105",
    "risk_class": "2",
    "region": "35.73.02",
    "branch_office": "",
    "facility_type": "klinik",
}


def test_employer_create_bad_input(world: Any, as_user: Any) -> None:
    before = counts()
    client = as_user(world.branch_malang)
    bad = {**EMPLOYER, "name": "", "kbli": "86", "risk_class": "7", "npp": "NPP00001"}
    response = client.post(reverse("registry:employer_create"), bad)
    assert response.status_code == 400
    assert set(field_errors(response)) >= {"name", "risk_class"}
    # The service's own checks land on their fields too (duplicate NPP, KBLI length).
    response = client.post(reverse("registry:employer_create"), {**EMPLOYER, "npp": "NPP00001", "kbli": "86"})
    errors = field_errors(response)
    assert "npp" in errors
    assert "kbli" in errors
    assert 'class="errorlist' in response.text
    # A branch cannot file an employer in another branch's region.
    response = client.post(reverse("registry:employer_create"), {**EMPLOYER, "region": "32.16.01"})
    assert "region" in field_errors(response)
    assert counts() == before


def test_employer_create_and_edit(world: Any, as_user: Any) -> None:
    client = as_user(world.branch_malang)
    response = client.post(reverse("registry:employer_create"), EMPLOYER)
    employer = Employer.objects.get(npp="NPP10001")
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:employer_detail", args=[employer.pk])
    assert employer.branch_office == world.malang  # chosen from the region when left empty
    assert audited("create", employer)
    page = client.get(response["Location"])
    assert "Klinik Pratama Sentosa" in page.text

    edit = reverse("registry:employer_edit", args=[employer.pk])
    form = client.get(edit).context["form"]
    assert form.initial["region"] == "35.73.02"
    response = client.post(edit, {**EMPLOYER, "kbli": "8610"})
    assert response.status_code == 400
    assert "kbli" in field_errors(response)
    employer.refresh_from_db()
    assert employer.kbli == "86105"
    response = client.post(edit, {**EMPLOYER, "name": "Klinik Utama Sentosa", "size_class": "menengah"})
    assert response.status_code == 302
    employer.refresh_from_db()
    assert (employer.name, employer.size_class) == ("Klinik Utama Sentosa", "menengah")
    assert audited("update", employer)


def person_post(**overrides: Any) -> dict[str, Any]:
    born = dt.date(1992, 4, 9)
    data = {
        "nik": nik_compose(district_code="35.73.03", birth_date=born, sex="L", serial=77),
        "full_name": "Budi Santoso",
        "birth_date": born.isoformat(),
        "sex": "L",
        "citizenship": "WNI",
        "phone": "0812-3456-7890",
        "address_region": "35.73.03",
    }
    return {**data, **overrides}


def test_person_create_bad_input_and_duplicate_nik(world: Any, as_user: Any) -> None:
    before = counts()
    client = as_user(world.branch_malang)
    response = client.post(
        reverse("registry:person_create"),
        person_post(nik="1234", birth_date="not a date", sex="X", address_region="99.99"),
    )
    assert response.status_code == 400
    assert set(field_errors(response)) >= {"birth_date", "sex"}
    response = client.post(reverse("registry:person_create"), person_post(nik="1234", address_region="99.99"))
    assert set(field_errors(response)) >= {"nik", "address_region"}
    # The NIK of a person already registered: the error links to that person.
    response = client.post(reverse("registry:person_create"), person_post(nik=world.nurse.nik))
    assert "nik" in field_errors(response)
    assert reverse("registry:person_detail", args=[world.nurse.pk]) in response.text
    assert counts() == before


def test_person_create_with_nik_warning_shows_review_notice(world: Any, as_user: Any) -> None:
    client = as_user(world.branch_malang)
    # The NIK says 9 April 1992, the KTP says 10 April: kept, with a warning (rules.md §11.1).
    data = person_post(birth_date="1992-04-10", nik="3573.0309.0492-0077")
    response = client.post(reverse("registry:person_create"), data)
    assert response.status_code == 302
    person = Person.objects.get(full_name="Budi Santoso")
    assert person.nik == "3573030904920077"  # separators people type are dropped
    assert [w["code"] for w in person.nik_warnings] == ["birth_date_mismatch"]
    assert audited("create", person)
    page = client.get(response["Location"])
    assert 'id="nik-review"' in page.text
    assert "NIK" in page.text


def test_person_edit(world: Any, as_user: Any) -> None:
    url = reverse("registry:person_edit", args=[world.nurse.pk])
    office = as_user(world.branch_malang)
    initial = office.get(url).context["form"].initial
    good = {**initial, "birth_date": world.nurse.birth_date.isoformat(), "phone": "081111111"}
    response = office.post(url, {**good, "full_name": "  "})
    assert response.status_code == 400
    assert "full_name" in field_errors(response)
    # The employer's HR changes the phone; the identity fields are the office's (shown disabled).
    client = as_user(world.hr_hospital)
    response = client.post(url, {**good, "full_name": "  "})
    assert response.status_code == 302
    world.nurse.refresh_from_db()
    assert world.nurse.phone == "081111111"
    assert world.nurse.full_name == initial["full_name"]
    assert audited("update", world.nurse)


def worker_post(**overrides: Any) -> dict[str, Any]:
    return {
        **person_post(),
        "start_date": "2025-02-01",
        "end_date": "",
        "basic_wage": "Rp 4.500.000",
        "fixed_allowance": "250.000",
        "occupation": "kesehatan",
        "civil_service": "NON_ASN",
        **overrides,
    }


def test_worker_register_bad_input_writes_nothing(world: Any, as_user: Any) -> None:
    before = counts()
    client = as_user(world.hr_hospital)
    url = reverse("registry:worker_register", args=[world.hospital.pk])
    response = client.post(url, worker_post(basic_wage="4,5 juta", start_date=""))
    assert response.status_code == 400
    assert set(field_errors(response)) >= {"basic_wage", "start_date"}
    # Person and employment errors from the one service come back together.
    response = client.post(url, worker_post(nik="3573030904920000", basic_wage="0"))
    errors = field_errors(response)
    assert "nik" in errors
    assert "basic_wage" in errors
    assert counts() == before


def test_worker_register_writes_person_and_employment(world: Any, as_user: Any) -> None:
    client = as_user(world.hr_hospital)
    response = client.post(reverse("registry:worker_register", args=[world.hospital.pk]), worker_post())
    assert response.status_code == 302
    person = Person.objects.get(full_name="Budi Santoso")
    employment = Employment.objects.get(person=person)
    assert (employment.employer, employment.basic_wage, employment.fixed_allowance) == (
        world.hospital,
        4_500_000,
        250_000,
    )
    assert audited("create", person)
    assert audited("create", employment)
    assert "Budi Santoso" in client.get(response["Location"]).text


def test_employment_create_and_edit(world: Any, as_user: Any) -> None:
    client = as_user(world.admin)
    url = reverse("registry:employment_create", args=[world.driver.pk])
    data = {
        "employer": "NPP00001",
        "start_date": "2024-01-01",
        "basic_wage": "3.000.000",
        "occupation": "other",
        "civil_service": "NON_ASN",
    }
    before = counts()
    response = client.post(url, {**data, "employer": "NOPE"})
    assert response.status_code == 400
    assert "employer" in field_errors(response)
    response = client.post(url, {**data, "start_date": "1990-01-01"})  # before the driver was born
    assert "start_date" in field_errors(response)
    assert counts() == before
    response = client.post(url, data)
    assert response.status_code == 302
    employment = Employment.objects.get(person=world.driver)
    assert audited("create", employment)

    edit = reverse("registry:employment_edit", args=[employment.pk])
    good = {**data, "fixed_allowance": "0", "basic_wage": "3.200.000"}
    response = client.post(edit, {**good, "end_date": "2023-12-31"})
    assert response.status_code == 400
    assert "end_date" in field_errors(response)
    employment.refresh_from_db()
    assert employment.end_date is None
    response = client.post(edit, good)
    assert response.status_code == 302
    employment.refresh_from_db()
    assert employment.basic_wage == 3_200_000
    assert audited("update", employment)


def test_membership_enrol_and_end(world: Any, as_user: Any) -> None:
    client = as_user(world.branch_malang)
    url = reverse("registry:membership_create", args=[world.nurse.pk])
    data = {
        "segment": "BPU",
        "programs": ["JKK", "JKM", "JHT"],
        "start_date": "2025-06-01",
        "payer_kind": "self",
        "declared_income": "2.000.000",
        "bpu_sector": "other",
    }
    before = counts()
    response = client.post(url, {**data, "declared_income": "", "programs": ["JKK", "JKM", "JP"]})
    assert response.status_code == 400
    assert set(field_errors(response)) >= {"declared_income", "programs"}
    response = client.post(url, {**data, "payer_kind": "sponsor"})
    assert "sponsor" in field_errors(response)
    assert counts() == before
    response = client.post(url, data)
    assert response.status_code == 302
    membership = Membership.objects.get(person=world.nurse, segment="BPU")
    assert (membership.jht, membership.declared_income) == (True, 2_000_000)
    assert audited("create", membership)

    end = reverse("registry:membership_end", args=[membership.pk])
    response = client.post(end, {"end_date": "2025-01-01"})
    assert response.status_code == 400
    assert "end_date" in field_errors(response)
    membership.refresh_from_db()
    assert membership.status == "active"
    response = client.post(end, {"end_date": "2025-12-31"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.status, membership.end_date) == ("ended", dt.date(2025, 12, 31))
    assert audited("end", membership)


def test_membership_form_marks_segment_dependent_fields(world: Any, as_user: Any) -> None:
    html = as_user(world.branch_malang).get(reverse("registry:membership_create", args=[world.nurse.pk])).text
    assert 'data-show-when="segment:BPU"' in html
    assert 'data-show-when="payer_kind:sponsor"' in html
    assert "data-programs-by-segment" in html
