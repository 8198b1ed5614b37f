"""The findings as an XLSX workbook. Text cells starting with = + - @ get a leading quote character, so
neither this workbook nor a CSV re-saved from it turns them into formulas (xlsxwriter writes them as text)."""

from __future__ import annotations

import io
from collections.abc import Iterable

import xlsxwriter
from django.utils import translation

from cakupan.compliance.models import Finding, FindingClass
from cakupan.core.spreadsheet import neutralise

COLUMNS = (
    "Periode",
    "NIB",
    "NPP",
    "Nama",
    "Wilayah",
    "KBLI",
    "Kelas",
    "Pekerja dilaporkan",
    "Pekerja terdaftar",
    "Belum didaftarkan",
    "Upah dilaporkan",
    "Upah terdaftar",
    "Program belum diikuti",
    "Perkiraan iuran kurang per bulan",
    "NIK belum didaftarkan",
)


def findings_xlsx(findings: Iterable[Finding]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("Temuan")
    bold = book.add_format({"bold": True})
    for col, title in enumerate(COLUMNS):
        sheet.write_string(0, col, title, bold)
    # The sheet is Indonesian whatever the reader's language (its headers are): the class in words, not code.
    with translation.override("id"):
        klass_words = {value: str(label) for value, label in FindingClass.choices}
    for row, f in enumerate(findings, start=1):
        values = [
            f.reported.period,
            f.reported.nib,
            f.employer.npp if f.employer else f.reported.npp,
            f.reported.name,
            f.region_id,
            f.kbli,
            klass_words[f.klass],
            f.reported.reported_workers,
            f.registered_workers,
            f.missing_workers,
            f.reported.reported_wages,
            f.registered_wages,
            ", ".join(f.missing_programmes),
            f.gap,
            len(f.missing_niks),
        ]
        for col, value in enumerate(values):
            if isinstance(value, int):
                sheet.write_number(row, col, value)
            else:
                sheet.write_string(row, col, neutralise(str(value)))
    book.close()
    return buffer.getvalue()
