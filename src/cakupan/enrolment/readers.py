"""Reading a roster file into a table of text, and mapping its headers to our fields.

Every cell is read as text: a NIK read as a number loses its last digit (spreadsheets keep 15
significant digits) or turns into 3.57301E+15. Spreadsheet columns whose cells were stored as numbers
are reported so that validation can say so instead of silently accepting a mangled NIK.

Agencies send rosters with a title, a budget year or a blank row above the header: given the headers it
knows, the reader takes as header the first of the top rows that names at least two of them, and every
row keeps the number the user sees in the sheet.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection
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
# Where a header is looked for below titles and blank rows; two known names make a row the header.
HEADER_SEARCH_ROWS = 30
HEADER_MIN_KNOWN = 2


@dataclass
class Table:
    frame: pl.DataFrame  # every column text (Utf8), empty cells null, original header names
    numeric_columns: set[str] = field(default_factory=set)  # stored as numbers by the spreadsheet
    # The sheet's row number of each frame row (the header's row + 1 onwards, blank rows skipped).
    row_numbers: pl.Series = field(default_factory=lambda: pl.Series("number", [], dtype=pl.Int64))


def _header_key(header: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", header.lower()).split())


def find_header(rows: list[list[str | None]], known: Collection[str]) -> int | None:
    """The index of the first of the top rows naming at least two `known` headers (compared by
    `_header_key`); None when none does."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if sum(1 for cell in row if cell and _header_key(str(cell)) in known) >= HEADER_MIN_KNOWN:
            return index
    return None


def roster_headers() -> frozenset[str]:
    return frozenset(_BY_HEADER)


def read_table(content: bytes, file_name: str, *, known_headers: Collection[str] = ()) -> Table:
    """The file's first sheet as text. With `known_headers`, the header may sit below title and blank
    rows (`find_header`); without, it is the first row."""
    name = file_name.lower()
    if not name.endswith(EXTENSIONS):
        raise InvalidInput.single("file", _("Upload an .xlsx, .xls, .ods or .csv file."))
    if not content:
        raise InvalidInput.single("file", _("The file is empty."))
    # Before any parser: a zip bomb or a sheet of 17 billion cells is refused here, not by the kernel.
    check_file(io.BytesIO(content), name)
    try:
        if name.endswith(".csv"):
            table = _read_csv(content, known_headers)
        else:
            table = _read_spreadsheet(content, known_headers)
    except InvalidInput:
        raise
    except Exception as exc:  # a corrupt or mislabelled file: the readers raise many kinds
        raise InvalidInput.single("file", _("The file cannot be read; save it again and retry.")) from exc
    frame = table.frame.with_columns(
        pl.col(c).str.strip_chars().replace("", None) for c in table.frame.columns
    )
    # Rows left entirely empty (a spreadsheet's formatted tail, a blank line between blocks) are not
    # rows; the others keep their number in the sheet.
    filled = ~pl.all_horizontal(pl.all().is_null())
    table.row_numbers = table.row_numbers.filter(frame.select(filled.alias("f"))["f"])
    table.frame = frame.filter(filled)
    check_rows(table.frame.height, table.frame.width)  # what was read, whatever the file claimed
    return table


def _read_spreadsheet(content: bytes, known: Collection[str]) -> Table:
    """Rows are counted from the sheet's first filled row: calamine starts its grid there, so a sheet
    whose first rows are entirely blank numbers its rows that many too low."""
    reader = fastexcel.read_excel(content)
    grid = reader.load_sheet(0, header_row=None, dtypes="string").to_polars().select(pl.all().cast(pl.Utf8))
    top = grid.head(HEADER_SEARCH_ROWS).rows()
    at = find_header([list(r) for r in top], known) or 0
    names = _unique_names(["" if v is None else str(v) for v in top[at]] if top else [])
    frame = grid.slice(at + 1).rename(dict(zip(grid.columns, names, strict=True)))
    probe = reader.load_sheet(0, header_row=at, n_rows=1000)
    numeric = {
        names[i]
        for i, c in enumerate(probe.available_columns())
        if c.dtype in ("float", "int") and i < len(names)
    }
    numbers = pl.int_range(at + 2, at + 2 + frame.height, dtype=pl.Int64, eager=True).alias("number")
    return Table(frame=frame, numeric_columns=numeric, row_numbers=numbers)


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        # What Excel on Windows writes when saving "CSV": Windows-1252 (it has no undefined byte problem
        # for the Latin text of rosters).
        return content.decode("cp1252", errors="replace")


def _separator(line: str) -> str:
    separator = ";" if line.count(";") > line.count(",") else ","
    if line.count("\t") > max(line.count(";"), line.count(",")):
        separator = "\t"
    return separator


def _csv_header(text: str, known: Collection[str]) -> tuple[int, str]:
    """The header's line index and the separator: the first separator whose reading of the top lines
    finds a header (`find_header`); without one, the first line with the first line's separator."""
    top = text[:1_000_000].splitlines()[:HEADER_SEARCH_ROWS]
    heads = [line[:4096] for line in top]  # a header is short; a long cell below it is not read here
    for separator in (",", ";", "\t") if known else ():
        try:
            rows: list[list[str | None]] = [list(r) for r in csv.reader(heads, delimiter=separator)]
            at = find_header(rows, known)
        except csv.Error:  # a quote left open by the cut: not this separator's header
            continue
        if at is not None:
            return at, separator
    return 0, _separator(top[0] if top else "")


def _read_csv(content: bytes, known: Collection[str]) -> Table:
    text = _decode(content)
    at, separator = _csv_header(text, known)
    try:
        # polars reads a big file fast; the header is taken as a row so that repeated names are kept
        # (and reported as ambiguous) rather than renamed.
        raw = pl.read_csv(
            text.encode("utf-8"),
            separator=separator,
            has_header=False,
            infer_schema=False,
            truncate_ragged_lines=True,
            skip_rows=at,
        )
    except Exception:  # unusual quoting: the standard library's reader is more forgiving
        raw = None
    if raw is not None and raw.height:
        header = ["" if v is None else str(v) for v in raw.row(0)]
        names = _unique_names(header)
        frame = raw.slice(1).rename(dict(zip(raw.columns, names, strict=True)))
        # One line a row (a quoted cell over two lines would shift the later numbers).
        numbers = pl.int_range(at + 2, at + 2 + frame.height, dtype=pl.Int64, eager=True).alias("number")
        return Table(frame=frame.select(pl.all().fill_null("")), row_numbers=numbers)
    rows = list(csv.reader(text.splitlines()[at:], delimiter=separator))
    if not rows:
        raise InvalidInput.single("file", _("The file is empty."))
    header, body = rows[0], rows[1:]
    width = len(header)
    body = [(r + [""] * width)[:width] for r in body]
    names = _unique_names(header)
    frame = pl.DataFrame(
        {n: [r[i] for r in body] for i, n in enumerate(names)}, schema=dict.fromkeys(names, pl.Utf8)
    )
    numbers = pl.int_range(at + 2, at + 2 + frame.height, dtype=pl.Int64, eager=True).alias("number")
    return Table(frame=frame, row_numbers=numbers)


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


def column_field(header: str) -> str | None:
    """Our field for a file's header, if it is one we know."""
    return _BY_HEADER.get(_header_key(header))


def source_name(obj: Any) -> str:
    return str(getattr(obj, "name", "") or "roster")
