"""Limits an uploaded spreadsheet or CSV (rosters, workforce reports, workforce statistics) must keep before
any spreadsheet parser sees it.

A spreadsheet is a zip of XML (.xlsx, .ods) or records in an OLE2 file (.xls, see xls_grid.py) that
calamine (through fastexcel) unpacks whole into a dense grid of width x height cells: a 5 KB .xlsx with
one cell in A1 and one in XFD1048576 asks for 512 GiB and aborts the process (exit 134), and half a
megabyte of repeated rows unpacks to gigabytes. Everything here is decided from the zip's central
directory (no decompression) and from one streaming pass over the sheet XML in fixed-size chunks
(constant memory, a few seconds for a million rows), so a refusal costs nothing and a file that passes
cannot make the parser allocate more than its rows x columns.

Each refusal is an InvalidInput on "file" whose message gives the limit in numbers. The limits come from
settings (CAKUPAN_UPLOAD_*), read at call time so tests and deployments can change them.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cakupan.core import display
from cakupan.core.errors import InvalidInput
from cakupan.core.xls_grid import NotXlsError, xls_grid

CHUNK = 1 << 20
# Entries smaller than this are not held to the ratio: a small XML part of repeated markup compresses
# well without being a bomb (Apache POI's ZipSecureFile exempts small entries the same way).
RATIO_GRACE_BYTES = 1 << 20

_CELL_REF = re.compile(rb'\sr="([A-Z]{0,8})(\d{1,12})"')
_XLSX_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet(?=[\s>])")
_ODS_TAG = re.compile(
    rb"<(?:([A-Za-z_][\w.-]*):)?(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*?)(/?)>"
    rb"|</(?:[A-Za-z_][\w.-]*:)?(table-row)>"
)
_ROWS_REPEATED = re.compile(rb'number-rows-repeated="(\d{1,12})"')
_COLUMNS_REPEATED = re.compile(rb'number-columns-repeated="(\d{1,12})"')


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_uncompressed_bytes: int
    max_ratio: int
    max_sheets: int
    max_rows: int
    max_columns: int
    max_cells: int


def limits() -> Limits:
    return Limits(
        max_bytes=settings.CAKUPAN_UPLOAD_MAX_BYTES,
        max_uncompressed_bytes=settings.CAKUPAN_UPLOAD_MAX_UNCOMPRESSED_BYTES,
        max_ratio=settings.CAKUPAN_UPLOAD_MAX_RATIO,
        max_sheets=settings.CAKUPAN_UPLOAD_MAX_SHEETS,
        max_rows=settings.CAKUPAN_UPLOAD_MAX_ROWS,
        max_columns=settings.CAKUPAN_UPLOAD_MAX_COLUMNS,
        max_cells=settings.CAKUPAN_UPLOAD_MAX_CELLS,
    )


def _mb(size: int) -> str:
    return display.decimal(size / (1 << 20), digits=1)


def _refuse(message: Any) -> InvalidInput:
    return InvalidInput.single("file", message)


def check_size(size: int) -> None:
    cap = limits().max_bytes
    if size > cap:
        raise _refuse(
            _("The file is %(size)s MB; files of at most %(limit)s MB are accepted. Split the roster.")
            % {"size": _mb(size), "limit": _mb(cap)}
        )


def check_rows(rows: int, columns: int) -> None:
    """The grid a parser would build (or has built): rows, columns and their product within the limits."""
    lim = limits()
    if rows > lim.max_rows:
        raise _refuse(
            _("The sheet has %(rows)s rows; at most %(limit)s are accepted. Split the roster.")
            % {"rows": display.count(rows), "limit": display.count(lim.max_rows)}
        )
    if columns > lim.max_columns:
        raise _refuse(
            _("The sheet has %(columns)s columns; at most %(limit)s are accepted.")
            % {"columns": display.count(columns), "limit": display.count(lim.max_columns)}
        )
    if rows * columns > lim.max_cells:
        raise _refuse(
            _("The sheet has %(cells)s cells (rows x columns); at most %(limit)s are accepted.")
            % {"cells": display.count(rows * columns), "limit": display.count(lim.max_cells)}
        )


def check_file(source: Path | IO[bytes], file_name: str) -> None:
    """Raise InvalidInput on "file" if the roster is over a limit; read in chunks, never whole."""
    name = file_name.lower()
    handle: IO[bytes] = source.open("rb") if isinstance(source, Path) else source
    try:
        handle.seek(0, io.SEEK_END)
        check_size(handle.tell())
        handle.seek(0)
        if name.endswith(".xlsx"):
            _check_zip(handle, kind="xlsx")
        elif name.endswith(".ods"):
            _check_zip(handle, kind="ods")
        elif name.endswith(".csv"):
            _check_csv(handle)
        elif name.endswith(".xls"):
            _check_xls(handle)
    finally:
        if isinstance(source, Path):
            handle.close()
        else:
            handle.seek(0)


def _check_csv(handle: IO[bytes]) -> None:
    lim = limits()
    rows = 0
    first = b""
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        if not first:
            first = chunk.split(b"\n", 1)[0]
        rows += chunk.count(b"\n")
        if rows > lim.max_rows + 1:  # the header line is not a row
            break
    # Polars keeps the header's width (ragged lines are truncated): the header counts the columns.
    columns = max(first.count(sep) for sep in (b",", b";", b"\t")) + 1
    check_rows(max(rows - 1, 0), columns)


def _check_xls(handle: IO[bytes]) -> None:
    # Read whole: an .xls is within the size limit, and its stream is stored, not compressed.
    try:
        grid = xls_grid(handle.read())
    except (NotXlsError, struct.error, UnicodeDecodeError) as exc:
        raise _refuse(_("The file cannot be read; save it again and retry.")) from exc
    _check_sheet_count(grid.sheets)
    check_rows(max(grid.rows - 1, 0), grid.columns)


def _check_zip(handle: IO[bytes], *, kind: str) -> None:
    lim = limits()
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse(_("The file cannot be read; save it again and retry.")) from exc
    with archive:
        entries = archive.infolist()
        total = sum(e.file_size for e in entries)
        if total > lim.max_uncompressed_bytes:
            raise _refuse(
                _("The file unpacks to %(size)s MB; at most %(limit)s MB are accepted. Split the roster.")
                % {"size": _mb(total), "limit": _mb(lim.max_uncompressed_bytes)}
            )
        for entry in entries:
            ratio = entry.file_size / max(entry.compress_size, 1)
            if entry.file_size > RATIO_GRACE_BYTES and ratio > lim.max_ratio:
                raise _refuse(
                    _(
                        "The file is compressed %(ratio)s times; at most %(limit)s times is accepted. "
                        "It is not an ordinary roster: save it again from the spreadsheet."
                    )
                    % {"ratio": display.count(round(ratio)), "limit": display.count(lim.max_ratio)}
                )
        try:
            if kind == "xlsx":
                sheets = _xlsx_sheets(archive)
                _check_sheet_count(len(sheets))
                for entry in sheets:
                    rows, columns = _xlsx_grid(_stream(archive, entry))
                    check_rows(rows, columns)
            else:
                if "content.xml" not in archive.namelist():
                    raise _refuse(_("The file cannot be read; save it again and retry."))
                _ods_check(_stream(archive, archive.getinfo("content.xml")))
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
            # A CRC or size that does not match the directory: the entry lied about its size.
            raise _refuse(_("The file cannot be read; save it again and retry.")) from exc


def _xlsx_sheets(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The worksheet parts: those in xl/worksheets/ and any other the workbook's relationships name (the
    parser follows them, so a sheet stored elsewhere must not escape the check)."""
    names = {e.filename for e in archive.infolist() if re.fullmatch(r"xl/worksheets/[^/]+\.xml", e.filename)}
    try:
        rels = archive.getinfo("xl/_rels/workbook.xml.rels")
    except KeyError:
        rels = None
    if rels is not None and rels.file_size <= RATIO_GRACE_BYTES:
        text = archive.read(rels)
        for tag in re.findall(rb"<[^>]*?/worksheet\"[^>]*>", text):
            if target := re.search(rb'Target="([^"]+)"', tag):
                path = target.group(1).decode("utf-8", "replace")
                names.add(path.lstrip("/") if path.startswith("/") else posixpath.normpath(f"xl/{path}"))
    return [archive.getinfo(name) for name in sorted(names) if name in archive.namelist()]


