"""Files from LibreOffice in every format: read as text, imported, and re-imported without duplicates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastexcel
import pytest

from cakupan.core.models import AuditEvent
from cakupan.enrolment.services import report_path, roster_import
from cakupan.enrolment.tests.conftest import GOOD_ROWS, report_rows
from cakupan.registry.models import Employment, Membership, Person


def _import(world: Any, path: Path, **kw: Any) -> Any:
    return roster_import(actor=world.hr_hospital, path_or_file=path, as_=("employer", "NPP00001"), **kw)


@pytest.mark.parametrize("kind", ["xlsx", "ods", "xls", "cp1252"])
def test_every_format_imports_the_same_rows(world: Any, office_files: dict[str, Path], kind: str) -> None:
    record = _import(world, office_files[kind])
    assert record.counts() == {"rows": 3, "imported": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    niks = [r[0] for r in GOOD_ROWS]
    persons = {p.nik: p for p in Person.objects.filter(nik__in=niks)}
    assert set(persons) == set(niks)
    assert persons[niks[0]].full_name == "André Wijaya"  # é survives Windows-1252 and UTF-8 alike
    assert persons[niks[1]].full_name == "Budi Santoso"
    jobs = {e.person.nik: e for e in Employment.objects.filter(employer=world.hospital, person__nik__in=niks)}
    assert jobs[niks[0]].basic_wage == 4_500_000
    assert (jobs[niks[1]].basic_wage, jobs[niks[1]].fixed_allowance) == (4_750_000, 250_000)
    members = Membership.objects.filter(person__nik__in=niks, employer=world.hospital, status="active")
    assert members.count() == 3
    assert all(m.payer_kind == "employer" and m.programs == ["JKK", "JKM", "JHT", "JP"] for m in members)
    assert len({m.kpj for m in members}) == 3
    assert all(len(m.kpj) == 11 and m.kpj.isdigit() for m in members)
    rows = report_rows(record)
    assert [r["Status"] for r in rows] == ["imported", "imported", "warning"]
    assert "nik_sex_mismatch" in rows[2]["Kode / Code"]
    assert persons[niks[2]].nik_warnings[0]["code"] == "sex_mismatch"


def test_reupload_and_overlap_create_nothing_new(world: Any, office_files: dict[str, Path]) -> None:
    first = _import(world, office_files["xlsx"])
    counts = (Person.objects.count(), Employment.objects.count(), Membership.objects.count())
    again = _import(world, office_files["ods"])  # the same rows, another file (another name and hash)
    assert first.sha256 != again.sha256
    assert again.counts() == {"rows": 3, "imported": 0, "updated": 0, "unchanged": 3, "rejected": 0}
    assert (Person.objects.count(), Employment.objects.count(), Membership.objects.count()) == counts
    assert AuditEvent.objects.filter(action="import", entity="enrolment.rosterimport").count() == 2
    event = AuditEvent.objects.get(action="import", entity_id=str(again.pk))
    assert event.changes["unchanged"] == 3


def test_nik_stored_as_numbers_is_reported(world: Any, office_files: dict[str, Path]) -> None:
    record = _import(world, office_files["numbers"])
    rows = report_rows(record)
    # xlsx from Calc keeps 15 significant digits: the 16th digit is lost and the row must be refused.
    assert record.rejected == 3
    assert all("nik_number" in r["Kode / Code"].split() for r in rows)
    assert "angka" in rows[0]["Alasan"]
    assert "stored as a number" in rows[0]["Reason"]
    assert not Person.objects.filter(nik__in=[r[0] for r in GOOD_ROWS]).exists()


def test_formulas_are_values_and_exports_are_neutralised(world: Any, office_files: dict[str, Path]) -> None:
    record = _import(world, office_files["formulas"])
    assert record.imported == 1
    person = Person.objects.get(full_name="Dewi Anggraini")  # a formula's value, not its text
    assert Employment.objects.get(person=person).basic_wage == 4_500_000
    rows = report_rows(record)
    assert rows[0]["Catatan"] == '\'=HYPERLINK("http://evil")'
    sheet = fastexcel.read_excel(str(report_path(record, "xlsx"))).load_sheet(0, dtypes="string").to_polars()
    assert sheet["Catatan"].to_list() == ['\'=HYPERLINK("http://evil")']
