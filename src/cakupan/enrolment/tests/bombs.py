"""Hostile roster files, made in the test: real spreadsheets (xlsxwriter) with one part swapped for a bomb."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import xlsxwriter

from cakupan.enrolment.tests.conftest import GOOD_ROWS, HEADER

NS = (
    'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)
ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"'
)

MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def xlsx(path: Path, *, sheets: int = 1, columns: int = 0) -> Path:
    """A real roster .xlsx: the good rows, `sheets` sheets, `columns` extra columns."""
    book = xlsxwriter.Workbook(str(path))
    for index in range(sheets):
        sheet = book.add_worksheet(f"Peserta {index + 1}")
        header = [*HEADER, *(f"Kolom {c}" for c in range(columns))]
        for r, row in enumerate([header, *(r + [""] * columns for r in GOOD_ROWS)]):
            for c, value in enumerate(row):
                sheet.write_string(r, c, value)
    book.close()
    return path


def _swap(source: Path, target: Path, part: str, chunks: Callable[[], Iterator[bytes]]) -> Path:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as out:
        for entry in original.infolist():
            if entry.filename == part:
                info = zipfile.ZipInfo(part)
                info.compress_type = zipfile.ZIP_DEFLATED
                with out.open(info, "w", force_zip64=True) as handle:
                    for chunk in chunks():
                        handle.write(chunk)
            else:
                out.writestr(entry, original.read(entry), compress_type=zipfile.ZIP_DEFLATED)
    return target


def xlsx_repeated_rows(tmp: Path, rows: int) -> Path:
    """A zip bomb: the real file's sheet replaced by `rows` identical rows (some 110 bytes of XML each,
    compressed about 300 times)."""
    row = (
        "<row>" + "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in GOOD_ROWS[0][:5]) + "</row>"
    ).encode()
    header = "<row>" + "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in HEADER) + "</row>"

    def chunks() -> Iterator[bytes]:
        yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>{header}'.encode()
        block = row * 10_000
        for _ in range(rows // 10_000):
            yield block
        yield b"</sheetData></worksheet>"

    return _swap(xlsx(tmp / "base.xlsx"), tmp / "bomb.xlsx", "xl/worksheets/sheet1.xml", chunks)


def xlsx_sheet(tmp: Path, rows: str, name: str = "sheet.xlsx") -> Path:
    """A real .xlsx whose first sheet holds the header cell A1 and then `rows` (SpreadsheetML)."""

    def chunks() -> Iterator[bytes]:
        yield (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><dimension ref="A1"/><sheetData>'
            f'<row r="1"><c r="A1" t="inlineStr"><is><t>NIK</t></is></c></row>{rows}'
            "</sheetData></worksheet>"
        ).encode()

    return _swap(xlsx(tmp / "base.xlsx"), tmp / name, "xl/worksheets/sheet1.xml", chunks)


def xlsx_far_cell(tmp: Path, ref: str) -> Path:
    """Two cells, A1 and `ref` (XFD1048576: the parser would allocate the whole grid between them)."""
    return xlsx_sheet(tmp, f'<row r="2"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>', "far.xlsx")


def ods(path: Path, body: str) -> Path:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS}><office:body>'
        f'<office:spreadsheet><table:table table:name="Peserta">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        out.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        out.writestr("META-INF/manifest.xml", MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
    return path


def ods_cell(value: str, repeat: int = 1) -> str:
    return (
        f'<table:table-cell table:number-columns-repeated="{repeat}" office:value-type="string">'
        f"<text:p>{value}</text:p></table:table-cell>"
    )


def ods_repeated(path: Path, *, rows: int, columns: int) -> Path:
    """An ODF bomb without compression: one row repeated `rows` times, of one cell repeated `columns`."""
    header = "<table:table-row>" + "".join(ods_cell(h) for h in HEADER) + "</table:table-row>"
    bomb = f'<table:table-row table:number-rows-repeated="{rows}">{ods_cell("x", columns)}</table:table-row>'
    return ods(path, header + bomb)


def xlsx_moved_sheet(tmp: Path, source: Path) -> Path:
    """`source` with its sheet stored as xl/data/s.xml, where the workbook's relationships point."""
    target = tmp / "moved.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for entry in original.infolist():
            data = original.read(entry)
            name = entry.filename
            if name == "xl/worksheets/sheet1.xml":
                name = "xl/data/s.xml"
            elif name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
                data = data.replace(b"worksheets/sheet1.xml", b"data/s.xml")
            out.writestr(name, data)
    return target
