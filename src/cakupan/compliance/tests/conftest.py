"""A small registry for compliance: the Batang textile company of scenarios.md (1,000 of 1,500 workers
registered), an under-waged, a programme-short and a compliant employer, and a near-name for review.

Members are bulk-created (the registry's own services are exercised by its tests; 1,000 members one by one
would take a minute here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cakupan.regions.services import branch_office_upsert
from cakupan.registry import services
from cakupan.registry.models import Employer, Employment, Membership, Person
from cakupan.registry.nik import nik_compose
from cakupan.registry.services.scope_keys import scope_keys_refresh

HEADER = [
    "NIB",
    "NPP",
    "Nama Perusahaan",
    "Alamat",
    "Kode Wilayah",
    "Periode",
    "Jumlah Pekerja",
    "Total Upah",
    "Skala Usaha",
    "KBLI",
]
_serial = iter(range(1, 10**6))


_kpj = iter(range(1, 10**9))


def _nik(k: int, district: str) -> str:
    # NIK serials are 4 digits: vary the birth date every 9,999 people.
    born = dt.date(1990, 1, 1) + dt.timedelta(days=k // 9999)
    return nik_compose(district_code=district, birth_date=born, sex="L", serial=k % 9999 + 1)


def niks(n: int, district: str = "33.25.01") -> list[str]:
    return [_nik(next(_serial), district) for _ in range(n)]


def add_members(
    employer: Employer,
    wages: list[int],
    programmes: tuple[str, ...] = ("JKK", "JKM", "JHT", "JP"),
    nik_list: list[str] | None = None,
) -> list[str]:
    nik_list = nik_list or niks(len(wages))
    persons = Person.objects.bulk_create(
        [
            Person(
                nik=n,
                full_name=f"Pekerja {n[-6:]}",
                birth_date=dt.date(1990, 1, 1),
                sex="L",
                address_region_id="33.25.01",
            )
            for n in nik_list
        ]
    )
    Employment.objects.bulk_create(
        [
            Employment(person=p, employer=employer, start_date=dt.date(2024, 1, 1), basic_wage=w)
            for p, w in zip(persons, wages, strict=True)
        ]
    )
    flags = {f: f.upper() in programmes for f in ("jkk", "jkm", "jht", "jp")}
    Membership.objects.bulk_create(
        [
            Membership(
                person=p,
                kpj=f"9{next(_kpj):010d}",
                segment="PU",
                start_date=dt.date(2024, 1, 1),
                payer_kind="employer",
                employer=employer,
                **flags,
            )
            for p in persons
        ]
    )
    scope_keys_refresh([p.pk for p in persons])  # bulk rows bypass the services that keep the keys
    return nik_list


@dataclass
class Compliance:
    world: Any
    batang: Any  # branch office
    batang_user: Any
    textile: Employer
    underpaid: Employer
    short: Employer
    good: Employer
    near: Employer
    textile_niks: list[str]


def _employer(admin: Any, office: Any, **data: Any) -> Employer:
    base = {
        "legal_form": "PT",
        "size_class": "besar",
        "kbli": "13111",
        "risk_class": 2,
        "region": "33.25.01",
        "branch_office": office.pk,
    }
    return services.employer_register(actor=admin, **{**base, **data})


@pytest.fixture
def cw(world: Any) -> Compliance:
    from conftest import make_user

    from cakupan.accounts.models import Role

    admin = world.admin
    batang = branch_office_upsert(code="BTG", name="Kantor Cabang Batang", seat="33.25", regions=["33.25"])
    textile = _employer(admin, batang, npp="NPP33001", nib="1234567890123", name="PT Batang Jaya Tekstil")
    underpaid = _employer(
        admin,
        batang,
        npp="NPP33002",
        name="CV Kayu Lestari",
        size_class="menengah",
        kbli="16101",
        risk_class=3,
    )
    short = _employer(
        admin, batang, npp="NPP33003", name="UD Roti Manis", size_class="kecil", kbli="10710", risk_class=1
    )
    good = _employer(admin, batang, npp="NPP33004", name="PT Logam Prima", kbli="24101", risk_class=4)
    near = _employer(admin, batang, npp="NPP33005", name="PT Sinar Abadi Makmur", kbli="46100", risk_class=1)
    textile_niks = add_members(textile, [3_000_000] * 1000)
    add_members(underpaid, [2_500_000] * 10)
    add_members(short, [2_000_000] * 5, programmes=("JKK", "JKM"))
    add_members(good, [5_000_000] * 3)
    return Compliance(
        world=world,
        batang=batang,
        batang_user=make_user("staf_batang", Role.BRANCH_STAFF, branch_office=batang),
        textile=textile,
        underpaid=underpaid,
        short=short,
        good=good,
        near=near,
        textile_niks=textile_niks,
    )


def report_rows() -> list[list[Any]]:
    return [
        [
            "1234567890123",
            "",
            "PT. Batang Jaya Tekstil Tbk",
            "Jl. Raya Batang",
            "33.25.01",
            "2026-05",
            1500,
            1500 * 3_000_000,
            "besar",
            "13111",
        ],
        ["", "NPP33002", "CV Kayu Lestari", "", "33.25", "2026-05", 10, 40_000_000, "menengah", "16101"],
        ["", "NPP33003", "UD Roti Manis", "", "33.25", "2026-05", 5, 10_000_000, "kecil", "10710"],
        ["", "NPP33004", "PT Logam Prima", "", "33.25", "2026-05", 3, 15_000_000, "besar", "24101"],
        [
            "9876543210987",
            "",
            "CV Sumber Rejeki",
            "",
            "33.25.02",
            "2026-05",
            40,
            100_000_000,
            "menengah",
            "10750",
        ],
        ["", "", "Sinar Abadi", "", "33.25", "2026-05", 8, 24_000_000, "kecil", "46100"],
    ]


def write_csv(path: Path, rows: list[list[Any]], header: list[str] = HEADER) -> Path:
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path
