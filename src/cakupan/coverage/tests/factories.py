"""Test data built through the registry services, so the real invariants run."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cakupan.registry import services
from cakupan.registry.models import Membership, Person
from cakupan.registry.nik import nik_compose


def person(*, actor: Any, district: str, serial: int) -> Person:
    born = dt.date(1990, 1, 1)
    nik = nik_compose(district_code=district, birth_date=born, sex="L", serial=serial)
    return services.person_register(
        actor=actor, nik=nik, full_name=f"Pekerja {serial}", birth_date=born, sex="L", address_region=district
    )


def bpu(*, actor: Any, who: Person, start: dt.date, sponsor: Any = None) -> Membership:
    return services.membership_enrol(
        actor=actor,
        person=who,
        segment="BPU",
        programs=["JKK", "JKM"],
        start_date=start,
        payer_kind="sponsor" if sponsor else "self",
        sponsor=sponsor,
        declared_income=1_000_000,
        bpu_sector="other",
    )