def _check_sheet_count(count: int) -> None:
    cap = limits().max_sheets
    if count > cap:
        raise _refuse(
            _("The file has %(count)s sheets; at most %(limit)s are accepted.")
            % {"count": display.count(count), "limit": display.count(cap)}
        )


def _stream(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> Iterator[bytes]:
    # ZipExtFile stops at the size the directory declares and checks the CRC there, so a deflate stream
    # longer than its declared size fails here instead of reaching the parser.
    with archive.open(entry) as part:
        yield from iter(lambda: part.read(CHUNK), b"")


def _xlsx_grid(chunks: Iterator[bytes]) -> tuple[int, int]:
    """(rows, columns) of the grid calamine builds for one worksheet: the largest row and column any
    cell or row names (r="XFD1048576"), and, for cells without a reference (placed one after another),
    the count of rows and the most cells in one row.

    Reading every reference of a million-row sheet costs seconds, so chunks are first read the cheap way
    (searches that find nothing in an ordinary roster, then a count of rows): every cell written `<c r="…"`
    (as Excel, LibreOffice and xlsxwriter write them), no column past the one that keeps rows x columns
    within the cell limit, no row number with as many digits as the row limit. A chunk that breaks any of
    these, and every chunk after it, is read reference by reference."""
    lim = limits()
    # Columns A..narrow keep a sheet of max_rows rows within max_cells.
    narrow = max(1, min(26, lim.max_cells // max(lim.max_rows, 1)))
    # A reference past the narrow columns or with as many digits as the row limit. Begins with a literal,
    # so the regex engine jumps from one ` r="` to the next.
    past = b"[%b-Z]|" % bytes([65 + narrow]) if narrow < 26 else b""
    odd_ref = re.compile(rb' r="(?:%b[A-Z]{2,}|[A-Z]{0,8}\d{%d})' % (past, len(str(lim.max_rows))))
    row_tag, cell_tag = b"<row", b"<c"
    max_row = max_col = rows = widest = 0
    carry = 0  # cells counted so far in the row a chunk ends in
    tail = b""
    first, exact = True, False
    for chunk in chunks:
        buf = tail + chunk
        if first:
            if root := _XLSX_ROOT.search(buf[:4096]):
                prefix = root.group(1) or b""
                row_tag, cell_tag = b"<" + prefix + b"row", b"<" + prefix + b"c"
            # A cell or row tag whose first attribute is not ` r="`: the cheap read cannot see its place.
            odd_tags = [re.compile(re.escape(tag) + rb'(?=[\s>/])(?! r=")') for tag in (cell_tag, row_tag)]
            first = False
        cut = buf.rfind(b"<")
        body, tail = (buf[:cut], buf[cut:]) if cut >= 0 else (buf, b"")
        if not exact:
            exact = any(pattern.search(body) for pattern in (*odd_tags, odd_ref))
        if not exact:
            rows += body.count(row_tag)
            continue
        for letters, digits in _CELL_REF.findall(body):
            max_row = max(max_row, int(digits))
            if letters:
                max_col = max(max_col, _column_number(letters))
        pieces = body.split(row_tag)
        rows += len(pieces) - 1
        # `<c` also starts <col>, <cols> and <conditionalFormatting>: an overcount, never an undercount.
        counts = [p.count(cell_tag) for p in pieces]
        counts[0] += carry
        carry = counts[-1]
        widest = max(widest, *counts)
    return max(max_row, rows, 1) - 1, max(max_col, widest)  # less the header row


def _column_number(letters: bytes) -> int:
    number = 0
    for byte in letters:
        number = number * 26 + byte - 64
    return number


def _ods_check(chunks: Iterator[bytes]) -> None:
    """Sheets, rows and columns of content.xml with ODF's repeat attributes expanded: one
    `number-rows-repeated="1048576"` row of `number-columns-repeated="16384"` text cells is 17 billion
    cells in a few hundred bytes. Empty cells repeated to the sheet's end (LibreOffice writes them for
    formatted columns) are not expanded by the parser and are not counted."""
    lim = limits()
    sheets = rows = widest = 0
    empty_rows = 0  # empty rows not yet followed by a row with content: dropped at the sheet's end
    row_repeat = 1
    width = pending = 0  # content width of the current row; empty cells not yet followed by content
    tail = b""
    for chunk in chunks:
        buf = tail + chunk
        cut = buf.rfind(b"<")
        body, tail = (buf[:cut], buf[cut:]) if cut >= 0 else (buf, b"")
        for match in _ODS_TAG.finditer(body):
            prefix, tag, attrs, closed, end = match.groups()
            if end or (tag == b"table-row" and closed):  # a row ends (<table:table-row/> is empty)
                if end is None:
                    row_repeat = _repeat(_ROWS_REPEATED, attrs)
                    width = 0
                if width:
                    rows += empty_rows + row_repeat
                    empty_rows = 0
                    widest = max(widest, width)
                    if rows > lim.max_rows + 1 or rows * widest > lim.max_cells:
                        check_rows(rows - 1, widest)
                else:
                    empty_rows += row_repeat
                continue
            if prefix not in (None, b"table"):
                continue
            if tag == b"table":
                sheets += 1
                _check_sheet_count(sheets)
                check_rows(max(rows - 1, 0), widest)
                rows = widest = empty_rows = 0
            elif tag == b"table-row":
                row_repeat = _repeat(_ROWS_REPEATED, attrs)
                width = pending = 0
            else:
                span = _repeat(_COLUMNS_REPEATED, attrs)
                if b"value-type" in attrs or not closed:
                    width += pending + span
                    pending = 0
                else:
                    pending += span
    check_rows(max(rows - 1, 0), widest)


def _repeat(pattern: re.Pattern[bytes], attrs: bytes) -> int:
    found = pattern.search(attrs)
    return int(found.group(1)) if found else 1
