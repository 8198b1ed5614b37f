"""Registry services against a real database, persons, employers and employment: each write makes its row and
one audit event; each bad input is refused naming the field and writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from conftest import World

from cakupan.core.models import AuditEvent
from cakupan.registry import services
from cakupan.registry.models import Employer, Employment, Person
from cakupan.registry.nik import nik_compose
from cakupan.registry.tests.service_checks import (
    TODAY,
    counts,
    one_new_event,
    person_kwargs,
    refused,
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # The world's users cost seconds of PBKDF2 per test; password hashing is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- persons -------------------------------------------------------------------------------------


def test_person_register_writes_the_person_and_one_event(world: World) -> None:
    events = AuditEvent.objects.count()
    data = person_kwargs()
    person = services.person_register(actor=world.branch_malang, **data)
    person.refresh_from_db()
    assert (person.nik, person.full_name, person.birth_date) == (
        data["nik"],
        "Budi Santoso",
        data["birth_date"],
    )
    assert (person.sex, person.address_region_id, person.citizenship) == ("L", "35.07.01", "WNI")
    assert person.nik_warnings == []
    event = one_new_event(events, actor=world.branch_malang, action="create", instance=person)
    assert event.changes["nik"] == data["nik"]
    assert event.changes["full_name"] == "Budi Santoso"
    assert event.changes["birth_date"] == "1988-08-17"
    assert event.changes["address_region"] == "35.07.01"


def test_person_register_strips_separators_from_the_nik(world: World) -> None:
    data = person_kwargs()
    nik = data["nik"]
    data["nik"] = f"{nik[:4]}.{nik[4:6]}-{nik[6:12]} {nik[12:]}"
    assert services.person_register(actor=world.admin, **data).nik == nik


def test_person_register_keeps_a_nik_mismatch_as_a_warning(world: World) -> None:
    data = person_kwargs(born=dt.date(1988, 8, 17), sex="P")
    data["birth_date"], data["sex"] = dt.date(1988, 8, 18), "L"
    person = services.person_register(actor=world.admin, **data)
    person.refresh_from_db()
    assert [w["code"] for w in person.nik_warnings] == ["birth_date_mismatch", "sex_mismatch"]
    assert AuditEvent.objects.order_by("-id")[0].changes["nik_warnings"] == person.nik_warnings


def test_person_register_accepts_a_pre_split_papua_nik_with_a_warning(world: World) -> None:
    data = person_kwargs(district="93.01.01")
    data["nik"] = "9101" + data["nik"][4:]
    person = services.person_register(actor=world.admin, **data)
    assert [w["code"] for w in person.nik_warnings] == ["legacy_region"]


BAD_PERSON = [
    ("nik", {"nik": "12345"}),
    ("nik", {"nik": "3573010513900001"}),  # month 13
    ("nik", {"nik": "9973010503900001"}),  # no province 99
    ("nik", {"nik": ""}),
    ("full_name", {"full_name": ""}),
    ("full_name", {"full_name": "   "}),
    ("full_name", {"full_name": None}),
    ("full_name", {"full_name": "N" * 161}),
    ("birth_date", {"birth_date": None}),
    ("birth_date", {"birth_date": "1988-08-17"}),
    ("birth_date", {"birth_date": TODAY + dt.timedelta(days=1)}),
    ("birth_date", {"birth_date": dt.date(1899, 12, 31)}),
    ("sex", {"sex": "X"}),
    ("sex", {"sex": ""}),
    ("citizenship", {"citizenship": "USA"}),
    ("phone", {"phone": "call me"}),
    ("phone", {"phone": "0812+3456"}),
    ("phone", {"phone": "0" * 21}),
    ("address_region", {"address_region": "99.99"}),
    ("address_region", {"address_region": "35"}),  # a province is too coarse
    ("address_region", {"address_region": ""}),
]


@pytest.mark.parametrize(("field", "bad"), BAD_PERSON)
def test_person_register_refuses_bad_input(world: World, field: str, bad: dict[str, Any]) -> None:
    refused(lambda: services.person_register(actor=world.admin, **{**person_kwargs(), **bad}), field)


def test_person_register_reports_all_errors_at_once(world: World) -> None:
    bad = {**person_kwargs(), "nik": "1", "full_name": "", "sex": "?", "address_region": "00"}
    error = refused(lambda: services.person_register(actor=world.admin, **bad), "nik")
    assert {e.field for e in error.errors} == {"nik", "full_name", "sex", "address_region"}


def test_a_duplicate_nik_points_to_the_existing_person(world: World) -> None:
    data = {**person_kwargs(), "nik": world.nurse.nik}
    error = refused(lambda: services.person_register(actor=world.admin, **data), "nik")
    (message,) = [str(e.message) for e in error.errors if e.field == "nik"]
    assert f"#{world.nurse.pk}" in message


def test_person_update_records_only_the_changed_fields(world: World) -> None:
    events = AuditEvent.objects.count()
    person = services.person_update(actor=world.hr_hospital, person=world.nurse, phone="0811 222 333")
    event = one_new_event(events, actor=world.hr_hospital, action="update", instance=person)
    assert event.changes == {"phone": ["", "0811 222 333"]}
    assert Person.objects.get(pk=world.nurse.pk).phone == "0811 222 333"


def test_person_update_without_a_change_records_nothing(world: World) -> None:
    before = counts()
    services.person_update(actor=world.admin, person=world.nurse, full_name=world.nurse.full_name)
    assert counts() == before


def test_person_update_of_the_nik_into_a_mismatch_stores_the_warning(world: World) -> None:
    nurse = world.nurse  # born 5 March 1990, female
    other = nik_compose(district_code="35.73.01", birth_date=dt.date(1990, 3, 6), sex="P", serial=9)
    person = services.person_update(actor=world.admin, person=nurse, nik=other)
    person.refresh_from_db()
    assert person.nik == other
    assert [w["code"] for w in person.nik_warnings] == ["birth_date_mismatch"]
    changes = AuditEvent.objects.order_by("-id")[0].changes
    assert set(changes) == {"nik", "nik_warnings"}
    assert changes["nik"] == [
        nik_compose(district_code="35.73.01", birth_date=dt.date(1990, 3, 5), sex="P", serial=1),
        other,
    ]


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("nik", {"nik": "357301"}),
        ("birth_date", {"birth_date": None}),
        ("sex", {"sex": "M"}),
        ("full_name", {"full_name": ""}),
        ("address_region", {"address_region": "12.99"}),
    ],
)
def test_person_update_refuses_bad_input(world: World, field: str, bad: dict[str, Any]) -> None:
    refused(lambda: services.person_update(actor=world.admin, person=world.nurse, **bad), field)
    assert Person.objects.get(pk=world.nurse.pk).nik == world.nurse.nik


def test_person_update_to_another_persons_nik_points_to_them(world: World) -> None:
    error = refused(
        lambda: services.person_update(actor=world.admin, person=world.driver, nik=world.nurse.nik), "nik"
    )
    assert f"#{world.nurse.pk}" in str(error.errors[0].message)


# --- employers -----------------------------------------------------------------------------------


def employer_kwargs(world: World, **overrides: Any) -> dict[str, Any]:
    return {
        "npp": "npp00099",
        "nib": "1234567890123",
        "name": " Klinik   Pratama ",
        "legal_form": "CV",
        "size_class": "kecil",
        "kbli": "86104",
        "risk_class": 1,
        "region": "35.07.01",
        "branch_office": world.malang.pk,
        "facility_type": "klinik",
        **overrides,
    }


def test_employer_register_writes_the_employer_and_one_event(world: World) -> None:
    events = AuditEvent.objects.count()
    employer = services.employer_register(actor=world.branch_malang, **employer_kwargs(world))
    employer.refresh_from_db()
    assert (employer.npp, employer.name, employer.region_id) == ("NPP00099", "Klinik Pratama", "35.07.01")
    assert employer.branch_office_id == world.malang.pk
    event = one_new_event(events, actor=world.branch_malang, action="create", instance=employer)
    assert event.changes["npp"] == "NPP00099"
    assert event.changes["branch_office"] == world.malang.pk
    assert event.changes["risk_class"] == 1


def test_employer_register_defaults_to_the_branch_office_serving_the_region(world: World) -> None:
    data = employer_kwargs(world, region="32.16.02")
    del data["branch_office"]
    assert services.employer_register(actor=world.admin, **data).branch_office_id == world.bekasi.pk


BAD_EMPLOYER = [
    ("npp", {"npp": ""}),
    ("npp", {"npp": "NPP-0001"}),
    ("npp", {"npp": "N" * 21}),
    ("npp", {"npp": "NPPÄ0001"}),
    ("npp", {"npp": "npp00001"}),  # the hospital's, in other case
    ("nib", {"nib": "12345"}),
    ("nib", {"nib": "12345678901ab"}),
    ("name", {"name": "  "}),
    ("name", {"name": "N" * 201}),
    ("legal_form", {"legal_form": "LLC"}),
    ("size_class", {"size_class": "raksasa"}),
    ("kbli", {"kbli": "8610"}),
    ("kbli", {"kbli": "8610A"}),
    ("risk_class", {"risk_class": 0}),
    ("risk_class", {"risk_class": 6}),
    ("risk_class", {"risk_class": "2"}),
    ("risk_class", {"risk_class": True}),
    ("facility_type", {"facility_type": "spa"}),
    ("region", {"region": "35.99.01"}),
    ("region", {"region": "35"}),
    ("branch_office", {"branch_office": 999_999}),
    ("branch_office", {"branch_office": "MLG"}),
]


@pytest.mark.parametrize(("field", "bad"), BAD_EMPLOYER)
def test_employer_register_refuses_bad_input(world: World, field: str, bad: dict[str, Any]) -> None:
    refused(lambda: services.employer_register(actor=world.admin, **employer_kwargs(world, **bad)), field)


def test_employer_register_refuses_a_taken_nib(world: World) -> None:
    services.employer_register(actor=world.admin, **employer_kwargs(world))
    again = employer_kwargs(world, npp="NPP00100")
    refused(lambda: services.employer_register(actor=world.admin, **again), "nib")


def test_employer_update_records_only_the_changed_fields(world: World) -> None:
    events = AuditEvent.objects.count()
    employer = services.employer_update(actor=world.branch_malang, employer=world.hospital, risk_class=3)
    event = one_new_event(events, actor=world.branch_malang, action="update", instance=employer)
    assert event.changes == {"risk_class": [2, 3]}
    assert Employer.objects.get(pk=world.hospital.pk).risk_class == 3


@pytest.mark.parametrize(
    ("field", "bad"),
    [("npp", {"npp": "NPP00002"}), ("risk_class", {"risk_class": 9}), ("name", {"name": ""})],
)
def test_employer_update_refuses_bad_input(world: World, field: str, bad: dict[str, Any]) -> None:
    refused(lambda: services.employer_update(actor=world.admin, employer=world.hospital, **bad), field)
    assert Employer.objects.get(pk=world.hospital.pk).npp == "NPP00001"


# --- employment ----------------------------------------------------------------------------------


def employment_kwargs(world: World, **overrides: Any) -> dict[str, Any]:
    return {
        "person": world.driver,
        "employer": world.hospital,
        "start_date": dt.date(2024, 1, 1),
        "basic_wage": 3_500_000,
        **overrides,
    }


def test_employment_start_writes_the_employment_and_one_event(world: World) -> None:
    events = AuditEvent.objects.count()
    employment = services.employment_start(
        actor=world.hr_hospital, **employment_kwargs(world, fixed_allowance=250_000, occupation="medis")
    )
    employment.refresh_from_db()
    assert (employment.person_id, employment.employer_id) == (world.driver.pk, world.hospital.pk)
    assert employment.monthly_wage == 3_750_000
    event = one_new_event(events, actor=world.hr_hospital, action="create", instance=employment)
    assert event.changes["basic_wage"] == 3_500_000
    assert event.changes["start_date"] == "2024-01-01"
    assert event.changes["employer"] == world.hospital.pk


BAD_EMPLOYMENT = [
    ("start_date", {"start_date": None}),
    ("start_date", {"start_date": "2024-01-01"}),
    ("start_date", {"start_date": dt.date(1990, 1, 1)}),  # the driver was born in 1995
    ("end_date", {"end_date": dt.date(2023, 12, 31)}),
    ("end_date", {"end_date": "2024-02-01"}),
    ("basic_wage", {"basic_wage": 0}),
    ("basic_wage", {"basic_wage": -1}),
    ("basic_wage", {"basic_wage": 3_500_000.5}),
    ("basic_wage", {"basic_wage": "3500000"}),
    ("basic_wage", {"basic_wage": True}),
    ("basic_wage", {"basic_wage": 10**19}),  # beyond BIGINT: a field error, not a database error
    ("fixed_allowance", {"fixed_allowance": -5}),
    ("occupation", {"occupation": "chef"}),
    ("civil_service", {"civil_service": "PNS"}),
    ("employer", {"employer": 999_999}),
    ("employer", {"employer": "NPP00001"}),
    ("employer", {"employer": None}),
]


@pytest.mark.parametrize(("field", "bad"), BAD_EMPLOYMENT)
def test_employment_start_refuses_bad_input(world: World, field: str, bad: dict[str, Any]) -> None:
    refused(lambda: services.employment_start(actor=world.admin, **employment_kwargs(world, **bad)), field)


def test_one_open_employment_per_person_and_employer(world: World) -> None:
    refused(
        lambda: services.employment_start(actor=world.admin, **employment_kwargs(world, person=world.nurse)),
        "employer",
    )
    # A closed earlier employment with the same employer is history, not a conflict.
    past = employment_kwargs(
        world, person=world.nurse, start_date=dt.date(2015, 1, 1), end_date=dt.date(2019, 12, 31)
    )
    assert services.employment_start(actor=world.admin, **past).end_date == dt.date(2019, 12, 31)


def test_employment_update_records_only_the_changed_fields(world: World) -> None:
    employment = Employment.objects.get(person=world.nurse)
    events = AuditEvent.objects.count()
    services.employment_update(actor=world.hr_hospital, employment=employment, basic_wage=4_200_000)
    event = one_new_event(events, actor=world.hr_hospital, action="update", instance=employment)
    assert event.changes == {"basic_wage": [4_000_000, 4_200_000]}


def test_employment_update_cannot_reopen_into_a_second_open_employment(world: World) -> None:
    current = Employment.objects.get(person=world.nurse)
    past = services.employment_start(
        actor=world.admin,
        **employment_kwargs(
            world, person=world.nurse, start_date=dt.date(2015, 1, 1), end_date=dt.date(2016, 1, 1)
        ),
    )
    refused(lambda: services.employment_update(actor=world.admin, employment=past, end_date=None), "end_date")
    # Ending the current one first makes the reopening possible.
    services.employment_update(actor=world.admin, employment=current, end_date=dt.date(2024, 6, 30))
    assert services.employment_update(actor=world.admin, employment=past, end_date=None).end_date is None


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("end_date", {"end_date": dt.date(2019, 1, 1)}),
        ("basic_wage", {"basic_wage": 0}),
        ("start_date", {"start_date": dt.date(1980, 1, 1)}),  # before the nurse was born
    ],
)
def test_employment_update_refuses_bad_input(world: World, field: str, bad: dict[str, Any]) -> None:
    employment = Employment.objects.get(person=world.nurse)
    refused(lambda: services.employment_update(actor=world.admin, employment=employment, **bad), field)


def test_worker_register_writes_person_employment_and_two_events(world: World) -> None:
    before = counts()
    employment = services.worker_register(
        actor=world.hr_factory,
        person=person_kwargs(district="32.16.01"),
        employer=world.factory.pk,
        employment={"start_date": dt.date(2025, 1, 6), "basic_wage": 5_000_000},
    )
    after = counts()
    assert after["Person"] == before["Person"] + 1
    assert after["Employment"] == before["Employment"] + 1
    assert after["AuditEvent"] == before["AuditEvent"] + 2
    assert employment.employer_id == world.factory.pk


def test_worker_register_reports_person_and_employment_errors_together(world: World) -> None:
    error = refused(
        lambda: services.worker_register(
            actor=world.hr_factory,
            person={**person_kwargs(), "nik": "1"},
            employer=world.hospital.pk,
            employment={"start_date": None, "basic_wage": 0},
        ),
        "nik",
    )
    assert {e.field for e in error.errors} == {"nik", "start_date", "basic_wage", "employer"}


def test_worker_register_writes_no_person_when_the_employment_fails(world: World) -> None:
    refused(
        lambda: services.worker_register(
            actor=world.admin,
            person=person_kwargs(),
            employer=world.factory.pk,
            employment={"start_date": dt.date(2025, 1, 6), "basic_wage": -1},
        ),
        "basic_wage",
    )
