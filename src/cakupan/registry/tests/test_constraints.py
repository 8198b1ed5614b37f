"""The database is the last line: rows written around the services that break an invariant are refused by the
database's own check and unique constraints, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from conftest import World
from django.db import IntegrityError, transaction

from cakupan.registry.models import Employer, Employment, Membership, Person


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # The world's users cost seconds of PBKDF2 per test; password hashing is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- the database is the last line ---------------------------------------------------------------


def base_rows(world: World) -> dict[type[Any], dict[str, Any]]:
    """A valid row of each model, written around the services; the cases below break one rule each."""
    return {
        Membership: {
            "person": world.operator,
            "kpj": "12345678901",
            "segment": "PMI",
            "start_date": dt.date(2025, 1, 1),
            "payer_kind": "self",
        },
        Employment: {
            "person": world.driver,
            "employer": world.factory,
            "start_date": dt.date(2018, 1, 1),
            "basic_wage": 1,
        },
        Employer: {
            "npp": "RAW1",
            "name": "Raw",
            "legal_form": "PT",
            "size_class": "kecil",
            "kbli": "10750",
            "risk_class": 1,
            "region_id": "32.16.01",
            "branch_office": world.bekasi,
        },
        Person: {
            "nik": "3216011203950009",
            "full_name": "Raw",
            "birth_date": dt.date(1995, 3, 12),
            "sex": "L",
            "address_region_id": "32.16.01",
        },
    }


def test_the_base_rows_are_accepted(world: World) -> None:
    for model, row in base_rows(world).items():
        model.objects.create(**row)


DB_REFUSES: dict[str, tuple[type[Any], dict[str, Any]]] = {
    "BPU with JP": (Membership, {"segment": "BPU", "jp": True, "declared_income": 1, "bpu_sector": "other"}),
    "BPU with JKP": (
        Membership,
        {"segment": "BPU", "jkp": True, "declared_income": 1, "bpu_sector": "other"},
    ),
    "Jakon with JHT": (Membership, {"segment": "JAKON", "jht": True}),
    "PMI with JP": (Membership, {"jp": True}),
    "no programme": (Membership, {"jkk": False, "jkm": False, "jht": False}),
    "segment unknown": (Membership, {"segment": "XX"}),
    "PU without employer": (Membership, {"segment": "PU", "payer_kind": "government"}),
    "BPU without income": (Membership, {"segment": "BPU", "bpu_sector": "other"}),
    "BPU with zero income": (Membership, {"segment": "BPU", "declared_income": 0, "bpu_sector": "other"}),
    "BPU without sector": (Membership, {"segment": "BPU", "declared_income": 1_000_000}),
    "employer payer unnamed": (Membership, {"payer_kind": "employer"}),
    "sponsor payer unnamed": (Membership, {"payer_kind": "sponsor"}),
    "membership ends before it starts": (Membership, {"end_date": dt.date(2024, 12, 31)}),
    "negative wage": (Employment, {"basic_wage": -1}),
    "negative allowance": (Employment, {"fixed_allowance": -1}),
    "employment ends before it starts": (Employment, {"end_date": dt.date(2017, 1, 1)}),
    "risk class 6": (Employer, {"risk_class": 6}),
    "risk class 0": (Employer, {"risk_class": 0}),
    "size class unknown": (Employer, {"size_class": "giant"}),
    "sex unknown": (Person, {"sex": "X"}),
    "citizenship unknown": (Person, {"citizenship": "XXX"}),
    "duplicate NIK": (Person, {"nik": "3573014503900001"}),  # the nurse's
    "duplicate NPP": (Employer, {"npp": "NPP00001"}),  # the hospital's
    "second open employment": (Employment, {"person": "nurse", "employer": "hospital"}),
    "second active BPU": (
        Membership,
        {"person": "driver", "segment": "BPU", "declared_income": 1, "bpu_sector": "other"},
    ),
    "second active via employer": (
        Membership,
        {"person": "nurse", "segment": "PU", "payer_kind": "employer", "employer": "hospital"},
    ),
}


@pytest.mark.parametrize(("model", "bad"), DB_REFUSES.values(), ids=DB_REFUSES.keys())
def test_the_database_refuses_bad_rows_written_around_the_services(
    world: World, model: type[Any], bad: dict[str, Any]
) -> None:
    bad = {k: getattr(world, v) if k in ("person", "employer") else v for k, v in bad.items()}
    before = model.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(**{**base_rows(world)[model], **bad})
    assert model.objects.count() == before


def test_the_database_allows_many_employers_without_nib(world: World) -> None:
    row = base_rows(world)[Employer]
    Employer.objects.create(**{**row, "npp": "RAW2", "nib": ""})
    Employer.objects.create(**{**row, "npp": "RAW3", "nib": ""})
    Employer.objects.create(**{**row, "npp": "RAW4", "nib": "1111111111111"})
    with pytest.raises(IntegrityError), transaction.atomic():
        Employer.objects.create(**{**row, "npp": "RAW5", "nib": "1111111111111"})
