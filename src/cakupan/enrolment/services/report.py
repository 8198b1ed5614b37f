"""The row-level report (XLSX and CSV) and the blank roster template.

Every exported cell that a spreadsheet would run as a formula (beginning with =, +, - or @, or a tab or
carriage return before one) is prefixed with an apostrophe: a roster is someone else's data, and
opening a report must never execute it (CSV/formula injection, OWASP).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import xlsxwriter

from cakupan.core.spreadsheet import FORMULA_PATTERN, neutralise
from cakupan.enrolment.private import DIR_MODE, private_file
from cakupan.enrolment.readers import HEADERS
from cakupan.enrolment.reasons import ERROR_CODES, REASONS, WARNING_CODES

REPORT_COLUMNS = ("Baris / Row", "Status", "Alasan", "Reason", "Kode / Code")
# Beyond this many rows the XLSX report lists only the rows that need attention (rejected or warning):
# a spreadsheet of a million rows helps nobody and costs a minute to write; the CSV always has every row.
XLSX_ALL_ROWS_MAX = 100_000


def _text(value: object) -> str:
    text: str = neutralise("" if value is None else str(value))
    return text


def _neutralise(column: str) -> pl.Expr:
    c = pl.col(column).cast(pl.Utf8).fill_null("")
    return pl.when(c.str.contains(FORMULA_PATTERN)).then("'" + c).otherwise(c).alias(column)


def _texts(lang: str) -> pl.Expr:
    templates = {
        code: (indonesian if lang == "id" else english)
        .replace("%(row)s", "{row}")
        .replace("%(registered)s", "{birth}" if code == "conflict_birth_date" else "{sex}")
        .replace("%(sponsor)s", "{sponsor}")
        for code, (_is_error, indonesian, english) in REASONS.items()
    }
    joined = (
        pl.col("codes").list.eval(pl.element().replace_strict(templates, return_dtype=pl.Utf8)).list.join(" ")
    )
    return (
        joined.str.replace("{row}", pl.col("first_number").cast(pl.Utf8), literal=True)
        .str.replace("{birth}", pl.col("reg_birth").fill_null(""), literal=True)
        .str.replace("{sex}", pl.col("reg_sex").fill_null(""), literal=True)
        .str.replace("{sponsor}", pl.col("other_sponsor").fill_null(""), literal=True)
    )


def status_expr() -> pl.Expr:
    codes = pl.col("codes")
    return (
        pl.when(codes.list.eval(pl.element().is_in(ERROR_CODES)).list.any())
        .then(pl.lit("rejected"))
        .when(pl.col("status") == "held")
        .then(pl.lit("held"))
        .when(codes.list.eval(pl.element().is_in(WARNING_CODES)).list.any())
        .then(pl.lit("warning"))
        .when(pl.col("status").fill_null("") == "")
        .then(pl.lit("unchanged"))
        .otherwise(pl.col("status"))
    )


# What a person reads first: the rows to fix, then those to check, then the rest, each in file order.
STATUS_ORDER = ("rejected", "warning", "held", "imported", "updated", "unchanged")


@dataclass(frozen=True)
class PreviewRow:
    number: str
    status: str  # one of STATUS_ORDER
    reason: str  # in the reader's language
    cells: list[str]  # the file's own columns


@dataclass(frozen=True)
class Preview:
    columns: list[str]  # the file's own headers
    rows: list[PreviewRow]
    counts: dict[str, int] = field(default_factory=dict)  # rows per status, whatever the filter
    matching: int = 0  # rows of the chosen status (all rows without a filter)


def report_preview(path: Path, *, status: str | None, limit: int, lang: str) -> Preview:
    """The first `limit` rows of a written report (its CSV), rejected first, then warnings, held and the
    rest, each in file order; only `status` rows when given. Two passes over the file: the counts read
    one column, the rows are polars' top-k of the sorted rows, not the whole file in Python."""
    scan = pl.scan_csv(path, infer_schema=False, encoding="utf8")
    names = scan.collect_schema().names()
    number, state, reason = names[0], names[1], names[2 if lang == "id" else 3]
    columns = names[len(REPORT_COLUMNS) :]
    counted = scan.group_by(state).agg(pl.len()).collect()
    counts = {str(k): int(n) for k, n in counted.iter_rows()}
    rank = pl.col(state).replace_strict(
        {s: i for i, s in enumerate(STATUS_ORDER)}, default=len(STATUS_ORDER), return_dtype=pl.Int32
    )
    chosen = scan.filter(pl.col(state) == status) if status else scan
    top = (
        chosen.with_columns(_rank=rank, _number=pl.col(number).cast(pl.Int64, strict=False))
        .sort("_rank", "_number")
        .head(limit)
        .collect()
    )
    rows = [
        PreviewRow(
            number=v[number] or "",
            status=v[state] or "",
            reason=v[reason] or "",
            cells=["" if v[c] is None else v[c] for c in columns],
        )
        for v in top.iter_rows(named=True)
    ]
    matching = counts.get(status, 0) if status else sum(counts.values())
    return Preview(columns=columns, rows=rows, counts=counts, matching=matching)


def report_frame(frame: pl.DataFrame, final: pl.DataFrame) -> pl.DataFrame:
    """The original columns behind the row number, the status and the reasons, every cell neutralised."""
    head = final.select(
        pl.col("number").cast(pl.Utf8).alias(REPORT_COLUMNS[0]),
        status_expr().alias(REPORT_COLUMNS[1]),
        _texts("id").alias(REPORT_COLUMNS[2]),
        _texts("en").alias(REPORT_COLUMNS[3]),
        pl.col("codes").list.join(" ").alias(REPORT_COLUMNS[4]),
    )
    body = frame.rename({c: f"\x00{i}" for i, c in enumerate(frame.columns)})
    out = pl.concat([head, body], how="horizontal")
    out = out.select(_neutralise(c) for c in out.columns)
    header = [*REPORT_COLUMNS, *frame.columns]
    return out.rename(dict(zip(out.columns, [_text(h) for h in header], strict=True)))


