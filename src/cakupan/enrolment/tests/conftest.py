"""Roster files written by real spreadsheet software (LibreOffice, headless), converted once per session."""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from cakupan.registry.nik import nik_compose

SOFFICE = shutil.which("soffice")
HEADER = [
    "NIK",
    "Nama Lengkap",
    "Tgl Lahir",
    "Jenis Kelamin",
    "Alamat/Kode Wilayah",
    "No HP",
    "Upah",
    "Tunjangan",
]


def nik(born: dt.date, sex: str, serial: int, district: str = "35.73.01") -> str:
    return nik_compose(district_code=district, birth_date=born, sex=sex, serial=serial)


GOOD_ROWS = [
    [
        nik(dt.date(1990, 3, 5), "P", 11),
        "André Wijaya",
        "05/03/1990",
        "P",
        "35.73.01",
        "081234567801",
        "Rp 4.500.000",
        "0",
    ],
    [
        nik(dt.date(1988, 8, 17), "L", 12),
        "Budi Santoso",
        "17 Agustus 1988",
        "Laki-laki",
        "35.73.02",
        "",
        "4,750,000",
        "250000",
    ],
    # NIK encodes a man; the row says woman: imported with a warning.
    [
        nik(dt.date(1992, 1, 9), "L", 13),
        "Citra Lestari",
        "1992-01-09",
        "Perempuan",
        "35.73",
        "",
        "5000000",
        "",
    ],
]


def write_csv(
    path: Path, rows: list[list[str]], *, header: list[str] = HEADER, sep: str = ",", enc: str = "utf-8"
) -> Path:
    with path.open("w", newline="", encoding=enc) as handle:
        csv.writer(handle, delimiter=sep, quoting=csv.QUOTE_MINIMAL).writerows([header, *rows])
    return path


def _fods(path: Path) -> Path:
    """A flat ODS with formula cells (evaluated by Calc) and text cells that look like formulas."""
    n = nik(dt.date(1991, 6, 7), "P", 21)

    def text(v: str) -> str:
        return f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'

    header = "".join(text(h) for h in [*HEADER, "Catatan"])
    row = "".join(
        [
            text(n),
            '<table:table-cell table:formula="of:=&quot;Dewi &quot;&amp;&quot;Anggraini&quot;" '
            'office:value-type="string" office:string-value="Dewi Anggraini"><text:p>Dewi Anggraini</text:p>'
            "</table:table-cell>",
            text("07/06/1991"),
            text("P"),
            text("35.73.01"),
            text(""),
            '<table:table-cell table:formula="of:=4000000+500000" office:value-type="float" '
            'office:value="4500000"><text:p>4500000</text:p></table:table-cell>',
            text("0"),
            text("=HYPERLINK(&quot;http://evil&quot;)"),
        ]
    )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2" '
        'office:mimetype="application/vnd.oasis.opendocument.spreadsheet"><office:body><office:spreadsheet>'
        f'<table:table table:name="Peserta"><table:table-row>{header}</table:table-row>'
        f"<table:table-row>{row}</table:table-row></table:table></office:spreadsheet></office:body>"
        "</office:document>",
        encoding="utf-8",
    )
    return path


def _soffice(outdir: Path, fmt: str, files: list[Path], infilter: str | None = None) -> None:
    profile = outdir / "profile"
    cmd = [str(SOFFICE), f"-env:UserInstallation=file://{profile}", "--headless"]
    if infilter:
        cmd.append(f"--infilter={infilter}")
    cmd += ["--convert-to", fmt, "--outdir", str(outdir), *map(str, files)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)  # noqa: S603 - our own arguments


def _soffice_or_skip() -> None:
    if SOFFICE is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required in CI for the roster file tests")
        pytest.skip("LibreOffice (soffice) is not installed; roster file tests need real spreadsheet files")


