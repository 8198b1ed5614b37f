"""Reading a workforce report (WLKP-style) and its optional worker list into checked rows.

The file is read as text (enrolment.readers.read_table: a NIK read as a number loses digits). Every row
problem is reported at once, named as the user sees it: the column's header in the file and the row's
number in the spreadsheet; a file with any error writes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from cakupan.core.errors import FieldError, InvalidInput
from cakupan.enrolment.readers import read_table
from cakupan.regions.models import Region
from cakupan.rules.period import Period

REPORT_HEADERS: dict[str, tuple[str, ...]] = {
    "nib": ("nib", "nomor induk berusaha", "no nib"),
    "npp": ("npp", "no npp", "nomor pendaftaran perusahaan"),
    "name": ("nama perusahaan", "nama", "name", "employer", "employer name", "company"),
    "address": ("alamat", "alamat perusahaan", "address"),
    "region": ("kode wilayah", "wilayah", "region", "region code", "kode kabupaten kota"),
    "period": ("periode", "period", "bulan laporan"),
    "reported_workers": (
        "jumlah pekerja",
        "jumlah tenaga kerja",
        "tenaga kerja",
        "workers",
        "reported workers",
    ),
    "reported_wages": ("total upah", "jumlah upah", "total upah sebulan", "total wages", "wages"),
    "size_class": ("skala usaha", "skala", "size class", "size"),
    "kbli": ("kbli", "sektor kbli", "sector", "sektor"),
}
REPORT_REQUIRED = ("name", "region", "period", "reported_workers", "reported_wages", "size_class", "kbli")
WORKER_HEADERS: dict[str, tuple[str, ...]] = {
    "nib": ("nib", "nib perusahaan"),
    "npp": ("npp", "npp perusahaan"),
    "nik": ("nik", "no ktp", "nomor induk kependudukan"),
    "name": ("nama", "nama pekerja", "name"),
    "wage": ("upah", "gaji", "wage", "upah sebulan"),
}
WORKER_REQUIRED = ("nik", "wage")
SIZE_ALIASES = {
    "mikro": "mikro",
    "micro": "mikro",
    "usaha mikro": "mikro",
    "kecil": "kecil",
    "small": "kecil",
    "usaha kecil": "kecil",
    "menengah": "menengah",
    "medium": "menengah",
    "usaha menengah": "menengah",
    "besar": "besar",
    "large": "besar",
    "usaha besar": "besar",
}
MAX_RUPIAH = 10**15
_INT = re.compile(r"\d+(\.0+)?")
_GROUPED = re.compile(r"\d{1,3}([.,]\d{3})+")


@dataclass
class ReportRow:
    row: int
    name: str
    region: str
    period: str
    reported_workers: int
    reported_wages: int
    size_class: str
    kbli: str
    nib: str = ""
    npp: str = ""
    address: str = ""
    workers: list[tuple[str, str, int]] = field(default_factory=list)  # (nik, name, wage)


def _key(header: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", header.lower()).split())


def _columns(
    columns: list[str], headers: dict[str, tuple[str, ...]], required: tuple[str, ...], file: str
) -> dict[str, str]:
    by_header = {h: f for f, names in headers.items() for h in names}
    found: dict[str, str] = {}
    errors: list[FieldError] = []
    for column in columns:
        name = by_header.get(_key(column))
        if name is None:
            continue
        if name in found:
            errors.append(
                FieldError(f"{file}.columns", _("Two columns for “%(f)s”.") % {"f": headers[name][0]})
            )
        found[name] = column
    for name in required:
        if name not in found:
            errors.append(
                FieldError(
                    f"{file}.columns",
                    _("No column for “%(f)s”; accepted headers: %(h)s.")
                    % {"f": headers[name][0], "h": ", ".join(headers[name][:3])},
                )
            )
    if errors:
        raise InvalidInput(errors)
    return found


def _row_error(column: str, row: int, problem: Any, *, workers: bool = False) -> FieldError:
    """An error where the user looks for it: the field is the column's header as the file writes it, the
    message names the row as the spreadsheet numbers it (the header is row 1)."""
    text = (
        _("Worker list, row %(row)s, column “%(column)s”: %(problem)s")
        if workers
        else _("Row %(row)s, column “%(column)s”: %(problem)s")
    )
    return FieldError(column, text % {"row": row, "column": column, "problem": problem})


def parse_int(text: str | None, *, maximum: int = MAX_RUPIAH) -> int | None:
    """A whole number as people type it: 1500, 1500.0 (a spreadsheet number), 1.500.000 or 1,500,000."""
    if text is None:
        return None
    text = text.strip().replace(" ", "")
    if _INT.fullmatch(text):
        value = int(text.split(".")[0])
    elif _GROUPED.fullmatch(text):
        value = int(re.sub(r"[.,]", "", text))
    else:
        return None
    return value if value <= maximum else None


def _content(source: Any) -> tuple[bytes, str]:
    if hasattr(source, "read"):
        data = source.read()
        return data, str(getattr(source, "name", "") or "upload")
    with open(source, "rb") as handle:
        return handle.read(), str(source)


def read_report(source: Any, file_name: str = "") -> list[ReportRow]:
    content, name = _content(source)
    table = read_table(content, file_name or name)
    frame = table.frame
    cols = _columns(frame.columns, REPORT_HEADERS, REPORT_REQUIRED, "file")

    def header_of(fld: str) -> str:
        # The file's own header; a rule on a column the file lacks (an employer told apart by name when
        # there is no NIB column) names the column the row is identified by.
        return cols.get(fld) or cols["name"]

    errors: list[FieldError] = []
    rows: list[ReportRow] = []
    seen: dict[tuple[str, str], int] = {}
    for index, record in enumerate(frame.iter_rows(named=True)):
        number = index + 2  # the header is row 1
        get = {f: (record.get(c) or "").strip() for f, c in cols.items()}

        def bad(fld: str, message: Any, number: int = number) -> None:
            errors.append(_row_error(header_of(fld), number, message))

        nib, npp = get.get("nib", ""), get.get("npp", "")
        if nib and not (nib.isdigit() and len(nib) == 13):
            bad("nib", _("A NIB is 13 digits."))
        if len(npp) > 20:
            bad("npp", _("An NPP has at most 20 characters."))
        if not get["name"]:
            bad("name", _("This field is required."))
        region = get["region"]
        if not re.fullmatch(r"\d{2}\.\d{2}(\.\d{2})?", region):
            bad("region", _("A regency or district code such as 33.25 or 33.25.01."))
        try:
            Period.parse(get["period"])
        except ValueError:
            bad("period", _("A month written YYYY-MM, e.g. 2026-05."))
        workers = parse_int(get["reported_workers"], maximum=10_000_000)
        if workers is None:
            bad("reported_workers", _("A whole number of workers."))
        wages = parse_int(get["reported_wages"])
        if wages is None:
            bad("reported_wages", _("A whole number of Rupiah."))
        elif workers == 0 and wages:
            bad("reported_wages", _("Wages reported for no workers."))
        size = SIZE_ALIASES.get(_key(get["size_class"]))
        if size is None:
            bad("size_class", _("One of: mikro, kecil, menengah, besar."))
        kbli = get["kbli"]
        if not (kbli.isdigit() and len(kbli) == 5):
            bad("kbli", _("A 5-digit KBLI 2020 code."))
        identity = (nib or npp or f"{_key(get['name'])}@{region[:5]}", get["period"])
        if identity in seen:
            bad("nib", _("The same employer and period as row %(row)s.") % {"row": seen[identity]})
        seen[identity] = number
        if workers is not None and wages is not None and size is not None:
            rows.append(
                ReportRow(
                    number,
                    get["name"][:200],
                    region,
                    get["period"],
                    workers,
                    wages,
                    size,
                    kbli,
                    nib,
                    npp,
                    get.get("address", "")[:300],
                )
            )
    if not frame.height:
        errors.append(FieldError("file", _("The file has no rows.")))
    regions = {r.region for r in rows}
    known = set(Region.objects.filter(code__in=regions).values_list("code", flat=True))
    for r in rows:
        if r.region not in known and re.fullmatch(r"\d{2}\.\d{2}(\.\d{2})?", r.region):
            errors.append(
                _row_error(header_of("region"), r.row, _("Unknown region code %(c)s.") % {"c": r.region})
            )
    if errors:
        raise InvalidInput(errors)
    return rows


def read_workers(source: Any, rows: list[ReportRow], file_name: str = "") -> int:
    """Attach the worker list to its employers (by NIB, else NPP); the number of workers read."""
    content, name = _content(source)
    frame = read_table(content, file_name or name).frame
    cols = _columns(frame.columns, WORKER_HEADERS, WORKER_REQUIRED, "workers")
    if "nib" not in cols and "npp" not in cols:
        raise InvalidInput.single("workers.columns", _("A column NIB or NPP names each worker's employer."))
    by_nib = {r.nib: r for r in rows if r.nib}
    by_npp = {r.npp: r for r in rows if r.npp}
    errors: list[FieldError] = []
    seen: set[tuple[int, str]] = set()
    count = 0
    for index, record in enumerate(frame.iter_rows(named=True)):
        number = index + 2
        get = {f: (record.get(c) or "").strip() for f, c in cols.items()}

        def bad(fld: str, message: Any, number: int = number) -> None:
            column = cols.get(fld) or cols.get("nib") or cols["npp"]
            errors.append(_row_error(column, number, message, workers=True))

        owner = by_nib.get(get.get("nib", "")) or by_npp.get(get.get("npp", ""))
        if owner is None:
            bad("nib", _("No employer with this NIB or NPP in the report."))
        nik = get["nik"]
        if not (nik.isdigit() and len(nik) == 16):
            bad("nik", _("A NIK is 16 digits (store it as text)."))
        wage = parse_int(get["wage"])
        if wage is None:
            bad("wage", _("A whole number of Rupiah."))
        if owner is None or wage is None or len(nik) != 16:
            continue
        if (owner.row, nik) in seen:
            bad("nik", _("Listed twice for the same employer."))
            continue
        seen.add((owner.row, nik))
        owner.workers.append((nik, get.get("name", "")[:160], wage))
        count += 1
    if errors:
        raise InvalidInput(errors)
    return count
