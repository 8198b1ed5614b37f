"""Members for billing tests, made through the registry services so every invariant runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cakupan.registry import services
from cakupan.registry.models import Employer, Membership, Person
from cakupan.registry.nik import nik_compose

ALL_PU = ["JKK", "JKM", "JHT", "JP", "JKP"]


def person_make(actor: Any, serial: int, district: str = "32.16.01") -> Person:
    born = dt.date(1980 + serial % 20, 1 + serial % 12, 1 + serial % 28)
    nik = nik_compose(district_code=district, birth_date=born, sex="L", serial=100 + serial)
    return services.person_register(
        actor=actor, nik=nik, full_name=f"Pekerja {serial}", birth_date=born, sex="L", address_region=district
    )


def pu_member_make(
    actor: Any, employer: Employer, serial: int, *, wage: int, programs: list[str] | None = None
) -> Membership:
    person = person_make(actor, serial)
    employment = services.employment_start(
        actor=actor, person=person, employer=employer, start_date=dt.date(2024, 1, 1), basic_wage=wage
    )
    return services.membership_enrol(
        actor=actor,
        person=person,
        segment="PU",
        programs=programs or ALL_PU,
        start_date=dt.date(2024, 1, 1),
        payer_kind="employer",
        employer=employer,
        employment=employment,
    )


def bpu_member_make(
    actor: Any, serial: int, *, income: int, payer_kind: str = "self", **extra: Any
) -> Membership:
    person = person_make(actor, serial, district="35.73.01")
    return services.membership_enrol(
        actor=actor,
        person=person,
        segment="BPU",
        programs=["JKK", "JKM", "JHT"],
        start_date=dt.date(2024, 1, 1),
        payer_kind=payer_kind,
        declared_income=income,
        bpu_sector="other",
        **extra,
    )
