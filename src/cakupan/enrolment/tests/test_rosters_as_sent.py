"""Rosters as sponsors and agencies send them (issue 14, point 3): titles and blank rows above the header,
no region and no income column, phones and dates turned into numbers by the spreadsheet. The payer gives
what the file lacks (payer.py): the sponsor's regency and its income basis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cakupan.core.errors import Forbidden, InvalidInput
from cakupan.core.models import AuditEvent
from cakupan.enrolment.readers import read_table, roster_headers
from cakupan.enrolment.services import roster_import
from cakupan.enrolment.services.parse import parse_region
from cakupan.enrolment.tests.conftest import TITLED_ROWS, report_rows, write_csv
from cakupan.registry.models import Membership, Person
from cakupan.registry.services import sponsor_income_basis_set

pytestmark = pytest.mark.django_db

SHARED = Path(__file__).resolve().parents[4].parent / "shared" / "acceptance" / "rosters"
TYPICAL = SHARED / "sponsor-roster-typical.csv"


def _as_sponsor(world: Any, path: Path, **kw: Any) -> Any:
    return roster_import(actor=world.sponsor_user, path_or_file=path, as_=("sponsor", world.sponsor.pk), **kw)


@pytest.mark.parametrize("kind", ["csv", "xlsx", "ods", "xls"])
def test_titled_roster_without_region_or_income(world: Any, titled_files: dict[str, Path], kind: str) -> None:
    record = _as_sponsor(world, titled_files[kind])
    assert (record.rows, record.imported, record.rejected, record.warnings) == (5, 4, 1, 1)
    rows = report_rows(record)
    # The numbers the clerk sees in the sheet: the header is row 4, row 7 is blank.
    assert [(r["Baris / Row"], r["Status"], r["Kode / Code"]) for r in rows] == [
        ("5", "imported", ""),
        ("6", "imported", ""),
        ("8", "rejected", "nik_month"),
        ("9", "warning", "region_from_payer"),
        ("10", "imported", ""),
    ]
    data = [r for r in TITLED_ROWS[4:] if r[0] and r[0] != "3573015313920001"]
    persons = {p.nik: p for p in Person.objects.filter(nik__in=[r[0] for r in data])}
    assert len(persons) == 4
    assert {p.address_region_id for p in persons.values()} == {"35.73"}  # the sponsor's regency
    # Phones Calc stored as numbers get their leading 0 back; dates stored as dates read as dates.
    assert persons[data[0][0]].phone == "083795742288"
    assert persons[data[1][0]].phone == "083179419893"
    assert persons[data[1][0]].birth_date.isoformat() == "1992-10-21"
    assert persons[data[3][0]].birth_date.isoformat() == "1999-12-30"
    members = Membership.objects.filter(person__nik__in=persons, sponsor=world.sponsor, status="active")
    assert members.count() == 4
    # No income column: the lowest BPU level (rules tables), Rp1,000,000 -> Rp16,800 JKK + JKM.
    assert {(m.segment, m.declared_income, m.programs == ["JKK", "JKM"]) for m in members} == {
        ("BPU", 1_000_000, True)
    }


def test_income_basis_is_the_sponsors_setting_for_new_members(
    world: Any, titled_files: dict[str, Path], tmp_path: Path
) -> None:
    sponsor_income_basis_set(actor=world.admin, sponsor=world.sponsor, income_basis=2_500_000)
    _as_sponsor(world, titled_files["csv"])
    first = TITLED_ROWS[4][0]
    assert Membership.objects.get(person__nik=first, sponsor=world.sponsor).declared_income == 2_500_000
    # A later basis is for new members: re-sending the file keeps the incomes already declared.
    sponsor_income_basis_set(actor=world.admin, sponsor=world.sponsor, income_basis=None)
    more = [*TITLED_ROWS[3:], ["3573016508010035", "Baru Lagi", "25-08-2001", "P", "", "Pedagang"]]
    _as_sponsor(world, write_csv(tmp_path / "lagi.csv", more[1:], header=more[0]))
    incomes = dict(
        Membership.objects.filter(sponsor=world.sponsor, person__nik__in=[first, more[-1][0]]).values_list(
            "person__nik", "declared_income"
        )
    )
    assert incomes == {first: 2_500_000, more[-1][0]: 1_000_000}
    event = AuditEvent.objects.filter(action="update", entity="registry.sponsor").order_by("pk").last()
    assert event is not None
    assert event.changes == {"income_basis": [2_500_000, None]}


def test_income_basis_is_checked(world: Any) -> None:
    for bad in (999_999, "sejuta", -5, 1_000_000.5):
        with pytest.raises(InvalidInput) as caught:
            sponsor_income_basis_set(actor=world.admin, sponsor=world.sponsor, income_basis=bad)  # type: ignore[arg-type]
        assert [e.field for e in caught.value.errors] == ["income_basis"]
    with pytest.raises(Forbidden):  # a sponsor's user does not set its own basis: the branch office does
        sponsor_income_basis_set(actor=world.sponsor_user, sponsor=world.sponsor, income_basis=2_000_000)
    world.sponsor.refresh_from_db()
    assert world.sponsor.income_basis is None


@pytest.mark.skipif(not TYPICAL.is_file(), reason="../shared/acceptance/rosters is not beside the checkout")
def test_the_typical_sponsor_roster(world: Any) -> None:
    """The shared acceptance file: a city budget's list without region or income, as the README says."""
    dry = _as_sponsor(world, TYPICAL, dry_run=True)
    assert (dry.rows, dry.rejected, dry.warnings) == (200, 24, 8)
    assert (
        not Membership.objects.filter(sponsor=world.sponsor, person__nik__startswith="3573")
        .exclude(person=world.driver)
        .exists()
    )
    record = _as_sponsor(world, TYPICAL)
    assert (record.rows, record.rejected, record.warnings, record.imported) == (200, 24, 8, 176)
    codes = {c for r in report_rows(record) for c in r["Kode / Code"].split()}
    assert codes <= {"nik_length", "nik_month", "nik_serial", "nik_birth_date_mismatch"}
    before = (Person.objects.count(), Membership.objects.count())
    members = list(Membership.objects.filter(sponsor=world.sponsor).values_list("pk", "declared_income"))
    _as_sponsor(world, TYPICAL)  # again: nothing changes
    assert (Person.objects.count(), Membership.objects.count()) == before
    assert (
        list(Membership.objects.filter(sponsor=world.sponsor).values_list("pk", "declared_income")) == members
    )
    assert {i for _pk, i in members if i != world.driver_membership.declared_income} <= {1_000_000}


