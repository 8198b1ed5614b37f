"""Reading a roster file into a table of text, and mapping its headers to our fields.

Every cell is read as text: a NIK read as a number loses its last digit (spreadsheets keep 15
significant digits) or turns into 3.57301E+15. Spreadsheet columns whose cells were stored as numbers
are reported so that validation can say so instead of silently accepting a mangled NIK.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

import fastexcel
import polars as pl
from django.utils.translation import gettext_lazy as _

from cakupan.core.errors import FieldError, InvalidInput
from cakupan.core.upload_limits import check_file, check_rows

SPREADSHEET_EXTENSIONS = (".xlsx", ".xls", ".ods")
EXTENSIONS = (*SPREADSHEET_EXTENSIONS, ".csv")

# Our field -> the headers people use for it (compared after _header_key). Order: what the template uses.
HEADERS: dict[str, tuple[str, ...]] = {
    "nik": ("nik", "no ktp", "nomor ktp", "no nik", "nik ktp", "nomor induk kependudukan"),
    "full_name": ("nama lengkap", "nama", "nama pekerja", "nama peserta", "name", "full name"),
    "birth_date": ("tanggal lahir", "tgl lahir", "tgl lhr", "birth date", "date of birth"),
    "sex": ("jenis kelamin", "jk", "l p", "kelamin", "sex", "gender"),
    "address_region": (
        "alamat kode wilayah",
        "kode wilayah",
        "kode wilayah alamat",
        "wilayah",
        "address region",
        "region",
    ),
    "phone": ("no hp", "nomor hp", "no telp", "no telepon", "telepon", "hp", "phone"),
    "npp": ("npp", "no npp", "npp pemberi kerja", "npp perusahaan"),
    "basic_wage": ("upah", "upah pokok", "gaji", "gaji pokok", "wage", "basic wage"),
    "fixed_allowance": ("tunjangan", "tunjangan tetap", "allowance", "fixed allowance"),
    "declared_income": ("penghasilan", "penghasilan per bulan", "income", "declared income"),
    "bpu_sector": ("sektor", "sektor bpu", "sector"),
    "programs": ("program", "programs", "program jaminan", "programmes"),
    "start_date": ("tanggal mulai", "tgl mulai", "mulai", "start date"),
}
_BY_HEADER = {h: f for f, names in HEADERS.items() for h in names}
LABELS = {f: names[0].title() for f, names in HEADERS.items()}


@dataclass
class Table:
    frame: pl.DataFrame  # every column text (Utf8), empty cells null, original header names
    numeric_columns: set[str] = field(default_factory=set)  # stored as numbers by the spreadsheet


def _header_key(header: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", header.lower()).split())


def read_table(content: bytes, file_name: str) -> Table:
    name = file_name.lower()
    if not name.endswith(EXTENSIONS):
        raise InvalidInput.single("file", _("Upload an .xlsx, .xls, .ods or .csv file."))
    if not content:
        raise InvalidInput.single("file", _("The file is empty."))
    # Before any parser: a zip bomb or a sheet of 17 billion cells is refused here, not by the kernel.
    check_file(io.BytesIO(content), name)
    try:
        table = _read_csv(content) if name.endswith(".csv") else _read_spreadsheet(content)
    except InvalidInput:
        raise
    except Exception as exc:  # a corrupt or mislabelled file: the readers raise many kinds
        raise InvalidInput.single("file", _("The file cannot be read; save it again and retry.")) from exc
    frame = table.frame.with_columns(
        pl.col(c).str.strip_chars().replace("", None) for c in table.frame.columns
    )
    # Rows left entirely empty (a spreadsheet's formatted tail) are not rows.
    table.frame = frame.filter(~pl.all_horizontal(pl.all().is_null()))
    check_rows(table.frame.height, table.frame.width)  # what was read, whatever the file claimed
    return table


def _read_spreadsheet(content: bytes) -> Table:
    reader = fastexcel.read_excel(content)
    probe = reader.load_sheet(0, n_rows=1000)
    numeric = {c.name for c in probe.available_columns() if c.dtype in ("float", "int")}
    frame = reader.load_sheet(0, dtypes="string").to_polars()
    frame = frame.select(pl.all().cast(pl.Utf8))
    return Table(frame=frame, numeric_columns=numeric)


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        # What Excel on Windows writes when saving "CSV": Windows-1252 (it has no undefined byte problem
        # for the Latin text of rosters).
        return content.decode("cp1252", errors="replace")


def _read_csv(content: bytes) -> Table:
    text = _decode(content)
    first = text.split("\n", 1)[0]
    separator = ";" if first.count(";") > first.count(",") else ","
    if first.count("\t") > max(first.count(";"), first.count(",")):
        separator = "\t"
    try:
        # polars reads a big file fast; the header is taken as a row so that repeated names are kept
        # (and reported as ambiguous) rather than renamed.
        raw = pl.read_csv(
            text.encode("utf-8"),
            separator=separator,
            has_header=False,
            infer_schema=False,
            truncate_ragged_lines=True,
        )
    except Exception:  # unusual quoting: the standard library's reader is more forgiving
        raw = None
    if raw is not None and raw.height:
        header = ["" if v is None else str(v) for v in raw.row(0)]
        names = _unique_names(header)
        frame = raw.slice(1).rename(dict(zip(raw.columns, names, strict=True)))
        return Table(frame=frame.select(pl.all().fill_null("")))
    rows = list(csv.reader(text.splitlines(), delimiter=separator))
    if not rows:
        raise InvalidInput.single("file", _("The file is empty."))
    header, body = rows[0], rows[1:]
    width = len(header)
    body = [(r + [""] * width)[:width] for r in body]
    names = _unique_names(header)
    frame = pl.DataFrame(
        {n: [r[i] for r in body] for i, n in enumerate(names)}, schema=dict.fromkeys(names, pl.Utf8)
    )
    return Table(frame=frame)


def _unique_names(header: list[str]) -> list[str]:
    out: list[str] = []
    for i, h in enumerate(header):
        h = h.strip() or f"column_{i + 1}"
        while h in out:
            h += "_"
        out.append(h)
    return out


def map_columns(columns: list[str], *, required: tuple[str, ...]) -> dict[str, str]:
    """Our field -> the file's column. Two columns for one field, or a missing required one: ask the user."""
    found: dict[str, list[str]] = {}
    for column in columns:
        fld = _BY_HEADER.get(_header_key(column))
        if fld is not None:
            found.setdefault(fld, []).append(column)
    errors: list[FieldError] = []
    for fld, sources in found.items():
        if len(sources) > 1:
            errors.append(
                FieldError(
                    "columns",
                    _("Columns %(columns)s all look like “%(field)s”; keep one or rename the others.")
                    % {"columns": ", ".join(f"“{s}”" for s in sources), "field": LABELS[fld]},
                )
            )
    missing = [f for f in required if f not in found]
    for fld in missing:
        errors.append(
            FieldError(
                "columns",
                _("No column for “%(field)s”. Accepted headers: %(headers)s.")
                % {"field": LABELS[fld], "headers": ", ".join(h.title() for h in HEADERS[fld][:4])},
            )
        )
    if errors:
        raise InvalidInput(errors)
    return {f: sources[0] for f, sources in found.items()}


def source_name(obj: Any) -> str:
    return str(getattr(obj, "name", "") or "roster")
