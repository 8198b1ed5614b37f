"""The grid an .xls file asks for, read from its cell records without a spreadsheet parser.

An .xls is a BIFF8 workbook stream inside an OLE2 compound file. BIFF8 cell records carry a 16-bit row
and a 16-bit column, so one forged record at column 16,383 of row 65,534 makes calamine allocate a grid
of 34 GB for a 6 KB file and abort the process. This reads the compound file's allocation table and
directory (MS-CFB), follows the "Workbook" stream's sector chain, and walks its records for the largest
row and column any cell names and for the number of sheets.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")
END_OF_CHAIN = 0xFFFFFFFE
# BIFF8 records whose body starts with row (u16) and column (u16): BLANK, NUMBER, LABEL, BOOLERR,
# FORMULA, RK, LABELSST, RSTRING (MS-XLS 2.4).
CELL_RECORDS = {0x0201, 0x0203, 0x0204, 0x0205, 0x0006, 0x0406, 0x027E, 0x00FD, 0x00D6}
MULTI_RECORDS = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column, …, last column (u16 at the end)
DIMENSIONS = 0x0200
BOUNDSHEET = 0x0085


class NotXlsError(ValueError):
    """Not a compound file with a workbook stream: the parser would refuse it too."""


@dataclass(frozen=True)
class XlsGrid:
    rows: int  # the largest row index named + 1
    columns: int  # the largest column index named + 1
    sheets: int


def _chain(start: int, table: list[int], limit: int) -> list[int]:
    chain: list[int] = []
    sector = start
    while sector != END_OF_CHAIN:
        if sector >= len(table) or len(chain) > limit:
            raise NotXlsError("broken sector chain")
        chain.append(sector)
        sector = table[sector]
    return chain


def _stream(data: bytes, name: str) -> bytes:
    if len(data) < 512 or not data.startswith(SIGNATURE):
        raise NotXlsError("not a compound file")
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if shift not in (9, 12) or mini_shift != 6:
        raise NotXlsError("unknown sector size")
    size = 1 << shift
    (fat_sectors, first_dir, _tx, cutoff, first_mini_fat, mini_fat_sectors, first_difat, difat_sectors) = (
        struct.unpack_from("<IIIIIIII", data, 0x2C)
    )
    count = (len(data) - size) // size + 1  # every sector the file can hold: bounds each chain

    def sector(n: int) -> bytes:
        start = (n + 1) * size
        if start >= len(data):  # (the last sector may be short)
            raise NotXlsError("sector past the end")
        return data[start : start + size]

    difat = list(struct.unpack_from("<109I", data, 0x4C))
    next_difat = first_difat
    for _ in range(min(difat_sectors, count)):
        words = struct.unpack(f"<{size // 4}I", sector(next_difat).ljust(size, b"\0"))
        difat += words[:-1]
        next_difat = words[-1]
    fat: list[int] = []
    for n in difat[: min(fat_sectors, count)]:
        fat += struct.unpack(f"<{size // 4}I", sector(n).ljust(size, b"\0"))
    directory = b"".join(sector(n) for n in _chain(first_dir, fat, count))
    entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
    if not entries:
        raise NotXlsError("no directory")
    root_start, root_size = struct.unpack_from("<IQ", entries[0], 116)
    for entry in entries:
        length = min(struct.unpack_from("<H", entry, 64)[0], 64)
        if entry[66] != 2 or entry[: max(length - 2, 0)].decode("utf-16-le", "replace") != name:
            continue
        start, stream_size = struct.unpack_from("<IQ", entry, 116)
        if shift == 9:  # a version 3 file: the size's high half may hold junk
            stream_size &= 0xFFFFFFFF
        if stream_size >= cutoff:
            body = b"".join(sector(n) for n in _chain(start, fat, count))
            return body[:stream_size]
        # A small stream lives in the mini stream (64-byte sectors inside the root entry's stream).
        mini_fat_bytes = b"".join(sector(n) for n in _chain(first_mini_fat, fat, count)[:mini_fat_sectors])
        mini_fat = list(struct.unpack(f"<{len(mini_fat_bytes) // 4}I", mini_fat_bytes))
        mini_stream = b"".join(sector(n) for n in _chain(root_start, fat, count))[:root_size]
        parts = [mini_stream[n * 64 : n * 64 + 64] for n in _chain(start, mini_fat, len(mini_fat))]
        return b"".join(parts)[:stream_size]
    raise NotXlsError(f"no {name} stream")


def xls_grid(data: bytes) -> XlsGrid:
    try:
        stream = _stream(data, "Workbook")
    except NotXlsError:
        stream = _stream(data, "Book")  # BIFF5 and older name it so
    rows = columns = sheets = 0
    position = 0
    while position + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, position)
        body = stream[position + 4 : position + 4 + length]
        position += 4 + length
        if kind in CELL_RECORDS and len(body) >= 4:
            row, column = struct.unpack_from("<HH", body)
        elif kind in MULTI_RECORDS and len(body) >= 6:
            row = struct.unpack_from("<H", body)[0]
            column = struct.unpack_from("<H", body, len(body) - 2)[0]
        elif kind == DIMENSIONS and len(body) >= 12:
            _first_row, end_row, _first_col, end_col = struct.unpack_from("<IIHH", body)
            row, column = max(end_row - 1, 0), max(end_col - 1, 0)
        else:
            sheets += kind == BOUNDSHEET
            continue
        rows, columns = max(rows, row + 1), max(columns, column + 1)
    return XlsGrid(rows=rows, columns=columns, sheets=sheets)