def write_report(path_stem: Path, frame: pl.DataFrame, final: pl.DataFrame) -> tuple[Path, Path]:
    """Writes `<stem>.xlsx` and `<stem>.csv`, mode 0600 (personal data); returns both paths."""
    path_stem.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    report = report_frame(frame, final)
    xlsx, csv_path = private_file(path_stem.with_suffix(".xlsx")), private_file(path_stem.with_suffix(".csv"))
    report.write_csv(csv_path, include_bom=True)
    status = report.columns[1]
    if report.height > XLSX_ALL_ROWS_MAX:
        report = report.filter(pl.col(status).is_in(["rejected", "warning"]))
    book = xlsxwriter.Workbook(
        str(xlsx), {"strings_to_numbers": False, "strings_to_formulas": False, "constant_memory": True}
    )
    sheet = book.add_worksheet("Laporan")
    bold = book.add_format({"bold": True})
    red = book.add_format({"bg_color": "#F8D7DA"})
    amber = book.add_format({"bg_color": "#FFF3CD"})
    sheet.freeze_panes(1, 0)
    sheet.set_column(2, 3, 60)
    sheet.autofilter(0, 0, report.height, report.width - 1)
    for c, name in enumerate(report.columns):
        sheet.write_string(0, c, name, bold)
    for r, values in enumerate(report.iter_rows(), start=1):
        fmt = red if values[1] == "rejected" else amber if values[1] == "warning" else None
        for c, value in enumerate(values):
            if value:
                sheet.write_string(r, c, value, fmt)
    book.close()
    return xlsx, csv_path


TEMPLATE_COLUMNS = (
    "nik",
    "full_name",
    "birth_date",
    "sex",
    "address_region",
    "phone",
    "basic_wage",
    "fixed_allowance",
    "declared_income",
    "bpu_sector",
    "programs",
    "start_date",
    "npp",
)
INSTRUCTIONS = (
    "Petunjuk pengisian daftar peserta (roster)",
    "",
    "1. Isi satu baris per pekerja mulai baris ke-2 lembar 'Peserta'. Jangan mengubah judul kolom.",
    "2. NIK: 16 digit, ketik sebagai TEKS (kolom sudah diformat Teks). Jika NIK tampil seperti "
    "3.57301E+15 atau digit terakhir menjadi 0, kolom tersimpan sebagai angka: format sebagai Teks lalu "
    "ketik ulang.",
    "3. Tanggal Lahir dan Tanggal Mulai: DD/MM/YYYY (05/03/1990), YYYY-MM-DD atau '5 Maret 1990'. "
    "Tanggal Mulai kosong = tanggal impor.",
    "4. Jenis Kelamin: L atau P (Laki-laki / Perempuan).",
    "5. Alamat/Kode Wilayah: kode Kemendagri kabupaten/kota atau kecamatan, mis. 35.73 atau 35.73.01. "
    "Kosong = kabupaten/kota pemberi kerja atau sponsor (untuk peserta baru).",
    "6. Upah Pokok dan Tunjangan Tetap (pekerja penerima upah, PU): Rupiah bulat, mis. 4500000 atau "
    "Rp 4.500.000.",
    "7. Penghasilan (bukan penerima upah, BPU): penghasilan per bulan dalam Rupiah bulat; kosong = dasar "
    "penghasilan sponsor (bawaan: tingkat BPU terendah). Sektor: transportasi atau lainnya.",
    "8. Program: mis. 'JKK, JKM, JHT'. Kosong = PU: JKK, JKM, JHT, JP; BPU: JKK, JKM. JP dan JKP hanya "
    "untuk PU.",
    "9. NPP: hanya untuk unggahan dinas/instansi mitra, NPP pemberi kerja tiap pekerja.",
    "10. Setelah unggah, unduh laporan: setiap baris diberi status (kolom Status: imported = diimpor, "
    "updated = diperbarui, unchanged = tidak berubah, warning = dengan peringatan, rejected = ditolak, "
    "held = ditahan untuk pemeriksaan kantor cabang) dan alasannya. Perbaiki baris yang ditolak lalu "
    "unggah ulang berkas yang sama; baris yang sudah masuk tidak akan terduplikasi.",
    "11. Judul, tahun anggaran atau baris kosong di atas judul kolom boleh ada: judul kolom dicari "
    "otomatis di 30 baris teratas.",
)


def template_xlsx() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Peserta")
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7"})
    text = book.add_format({"num_format": "@"})
    for c, name in enumerate(TEMPLATE_COLUMNS):
        label = HEADERS[name][0].title().replace("Kode Wilayah", "/Kode Wilayah").replace("Alamat ", "Alamat")
        sheet.write_string(0, c, "NIK" if name == "nik" else "NPP" if name == "npp" else label, bold)
        sheet.set_column(c, c, 20, text)  # every column text: no NIK or phone turned into a number
    sheet.freeze_panes(1, 0)
    notes = book.add_worksheet("Petunjuk")
    for r, line in enumerate(INSTRUCTIONS):
        notes.write_string(r, 0, line, bold if r == 0 else None)
    notes.set_column(0, 0, 120)
    book.close()
    return buffer.getvalue()
