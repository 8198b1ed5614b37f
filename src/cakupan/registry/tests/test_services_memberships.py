"""Registry services against a real database, memberships and sponsors: segment and programme rules, payers,
one active membership per employer or segment; each bad input is refused naming the field, writing nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from conftest import World

from cakupan.core.models import AuditEvent
from cakupan.registry import services
from cakupan.registry.models import Employment, Person
from cakupan.registry.tests.service_checks import (
    new_person,
    one_new_event,
    refused,
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # The world's users cost seconds of PBKDF2 per test; password hashing is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- memberships ---------------------------------------------------------------------------------


def test_kpj_new_is_11_digits(db: None) -> None:
    kpjs = {services.kpj_new() for _ in range(50)}
    assert all(len(k) == 11 and k.isdigit() and k[0] != "0" for k in kpjs)


def test_membership_enrol_writes_the_membership_and_one_event(world: World) -> None:
    employment = services.employment_start(
        actor=world.admin,
        person=world.driver,
        employer=world.hospital,
        start_date=dt.date(2024, 1, 1),
        basic_wage=3_500_000,
    )
    events = AuditEvent.objects.count()
    membership = services.membership_enrol(
        actor=world.hr_hospital,
        person=world.driver,
        segment="PU",
        programs=["jkk", "JKM", "JHT", "JP"],
        start_date=dt.date(2024, 1, 1),
        payer_kind="employer",
        employer=world.hospital.pk,
        employment=employment,
    )
    membership.refresh_from_db()
    assert membership.programs == ["JKK", "JKM", "JHT", "JP"]
    assert (membership.segment, membership.status, membership.employer_id) == (
        "PU",
        "active",
        world.hospital.pk,
    )
    assert membership.employment_id == employment.pk
    assert len(membership.kpj) == 11
    event = one_new_event(events, actor=world.hr_hospital, action="create", instance=membership)
    assert (event.changes["jp"], event.changes["jkp"], event.changes["kpj"]) == (True, False, membership.kpj)


def test_membership_enrol_bpu_self_paid(world: World) -> None:
    person = new_person(world)
    membership = services.membership_enrol(
        actor=world.branch_malang,
        person=person,
        segment="BPU",
        programs=["JKK", "JKM", "JHT"],
        start_date=dt.date(2025, 1, 1),
        payer_kind="self",
        declared_income=2_000_000,
        bpu_sector="other",
    )
    assert (membership.declared_income, membership.bpu_sector, membership.employer_id) == (
        2_000_000,
        "other",
        None,
    )


def bpu(person: Person, **overrides: Any) -> dict[str, Any]:
    return {
        "person": person,
        "segment": "BPU",
        "programs": ["JKK", "JKM"],
        "start_date": dt.date(2025, 1, 1),
        "payer_kind": "self",
        "declared_income": 1_500_000,
        "bpu_sector": "transport",
        **overrides,
    }


BAD_MEMBERSHIP = [
    ("segment", {"segment": "PNS"}),
    ("programs", {"programs": ["JKK", "JKM", "JP"]}),  # JP is not open to BPU
    ("programs", {"programs": ["JKK", "JKM", "JHT", "JKP"]}),  # nor JKP
    ("programs", {"programs": ["JKK"]}),  # JKM is the minimum too
    ("programs", {"programs": ["JKK", "JKM", "XYZ"]}),
    ("programs", {"programs": "JKK,JKM"}),
    ("programs", {"programs": None}),
    ("programs", {"segment": "PMI", "programs": ["JKK", "JKM", "JP"]}),
    ("start_date", {"start_date": None}),
    ("payer_kind", {"payer_kind": "boss"}),
    ("payer_kind", {"payer_kind": "employer"}),  # an informal worker has no employer to pay
    ("declared_income", {"declared_income": None}),
    ("declared_income", {"declared_income": 0}),
    ("declared_income", {"declared_income": -100}),
    ("declared_income", {"declared_income": 1_500_000.0}),
    ("bpu_sector", {"bpu_sector": ""}),
    ("bpu_sector", {"bpu_sector": "farming"}),
    ("sponsor", {"payer_kind": "sponsor"}),
    ("sponsor", {"payer_kind": "sponsor", "sponsor": 999_999}),
    ("kpj", {"kpj": "123"}),
    ("kpj", {"kpj": "1234567890A"}),
]


@pytest.mark.parametrize(("field", "bad"), BAD_MEMBERSHIP)
def test_membership_enrol_refuses_bad_input(world: World, field: str, bad: dict[str, Any]) -> None:
    person = new_person(world)
    refused(lambda: services.membership_enrol(actor=world.admin, **bpu(person, **bad)), field)


def pu(world: World, **overrides: Any) -> dict[str, Any]:
    return {
        "person": world.operator,
        "segment": "PU",
        "programs": ["JKK", "JKM", "JHT", "JP", "JKP"],
        "start_date": dt.date(2018, 5, 1),
        "payer_kind": "employer",
        "employer": world.factory,
        **overrides,
    }


BAD_PU_JAKON = [
    ("payer_kind", {"payer_kind": "self"}),  # PU contributions are paid by the employer
    ("payer_kind", {"payer_kind": "government"}),
    ("employer", {"employer": None, "payer_kind": "self"}),
    ("programs", {"programs": ["JKK", "JKM", "JKP"]}),  # JKP needs JHT
    ("programs", {"segment": "JAKON", "programs": ["JKK", "JKM", "JHT"]}),  # no JHT for Jakon
    ("programs", {"segment": "JAKON", "programs": ["JKK", "JKM", "JP"]}),
    ("payer_kind", {"segment": "JAKON", "programs": ["JKK", "JKM"], "payer_kind": "self"}),
]


@pytest.mark.parametrize(("field", "bad"), BAD_PU_JAKON)
def test_pu_and_jakon_rules(world: World, field: str, bad: dict[str, Any]) -> None:
    refused(lambda: services.membership_enrol(actor=world.admin, **pu(world, **bad)), field)


def test_the_employment_must_be_the_persons_with_that_employer(world: World) -> None:
    nurses = Employment.objects.get(person=world.nurse)
    refused(
        lambda: services.membership_enrol(actor=world.admin, **pu(world, employment=nurses)), "employment"
    )
    operators = Employment.objects.get(person=world.operator)
    membership = services.membership_enrol(actor=world.admin, **pu(world, employment=operators))
    assert membership.employment_id == operators.pk


def test_jp_and_jkp_are_for_citizens_only(world: World) -> None:
    foreigner = new_person(world, citizenship="WNA")
    services.employment_start(
        actor=world.admin,
        person=foreigner,
        employer=world.factory,
        start_date=dt.date(2024, 1, 1),
        basic_wage=9_000_000,
    )
    refused(lambda: services.membership_enrol(actor=world.admin, **pu(world, person=foreigner)), "programs")
    ok = services.membership_enrol(
        actor=world.admin, **pu(world, person=foreigner, programs=["JKK", "JKM", "JHT"])
    )
    assert ok.programs == ["JKK", "JKM", "JHT"]


def test_one_active_membership_per_employer_and_per_segment(world: World) -> None:
    nurse_again = pu(world, person=world.nurse, employer=world.hospital)
    refused(lambda: services.membership_enrol(actor=world.admin, **nurse_again), "employer")
    refused(
        lambda: services.membership_enrol(actor=world.admin, **bpu(world.driver, payer_kind="self")),
        "segment",
    )
    refused(
        lambda: services.membership_enrol(
            actor=world.admin, **bpu(world.driver, kpj=world.driver_membership.kpj)
        ),
        "kpj",
    )


def test_membership_end_records_the_end(world: World) -> None:
    events = AuditEvent.objects.count()
    membership = services.membership_end(
        actor=world.branch_malang, membership=world.driver_membership, end_date=dt.date(2025, 12, 31)
    )
    membership.refresh_from_db()
    assert (membership.status, membership.end_date) == ("ended", dt.date(2025, 12, 31))
    event = one_new_event(events, actor=world.branch_malang, action="end", instance=membership)
    assert event.changes == {"end_date": [None, "2025-12-31"], "status": ["active", "ended"]}
    # Ended, the segment is free again.
    again = services.membership_enrol(actor=world.admin, **bpu(world.driver, start_date=dt.date(2026, 1, 1)))
    assert again.status == "active"


@pytest.mark.parametrize("end_date", [dt.date(2025, 4, 30), None, "2025-12-31"])
def test_membership_end_refuses_a_bad_date(world: World, end_date: Any) -> None:
    refused(
        lambda: services.membership_end(
            actor=world.admin, membership=world.driver_membership, end_date=end_date
        ),
        "end_date",
    )


def test_membership_end_twice_is_refused(world: World) -> None:
    services.membership_end(
        actor=world.admin, membership=world.driver_membership, end_date=dt.date(2025, 6, 1)
    )
    refused(
        lambda: services.membership_end(
            actor=world.admin, membership=world.driver_membership, end_date=dt.date(2025, 7, 1)
        ),
        "end_date",
    )


# --- sponsors ------------------------------------------------------------------------------------


def test_sponsor_register_writes_the_sponsor_and_one_event(world: World) -> None:
    events = AuditEvent.objects.count()
    sponsor = services.sponsor_register(
        actor=world.branch_malang, name=" APBD  Kota Malang ", kind="apbd", region="35.73"
    )
    assert (sponsor.name, sponsor.kind, sponsor.region_id, sponsor.employer_id) == (
        "APBD Kota Malang",
        "apbd",
        "35.73",
        None,
    )
    event = one_new_event(events, actor=world.branch_malang, action="create", instance=sponsor)
    assert event.changes == {
        "name": "APBD Kota Malang",
        "kind": "apbd",
        "region": "35.73",
        "employer": None,
        "income_basis": None,  # the lowest BPU level of the rules tables applies
    }


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("name", {"name": ""}),
        ("name", {"name": "CSR RS Contoh Sehat", "kind": "csr"}),  # the world's sponsor
        ("name", {"name": "S" * 201}),
        ("kind", {"kind": "bank"}),
        ("region", {"region": "35.99"}),
        ("region", {"region": "35"}),
        ("employer", {"employer": 999_999}),
        ("employer", {"employer": "abc"}),
    ],
)
def test_sponsor_register_refuses_bad_input(world: World, field: str, bad: dict[str, Any]) -> None:
    data = {"name": "Donor Baru", "kind": "donor", "region": "35.73", **bad}
    refused(lambda: services.sponsor_register(actor=world.admin, **data), field)
