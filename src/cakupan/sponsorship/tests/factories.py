"""Sponsors, sponsored members and bills for the sponsorship tests, made through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cakupan.contributions.services.billing import billing_run
from cakupan.registry import services
from cakupan.registry.models import Membership, Person, Sponsor
from cakupan.registry.nik import nik_compose

PRICE = 16_800  # JKK 1 % of Rp1,000,000 + JKM Rp6,800; APBD-funded, so no PP 50/2025 discount


def apbd_sponsor(actor: Any, name: str = "APBD Kota Contoh", region: str = "35.73") -> Sponsor:
    return services.sponsor_register(actor=actor, name=name, kind="apbd", region=region)


def person(actor: Any, serial: int, district: str = "35.73.01") -> Person:
    born = dt.date(1970 + serial % 30, 1 + serial % 12, 1 + serial % 28)
    nik = nik_compose(district_code=district, birth_date=born, sex="L", serial=500 + serial)
    return services.person_register(
        actor=actor, nik=nik, full_name=f"Warga {serial}", birth_date=born, sex="L", address_region=district
    )


def sponsored(
    actor: Any, sponsor: Sponsor, serial: int, *, start: dt.date = dt.date(2026, 1, 1)
) -> Membership:
    return services.membership_enrol(
        actor=actor,
        person=person(actor, serial),
        segment="BPU",
        programs=["JKK", "JKM"],
        start_date=start,
        payer_kind="sponsor",
        sponsor=sponsor,
        declared_income=1_000_000,
        bpu_sector="other",
    )


def bill_months(*periods: str) -> None:
    for period in periods:
        billing_run(period=period)