def test_report_page_rejected_first_filtered_in_words(
    world: Any, titled_files: dict[str, Path], client: Any
) -> None:
    record = _as_sponsor(world, titled_files["xlsx"])
    client.force_login(world.sponsor_user)
    page = client.get(f"/rosters/{record.pk}/", HTTP_ACCEPT_LANGUAGE="id")
    html = page.content.decode()
    assert page.status_code == 200
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    # Rejected first, then the warning, then the rest in file order; statuses in words, not codes.
    order = [body.index(f'<td data-label="Baris" class="num">{n}</td>') for n in ("8", "9", "5", "6", "10")]
    assert order == sorted(order)
    assert '<tr class="row-rejected">' in body
    assert ">Ditolak</span>" in body
    assert ">Dengan peringatan</span>" in body
    assert ">Diimpor</span>" in body
    assert "imported" not in body.replace('class="row-imported"', "").replace("badge-imported", "")
    assert "Bulan lahir pada NIK harus 01-12." in body  # the reason in Indonesian
    assert f'class="nowrap">{TITLED_ROWS[4][0]}</td>' in body  # the NIK on one line
    # The counts as cards, each a filter; they add up to the rows.
    cards = {
        k: html.split(f'data-count="{k}">')[1].split("<")[0]
        for k in ("rows", "rejected", "warning", "imported")
    }
    assert cards == {"rows": "5", "rejected": "1", "warning": "1", "imported": "3"}
    only = client.get(f"/rosters/{record.pk}/?status=rejected", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    rows = only[only.index("<tbody>") : only.index("</tbody>")]
    assert rows.count("<tr ") == 1
    assert "Rusak Bulan" in rows
    assert client.get(f"/rosters/{record.pk}/?status=held").content.decode().count("<tr ") == 0
    bad = client.get(f"/rosters/{record.pk}/?status=semua")
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("cell", "code"),
    [("35.73", "35.73"), ("3573", "35.73"), ("3573.0", "35.73"), ("32.1", "32.10"), ("357301", "35.73.01")],
)
def test_region_codes_a_spreadsheet_made_numbers(cell: str, code: str) -> None:
    assert parse_region(cell) == code


def test_header_search_keeps_the_first_row_without_known_headers() -> None:
    """The compliance readers share read_table without known headers: their first row stays the header."""
    content = b"Judul laporan\nNIK,Nama\n3573010101900001,A\n"
    assert read_table(content, "r.csv").frame.columns == ["Judul laporan"]
    found = read_table(content, "r.csv", known_headers=roster_headers())
    assert found.frame.columns == ["NIK", "Nama"]
    assert found.row_numbers.to_list() == [3]
