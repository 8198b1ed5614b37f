"""Files that cannot hurt the service: every limit refused before a parser sees the file, through the
service, the command (exit 2), the page and the API (400), with nothing written."""

from __future__ import annotations

import io
import json
import struct
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from cakupan.core.errors import InvalidInput
from cakupan.core.upload_limits import check_file
from cakupan.enrolment.models import RosterImport
from cakupan.enrolment.services import roster_import
from cakupan.enrolment.tests import bombs
from cakupan.enrolment.tests.conftest import GOOD_ROWS, HEADER, write_csv
from cakupan.jobs.models import Job

pytestmark = pytest.mark.django_db
AS = ("employer", "NPP00001")


def _refusal(world: Any, path: Path) -> str:
    with pytest.raises(InvalidInput) as exc, translation.override("en"):
        roster_import(actor=world.hr_hospital, path_or_file=path, as_=AS)
    assert [e.field for e in exc.value.errors] == ["file"]
    assert not RosterImport.objects.exists()
    with translation.override("en"):
        return str(exc.value.errors[0].message)


def test_zip_bomb_xlsx_is_refused_by_its_ratio(world: Any, tmp_path: Path) -> None:
    bomb = bombs.xlsx_repeated_rows(tmp_path, rows=1_000_000)
    assert bomb.stat().st_size < 1_000_000
    assert "at most 100 times" in _refusal(world, bomb)


def test_far_cell_is_refused_by_its_columns_and_rows(world: Any, tmp_path: Path) -> None:
    # The 5 KB file that made calamine ask for 512 GiB and abort the process (exit 134).
    assert "16,384 columns; at most 64" in _refusal(world, bombs.xlsx_far_cell(tmp_path, "XFD1048576"))
    assert "rows; at most 1,048,576" in _refusal(world, bombs.xlsx_far_cell(tmp_path, "A99999999"))


def test_a_sheet_stored_outside_xl_worksheets_is_checked(world: Any, tmp_path: Path) -> None:
    # The parser follows the workbook's relationships to the sheet wherever it is stored.
    moved = bombs.xlsx_moved_sheet(tmp_path, bombs.xlsx_far_cell(tmp_path, "XFD1048576"))
    assert "16,384 columns" in _refusal(world, moved)


def test_cells_placed_without_a_plain_reference_are_counted(world: Any, tmp_path: Path) -> None:
    # A reference after a newline, and cells with no reference at all (placed one after another).
    newline = '<row r="2"><c\nr="XFD2" t="inlineStr"><is><t>x</t></is></c></row>'
    assert "16,384 columns" in _refusal(world, bombs.xlsx_sheet(tmp_path, newline))
    cell = '<c t="inlineStr"><is><t>x</t></is></c>'
    assert "100 columns" in _refusal(world, bombs.xlsx_sheet(tmp_path, f"<row>{cell * 100}</row>"))


def test_xls_cell_records_are_read_before_parsing(
    world: Any, tmp_path: Path, office_files: dict[str, Path]
) -> None:
    # BIFF8 cells carry 16-bit rows and columns: one record moved to column 16,383 of row 65,534 made the
    # parser ask for 34 GB and abort. The record is found in LibreOffice's own .xls and moved.
    data = bytearray(office_files["xls"].read_bytes())
    label = data.rindex(b"\xfd\x00\x0a\x00")  # the last LABELSST record: type, length 10, row, column
    assert struct.unpack_from("<HH", data, label + 4)[0] == len(GOOD_ROWS)  # the last row, as written
    struct.pack_into("<HH", data, label + 4, 0xFFFE, 0x3FFF)
    bomb = tmp_path / "bomb.xls"
    bomb.write_bytes(bytes(data))
    assert "16,384 columns; at most 64" in _refusal(world, bomb)


def test_ods_repeats_are_expanded_before_parsing(world: Any, tmp_path: Path) -> None:
    wide = bombs.ods_repeated(tmp_path / "wide.ods", rows=1_048_576, columns=16_384)
    assert wide.stat().st_size < 2_000
    assert "16,384 columns" in _refusal(world, wide)
    assert "at most 1,048,576" in _refusal(
        world, bombs.ods_repeated(tmp_path / "t.ods", rows=2_000_000, columns=5)
    )
    assert "cells" in _refusal(world, bombs.ods_repeated(tmp_path / "c.ods", rows=500_000, columns=60))


