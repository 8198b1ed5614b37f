"""The two loaders of the one merge (COPY on PostgreSQL, VALUES elsewhere) give the same final rows."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from cakupan.enrolment.services import merge_path, roster_import
from cakupan.enrolment.tests.conftest import GOOD_ROWS, HEADER, nik, report_rows, write_csv
from cakupan.registry.models import Employment, Membership, Person

D = "35.73.01"
load_module = importlib.import_module("cakupan.enrolment.services.merge_load")
BPU_HEADER = ["NIK", "Nama", "Tanggal Lahir", "JK", "Kode Wilayah", "No HP", "Penghasilan", "Sektor"]


def test_merge_path_switch(settings: Any) -> None:
    settings.ROSTER_MERGE = "auto"
    assert merge_path("postgresql") == "copy"
    assert merge_path("sqlite") == "portable"
    settings.ROSTER_MERGE = "portable"
    assert merge_path("postgresql") == "portable"


class _Undo(Exception):  # noqa: N818 - a control-flow signal to roll the savepoint back
    def __init__(self, result: Any) -> None:
        self.result = result


def _snapshot() -> dict[str, Any]:
    persons = sorted(
        Person.objects.values_list(
            "nik", "full_name", "birth_date", "sex", "phone", "address_region", "nik_warnings"
        )
    )
    jobs = sorted(
        Employment.objects.values_list(
            "person__nik", "employer__npp", "start_date", "end_date", "basic_wage", "fixed_allowance"
        )
    )
    members = sorted(
        Membership.objects.values_list(
            "person__nik",
            "segment",
            "jkk",
            "jkm",
            "jht",
            "jp",
            "jkp",
            "start_date",
            "status",
            "payer_kind",
            "employer__npp",
            "employment__person__nik",
            "sponsor__name",
            "declared_income",
            "bpu_sector",
        ),
        key=repr,
    )
    assert len(set(Membership.objects.values_list("kpj", flat=True))) == Membership.objects.count()
    return {"persons": persons, "jobs": jobs, "members": members}


def _scenario(world: Any, tmp_path: Path, kind: str) -> dict[str, Any]:
    nurse, operator, driver = world.nurse, world.operator, world.driver
    if kind == "sponsor":
        rows = [
            [nik(dt.date(1993, 4, 5), "L", 71), "Ojek Satu", "05/04/1993", "L", D, "0812", "1500000", "ojek"],
            [
                driver.nik,
                driver.full_name,
                f"{driver.birth_date:%d/%m/%Y}",
                "L",
                "35.73.02",
                "",
                "2000000",
                "",
            ],
            [nurse.nik, nurse.full_name, f"{nurse.birth_date:%d/%m/%Y}", "P", D, "0899", "1000000", ""],
            # No address and no income: the sponsor's regency and income basis (payer.py).
            [nik(dt.date(1993, 4, 6), "L", 72), "Tanpa Wilayah", "06/04/1993", "L", "", "", "", ""],
            # No address, a NIK of Kabupaten Malang (35.07): the sponsor's regency, with a warning.
            [
                nik(dt.date(1993, 4, 7), "L", 73, district="35.07.01"),
                "Dari Kabupaten",
                "07/04/1993",
                "L",
                "",
                "",
                "1500000",
                "",
            ],
            ["3573010000000000", "NIK Rusak", "06/04/1993", "L", "", "", "", ""],
        ]
        files = [write_csv(tmp_path / "s1.csv", rows, header=BPU_HEADER)]
        rows[0][6] = "1750000"  # the re-sent file changes one income
        files.append(write_csv(tmp_path / "s2.csv", rows, header=BPU_HEADER))
        return {"files": files, "actor": world.sponsor_user, "as_": ("sponsor", world.sponsor.pk)}
    rows = [
        *(list(r) for r in GOOD_ROWS),
        [
            nurse.nik,
            nurse.full_name,
            f"{nurse.birth_date:%d/%m/%Y}",
            "P",
            "35.73.02",
            "0812",
            "4000000",
            "500000",
        ],
        [operator.nik, operator.full_name, f"{operator.birth_date:%d/%m/%Y}", "L", D, "0813", "6000000", ""],
        [driver.nik, driver.full_name, "01/01/1970", "L", D, "", "4000000", ""],  # registry: another date
        [GOOD_ROWS[0][0], "Ganda", "05/03/1990", "P", D, "", "4000000", ""],
    ]
    header = HEADER
    if kind == "agency":
        header = [*HEADER, "NPP"]
        rows = [[*r, "NPP00001"] for r in rows]
        rows[1][-1] = "NPP00002"  # the factory: not the Malang health agency's
    files = [write_csv(tmp_path / "e1.csv", rows, header=header)]
    rows[0][6] = "4600000"  # a raise in the re-sent file
    files.append(write_csv(tmp_path / "e2.csv", rows, header=header))
    if kind == "agency":
        return {
            "files": files,
            "actor": world.agency_health_malang,
            "as_": ("agency", world.agency_health_malang.agency_id),
        }
    return {"files": files, "actor": world.hr_hospital, "as_": ("employer", "NPP00001")}


def _run(world: Any, tmp_path: Path, kind: str) -> dict[str, Any]:
    case = _scenario(world, tmp_path, kind)
    try:
        with transaction.atomic():
            reports = []
            for path in case["files"]:
                record = roster_import(actor=case["actor"], path_or_file=path, as_=case["as_"])
                reports.append([(r["Status"], r["Kode / Code"], r["Alasan"]) for r in report_rows(record)])
            raise _Undo({"reports": reports, **_snapshot()})
    except _Undo as undo:
        return dict(undo.result)


EXPECTED = {
    "employer": [
        # The driver is not the hospital's, and the row gives another birth date: held for the branch.
        ["imported", "imported", "warning", "updated", "imported", "held", "rejected"],
        # The operator is the hospital's worker now (in scope): the phone kept the first time is taken.
        ["updated", "unchanged", "warning", "unchanged", "updated", "held", "rejected"],
    ],
    "agency": [
        ["imported", "rejected", "warning", "updated", "imported", "held", "rejected"],
        ["updated", "rejected", "warning", "unchanged", "updated", "held", "rejected"],
    ],
    # A sponsor sees NIKs masked: every row written reads "imported" (an "unchanged" row would confirm
    # a guessed NIK), and the nurse's phone stays the registry's though she is the sponsor's now.
    "sponsor": [
        ["imported", "imported", "imported", "imported", "warning", "rejected"],
        ["imported", "imported", "imported", "imported", "warning", "rejected"],
    ],
}


@pytest.mark.parametrize("kind", ["employer", "agency", "sponsor"])
def test_both_paths_give_the_same_rows(world: Any, tmp_path: Path, settings: Any, kind: str) -> None:
    paths = ["portable", "auto"] if connection.vendor == "postgresql" else ["portable"]
    results = []
    for name in paths:
        settings.ROSTER_MERGE = name
        results.append(_run(world, tmp_path, kind))
    first = results[0]
    assert [[s for s, _c, _t in report] for report in first["reports"]] == EXPECTED[kind]
    for other in results[1:]:
        assert other == first
    codes = " ".join(c for report in first["reports"] for _s, c, _t in report)
    if kind != "sponsor":
        assert "link_review" in codes  # the driver, named with another birth date
        assert "conflict" not in codes  # nothing quotes the registry of a person outside the scope
        assert "duplicate" in codes
    else:
        assert "region_from_payer" in codes
        persons = {p[0]: p for p in first["persons"]}
        members = {m[0]: m for m in first["members"]}
        no_income = nik(dt.date(1993, 4, 6), "L", 72)
        elsewhere = nik(dt.date(1993, 4, 7), "L", 73, district="35.07.01")
        # No address: the sponsor's regency (35.73); no income: the lowest BPU level, on both paths.
        assert persons[no_income][5] == persons[elsewhere][5] == "35.73"
        assert members[no_income][13] == 1_000_000
    assert first["persons"]
    assert first["members"]


def test_colliding_kpjs_are_drawn_again(world: Any, tmp_path: Path, monkeypatch: Any) -> None:
    # Five possible KPJs, two of them taken: the three new memberships must end with the other three.
    monkeypatch.setattr(load_module, "KPJ_SPAN", 5)
    taken = list(Membership.objects.values_list("pk", flat=True)[:2])
    for pk, kpj in zip(taken, ("10000000000", "10000000001"), strict=True):
        Membership.objects.filter(pk=pk).update(kpj=kpj)
    record = roster_import(
        actor=world.hr_hospital,
        path_or_file=write_csv(tmp_path / "r.csv", [list(r) for r in GOOD_ROWS]),
        as_=("employer", "NPP00001"),
    )
    assert record.imported == 3
    new = Membership.objects.exclude(pk__in=taken).filter(kpj__startswith="1000000000")
    assert sorted(new.values_list("kpj", flat=True)) == ["10000000002", "10000000003", "10000000004"]