@pytest.fixture(scope="session")
def office_files(tmp_path_factory: Any) -> dict[str, Path]:
    _soffice_or_skip()
    src = tmp_path_factory.mktemp("roster-src")
    out = tmp_path_factory.mktemp("roster-out")
    roster = write_csv(src / "roster.csv", GOOD_ROWS)
    numbers = write_csv(src / "numbers.csv", [[r[0], *r[1:]] for r in GOOD_ROWS])
    formulas = _fods(src / "formulas.fods")
    # CSV import options: comma, double quote, UTF-8, from line 1, column 1 as Text; Indonesian locale.
    text_nik = "CSV:44,34,76,1,1/2,1057"
    for fmt in ("xlsx", "ods", "xls"):
        _soffice(out, fmt, [roster], infilter=text_nik)
    # Default CSV import: Calc parses the NIK column as numbers, as when a user opens a CSV in a spreadsheet.
    (src / "numbers").mkdir()
    numbers = numbers.rename(src / "numbers" / "numbers.csv")
    _soffice(out, "xlsx", [numbers, formulas], infilter=None)
    # Windows-1252 with semicolons, as Excel on an Indonesian Windows writes "CSV".
    win = out / "win"
    win.mkdir()
    all_text = "CSV:44,34,76,1," + "/".join(f"{i}/2" for i in range(1, len(HEADER) + 1))
    _soffice(win, "csv:Text - txt - csv (StarCalc):59,34,1,1", [roster], infilter=all_text)
    return {
        "xlsx": out / "roster.xlsx",
        "ods": out / "roster.ods",
        "xls": out / "roster.xls",
        "numbers": out / "numbers.xlsx",
        "formulas": out / "formulas.xlsx",
        "cp1252": win / "roster.csv",
    }


@pytest.fixture(autouse=True)
def _reports_dir(tmp_path: Path, settings: Any) -> None:
    settings.VAR_DIR = tmp_path


def report_rows(record: Any) -> list[dict[str, str]]:
    path = Path(settings.VAR_DIR) / "private" / "reports" / f"{record.report_name}.csv"
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


# A sponsor's roster as agencies send it: two title rows and a blank row above the header, a blank row
# between blocks, no region and no income column (issue 14). Sheet rows: header 4, data 5, 6, 8, 9, 10.
TITLED_HEADER = ["NIK", "Nama Lengkap", "Tgl Lahir", "Jenis Kelamin", "No HP", "Pekerjaan"]
TITLED_ROWS: list[list[str]] = [
    ["DAFTAR PESERTA BPU DIBIAYAI APBD KOTA MALANG", "", "", "", "", ""],
    ["Tahun Anggaran 2026", "", "", "", "", ""],
    ["", "", "", "", "", ""],
    TITLED_HEADER,
    [nik(dt.date(1973, 7, 14), "P", 31), "Sri Wahyuni", "14-07-1973", "P", "083795742288", "Pemulung"],
    [nik(dt.date(1992, 10, 21), "L", 32), "Joko Susilo", "21/10/1992", "L", "083179419893", "Ojek Online"],
    ["", "", "", "", "", ""],
    # Month 13 in the NIK: refused.
    ["3573015313920001", "Rusak Bulan", "13-03-1992", "P", "", "Pedagang"],
    # A NIK of Kabupaten Malang (35.07): the sponsor's regency is assumed, with a warning.
    [nik(dt.date(1985, 1, 2), "L", 33, "35.07.01"), "Dari Kabupaten", "02-01-1985", "L", "", "Buruh"],
    [nik(dt.date(1999, 12, 30), "P", 34), "Ani Lestari", "30/12/1999", "P", "", "Pedagang"],
]


@pytest.fixture(scope="session")
def titled_files(tmp_path_factory: Any) -> dict[str, Path]:
    """The titled roster as CSV and as written by LibreOffice (.xlsx, .xls, .ods). Only the NIK column is
    imported as text: Calc turns the dates into date cells and the phones into numbers (leading 0 lost),
    as when a clerk opens the CSV and saves it as a spreadsheet."""
    _soffice_or_skip()
    src = tmp_path_factory.mktemp("titled-src")
    out = tmp_path_factory.mktemp("titled-out")
    roster = src / "daftar-apbd.csv"
    with roster.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(TITLED_ROWS)
    for fmt in ("xlsx", "ods", "xls"):
        _soffice(out, fmt, [roster], infilter="CSV:44,34,76,1,1/2,1057")
    return {"csv": roster, **{fmt: out / f"daftar-apbd.{fmt}" for fmt in ("xlsx", "ods", "xls")}}