def test_ods_with_formatted_empty_rows_to_the_sheet_end_imports(world: Any, tmp_path: Path) -> None:
    # What LibreOffice writes for formatted columns: empty rows repeated to the last row of the sheet.
    rows = "".join(
        "<table:table-row>" + "".join(map(bombs.ods_cell, r)) + "</table:table-row>" for r in GOOD_ROWS
    )
    header = "<table:table-row>" + "".join(map(bombs.ods_cell, HEADER)) + "</table:table-row>"
    tail = (
        '<table:table-row table:number-rows-repeated="1048572">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    path = bombs.ods(tmp_path / "ok.ods", header + rows + tail)
    record = roster_import(actor=world.hr_hospital, path_or_file=path, as_=AS)
    assert record.imported == 3


def test_many_sheets_and_wide_sheets_are_refused(world: Any, tmp_path: Path) -> None:
    assert "60 sheets; at most 50" in _refusal(world, bombs.xlsx(tmp_path / "s.xlsx", sheets=60))
    assert "72 columns; at most 64" in _refusal(world, bombs.xlsx(tmp_path / "w.xlsx", columns=64))
    assert (
        roster_import(
            actor=world.hr_hospital,
            path_or_file=bombs.xlsx(tmp_path / "ok.xlsx", sheets=3, columns=4),
            as_=AS,
        ).imported
        == 3
    )


def test_csv_size_and_rows(world: Any, tmp_path: Path, settings: Any) -> None:
    settings.CAKUPAN_UPLOAD_MAX_ROWS = 100
    many = write_csv(tmp_path / "many.csv", [GOOD_ROWS[0]] * 101)
    assert "101 rows; at most 100" in _refusal(world, many)
    settings.CAKUPAN_UPLOAD_MAX_BYTES = 1 << 20
    big = write_csv(tmp_path / "big.csv", [[*GOOD_ROWS[0][:7], "x" * 600_000]] * 3)
    assert "1.7 MB; files of at most 1.0 MB" in _refusal(world, big)


def test_the_file_is_checked_without_reading_it_whole(tmp_path: Path) -> None:
    # A declared size smaller than the data: the streaming read stops at the declared size and the CRC
    # check fails there, so the parser never sees the longer stream.
    good = bombs.xlsx(tmp_path / "ok.xlsx")
    data = bytearray(good.read_bytes())
    part = b"xl/worksheets/sheet1.xml"
    central = data.rindex(part)  # the central directory's entry: uncompressed size 22 bytes before the name
    data[central - 22 : central - 18] = (10).to_bytes(4, "little")
    local = data.index(part)  # the local header's: 8 bytes before the name
    data[local - 8 : local - 4] = (10).to_bytes(4, "little")
    with pytest.raises(InvalidInput) as exc, translation.override("en"):
        check_file(io.BytesIO(bytes(data)), "liar.xlsx")
    assert "cannot be read" in str(exc.value)


def test_command_exits_2_with_the_limit(world: Any, tmp_path: Path) -> None:
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info, translation.override("en"):
        call_command(
            "roster", "import", str(bombs.xlsx_far_cell(tmp_path, "XFD1048576")), "--as", "employer:NPP00001",
            "--json", stdout=out,
        )  # fmt: skip
    assert exit_info.value.code == 2
    errors = json.loads(out.getvalue())["errors"]
    assert errors[0]["field"] == "file"
    assert "16,384" in errors[0]["message"]


def test_page_answers_400_and_starts_no_job(world: Any, tmp_path: Path, client: Any) -> None:
    client.force_login(world.hr_hospital)
    bomb = bombs.xlsx_repeated_rows(tmp_path, rows=1_000_000)  # large enough for the background path
    with bomb.open("rb") as handle:
        answer = client.post(
            "/rosters/", {"file": handle, "as_": "employer:NPP00001"}, HTTP_ACCEPT_LANGUAGE="id"
        )
    assert answer.status_code == 400
    assert "100 kali" in answer.content.decode()
    assert not Job.objects.exists()
    uploads = Path(settings.VAR_DIR) / "private" / "uploads"
    assert not (uploads.exists() and any(uploads.iterdir()))


def test_api_answers_400(world: Any, tmp_path: Path, client: Any) -> None:
    client.force_login(world.hr_hospital)
    with bombs.ods_repeated(tmp_path / "b.ods", rows=1_048_576, columns=16_384).open("rb") as handle:
        answer = client.post(
            "/api/v1/rosters/", {"file": handle, "as": "employer:NPP00001"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "file"
    assert "16,384" in answer.json()["errors"][0]["message"]


def test_api_takes_an_upload_spooled_to_disk(world: Any, tmp_path: Path, client: Any) -> None:
    # Over 2.5 MiB Django keeps the upload in a temporary file; the API answered 500 for it.
    path = write_csv(
        tmp_path / "big.csv", [[*r, "catatan " * 150_000] for r in GOOD_ROWS], header=[*HEADER, "Catatan"]
    )
    assert path.stat().st_size > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    client.force_login(world.hr_hospital)
    with path.open("rb") as handle:
        answer = client.post("/api/v1/rosters/", {"file": handle, "as": "employer:NPP00001"})
    assert answer.status_code == 201, answer.content
    assert answer.json()["imported"] == 3
