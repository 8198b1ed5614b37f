"""Every rejection reason, scope, all-or-nothing, and the three doors (CLI --json, API)."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cakupan.core.errors import InvalidInput
from cakupan.enrolment.models import RosterImport
from cakupan.enrolment.reasons import REASONS
from cakupan.enrolment.services import roster_import
from cakupan.enrolment.tests.conftest import GOOD_ROWS, HEADER, nik, report_rows, write_csv
from cakupan.registry.models import Employment, Membership, Person

D = "35.73.01"
merge_module = importlib.import_module("cakupan.enrolment.services.merge")


def _codes(record: RosterImport) -> set[str]:
    return {c for r in report_rows(record) for c in r["Kode / Code"].split()}


def _run(world: Any, tmp_path: Path, rows: list[list[str]], **kw: Any) -> RosterImport:
    header = kw.pop("header", HEADER)
    path = write_csv(tmp_path / "r.csv", rows, header=header, sep=kw.pop("sep", ","))
    kw.setdefault("actor", world.hr_hospital)
    kw.setdefault("as_", ("employer", "NPP00001"))
    return roster_import(path_or_file=path, **kw)


def test_every_rejection_reason(world: Any, tmp_path: Path) -> None:
    n = nik(dt.date(1990, 1, 2), "L", 31)
    pu = [
        ["", "Tanpa NIK", "02/01/1990", "L", D, "", "4000000", ""],
        ["3.57301E+15", "Eksponen", "02/01/1990", "L", D, "", "4000000", ""],
        ["123", "Pendek", "02/01/1990", "L", D, "", "4000000", ""],
        ["9973010201900031", "Provinsi", "02/01/1990", "L", D, "", "4000000", ""],
        ["3599010201900031", "Kabupaten", "02/01/1990", "L", D, "", "4000000", ""],
        ["3573010213900031", "Bulan", "02/01/1990", "L", D, "", "4000000", ""],
        ["3573019901900031", "Hari", "02/01/1990", "L", D, "", "4000000", ""],
        ["3573010201900000", "Urut", "02/01/1990", "L", D, "", "4000000", ""],
        [nik(dt.date(1990, 1, 3), "L", 32), "", "03/01/1990", "L", D, "", "4000000", ""],
        [nik(dt.date(1990, 1, 4), "L", 33), "X" * 200, "04/01/1990", "L", D, "", "4000000", ""],
        [nik(dt.date(1990, 1, 5), "L", 34), "Tgl", "31/02/1990", "L", D, "", "4000000", ""],
        [nik(dt.date(1890, 1, 6), "L", 35), "Tua", "06/01/1890", "L", D, "", "4000000", ""],
        [nik(dt.date(1990, 1, 7), "L", 36), "JK", "07/01/1990", "X", D, "", "4000000", ""],
        [nik(dt.date(1990, 1, 8), "L", 37), "Wilayah", "08/01/1990", "L", "99.99", "", "4000000", ""],
        [nik(dt.date(1990, 1, 9), "L", 38), "HP", "09/01/1990", "L", D, "0812abc", "4000000", ""],
        [nik(dt.date(1990, 1, 10), "L", 39), "Upah", "10/01/1990", "L", D, "", "4,5 juta", ""],
        [nik(dt.date(1990, 1, 11), "L", 40), "Tunj", "11/01/1990", "L", D, "", "4000000", "banyak"],
        [n, "Asli", "02/01/1990", "L", D, "", "4000000", ""],
        [n, "Ganda", "02/01/1990", "L", D, "", "4000000", ""],
        [world.nurse.nik, "Ners", "06/03/1990", "L", D, "", "4000000", "500000"],  # registry: 05/03, P
    ]
    codes = _codes(_run(world, tmp_path, pu))
    extra = ["Program", "Tanggal Mulai"]
    bad_program = [
        nik(dt.date(1990, 1, 12), "L", 41),
        "Prog",
        "12/01/1990",
        "L",
        D,
        "",
        "4000000",
        "",
        "JKK, JHT",
    ]
    early = [
        nik(dt.date(1990, 1, 13), "L", 42),
        "Mulai",
        "13/01/1990",
        "L",
        D,
        "",
        "4000000",
        "",
        "",
        "01/01/1980",
    ]
    codes |= _codes(_run(world, tmp_path, [[*bad_program, ""], early], header=[*HEADER, *extra]))
    # A sponsor's BPU roster: income, sector, and a person already paid for by someone else.
    bpu_header = ["NIK", "Nama", "Tanggal Lahir", "JK", "Kode Wilayah", "Penghasilan", "Sektor"]
    bpu = [
        [nik(dt.date(1991, 2, 1), "L", 51), "Income", "01/02/1991", "L", D, "nol", ""],
        [nik(dt.date(1991, 2, 2), "L", 52), "Sektor", "02/02/1991", "L", D, "1000000", "tambang"],
    ]
    codes |= _codes(
        _run(world, tmp_path, bpu, header=bpu_header, actor=world.admin, as_=("sponsor", world.sponsor.pk))
    )
    # An agency's roster names the employer of each row.
    agency_header = [*HEADER, "NPP"]
    agency_rows = [
        [*GOOD_ROWS[0], ""],
        [*GOOD_ROWS[1], "NOPE"],
        [*GOOD_ROWS[2], "NPP00002"],  # Kabupaten Bekasi: not the Malang health agency's
    ]
    agency = world.agency_health_malang.agency
    codes |= _codes(
        _run(world, tmp_path, agency_rows, header=agency_header, actor=world.admin, as_=("agency", agency.pk))
    )
    other_payer = {"membership_other_payer", "membership_other_sponsor"}
    assert not codes & other_payer  # covered below with a real other payer
    errors = {code for code, (is_error, _i, _e) in REASONS.items() if is_error}
    missing = errors - codes - other_payer
    assert not missing, missing


def test_other_payer_is_a_conflict(world: Any, tmp_path: Path) -> None:
    from cakupan.registry import services

    other = services.sponsor_register(actor=world.admin, name="APBD Kota Malang", kind="apbd", region="35.73")
    d = world.driver
    row = [d.nik, d.full_name, f"{d.birth_date:%d/%m/%Y}", d.sex, D, "1500000", "transportasi"]
    header = ["NIK", "Nama", "Tanggal Lahir", "JK", "Kode Wilayah", "Penghasilan", "Sektor"]
    record = _run(world, tmp_path, [row], header=header, actor=world.admin, as_=("sponsor", other.pk))
    assert record.rejected == 1
    assert "membership_other_sponsor" in _codes(record)
    # One payer per person per month (issue 15): the refusal names the sponsor already paying.
    (reported,) = report_rows(record)
    assert f"sudah dibayar oleh sponsor lain: {world.sponsor.name}." in reported["Alasan"]
    assert f"by another sponsor: {world.sponsor.name}." in reported["Reason"]
    # Its own sponsor re-sending it with a new income: updated, not duplicated (and reported as
    # "imported": a sponsor sees NIKs masked, so its report does not confirm which NIKs are its members).
    record = _run(
        world, tmp_path, [row], header=header, actor=world.sponsor_user, as_=("sponsor", world.sponsor.pk)
    )
    assert (record.counts()["imported"], record.counts()["updated"]) == (1, 0)
    assert world.driver_membership.__class__.objects.filter(person=d, status="active").count() == 1
    world.driver_membership.refresh_from_db()
    assert world.driver_membership.declared_income == 1_500_000


def test_existing_person_phone_update_and_unchanged(world: Any, tmp_path: Path) -> None:
    n = world.nurse
    row = [n.nik, n.full_name, f"{n.birth_date:%d/%m/%Y}", "P", D, "+6281299", "4000000", "500000"]
    record = _run(world, tmp_path, [row])
    assert record.counts() == {"rows": 1, "imported": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    n.refresh_from_db()
    assert n.phone == "+6281299"
    assert _run(world, tmp_path, [row]).unchanged == 1


def test_scope_agency_cannot_import_into_another_regions_employer(world: Any, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as exc:
        _run(world, tmp_path, GOOD_ROWS, actor=world.agency_health_malang, as_=("employer", "NPP00002"))
    assert exc.value.errors[0].field == "as"
    with pytest.raises(InvalidInput):
        _run(world, tmp_path, GOOD_ROWS, actor=world.hr_factory, as_=("employer", "NPP00001"))
    with pytest.raises(InvalidInput):
        _run(world, tmp_path, GOOD_ROWS, actor=world.sponsor_user, as_=("employer", "NPP00001"))
    # Its own region's hospital is fine.
    record = _run(world, tmp_path, GOOD_ROWS, actor=world.agency_health_malang, as_=("employer", "NPP00001"))
    assert record.imported == 3
    assert not RosterImport.objects.filter(employer=world.factory).exists()


def test_killed_import_leaves_nothing(world: Any, tmp_path: Path, monkeypatch: Any) -> None:
    before = (Person.objects.count(), Employment.objects.count(), Membership.objects.count())

    def boom(*args: Any) -> list[str]:
        raise RuntimeError("killed after persons and employment were written")

    # Just before the memberships are written.
    monkeypatch.setattr(merge_module, "_kpj", boom)
    with pytest.raises(RuntimeError):
        _run(world, tmp_path, GOOD_ROWS)
    assert (Person.objects.count(), Employment.objects.count(), Membership.objects.count()) == before
    assert not RosterImport.objects.exists()
    monkeypatch.undo()
    assert _run(world, tmp_path, GOOD_ROWS).imported == 3  # the rerun completes


def test_dry_run_writes_nothing_but_reports(world: Any, tmp_path: Path) -> None:
    before = Person.objects.count()
    record = _run(world, tmp_path, GOOD_ROWS, dry_run=True, sep=";")
    assert record.status == RosterImport.Status.DRY_RUN
    assert record.imported == 3
    assert Person.objects.count() == before


def test_queries_do_not_grow_with_rows(world: Any, tmp_path: Path) -> None:
    def rows(count: int, offset: int) -> list[list[str]]:
        born = dt.date(1980, 1, 1)
        return [
            [nik(born, "L", offset + i), f"P {i}", "01/01/1980", "L", D, "", "4000000", ""]
            for i in range(count)
        ]

    with CaptureQueriesContext(connection) as small:
        _run(world, tmp_path, rows(3, 100))
    # 40 rows: still one INSERT batch on SQLite (999 parameters); beyond that the backend splits inserts.
    with CaptureQueriesContext(connection) as big:
        _run(world, tmp_path, rows(40, 200))
    assert len(big) == len(small)


def test_ambiguous_and_missing_columns(world: Any, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as exc:
        _run(world, tmp_path, [], header=["NIK", "No. KTP", "Nama", "Tgl Lahir", "JK", "Kode Wilayah"])
    messages = [str(e.message) for e in exc.value.errors]
    assert {e.field for e in exc.value.errors} == {"columns"}
    assert any("No. KTP" in m for m in messages)
    assert any("Upah" in m for m in messages)


def test_cli_json(world: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", GOOD_ROWS)
    out = io.StringIO()
    call_command("roster", "import", str(path), "--as", "employer:NPP00001", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert list(data) == [
        "rows",
        "imported",
        "updated",
        "unchanged",
        "rejected",
        "held",
        "warnings",
        "report",
    ]
    assert (data["rows"], data["imported"]) == (3, 3)
    assert Path(data["report"]).is_file()
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("roster", "import", str(path), "--as", "nobody", "--json", stdout=out)
    assert exit_info.value.code == 2
    assert json.loads(out.getvalue())["errors"][0]["field"] == "as"


def test_api(world: Any, tmp_path: Path, client: Any) -> None:
    client.force_login(world.hr_hospital)
    path = write_csv(tmp_path / "r.csv", GOOD_ROWS)
    with path.open("rb") as handle:
        answer = client.post("/api/v1/rosters/", {"file": handle, "as": "employer:NPP00001"})
    assert answer.status_code == 201, answer.content
    assert answer.json()["imported"] == 3
    assert client.get(answer.json()["report_csv"]).status_code == 200
    with path.open("rb") as handle:
        bad = client.post("/api/v1/rosters/", {"file": handle, "as": "employer:NPP00002"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "as"
    assert client.post("/api/v1/rosters/", {"as": "employer:NPP00001"}).json()["errors"][0]["field"] == "file"
    bogus = io.BytesIO(b"not a spreadsheet")
    bogus.name = "x.xlsx"
    answer = client.post("/api/v1/rosters/", {"file": bogus, "as": "employer:NPP00001"})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "file"


def test_pages(world: Any, tmp_path: Path, client: Any) -> None:
    client.force_login(world.hr_hospital)
    assert client.get("/rosters/").status_code == 200
    template = client.get("/rosters/template.xlsx")
    assert template.status_code == 200
    assert template.content[:2] == b"PK"
    path = write_csv(tmp_path / "r.csv", GOOD_ROWS)
    with path.open("rb") as handle:
        answer = client.post("/rosters/", {"file": handle, "as_": "employer:NPP00001"})
    assert answer.status_code == 302
    report = client.get(answer["Location"])
    # The cards add up to the rows: the row imported with a warning is counted under warnings.
    assert b'data-count="imported">2<' in report.content
    assert b'data-count="warning">1<' in report.content
    client.force_login(world.hr_factory)
    assert client.get(answer["Location"]).status_code == 404
