"""Parsing the text of roster cells: dates, sex, Rupiah amounts, region codes, programmes, NIKs.

Each parser works on one distinct value; `map_unique` applies it once per distinct value of a column
and maps the results back with polars, so a million rows with twenty thousand birth dates cost twenty
thousand parses, not a million.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import polars as pl

MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_NAMED_DATE = re.compile(r"^(\d{1,2})[\s\-]+([a-z]+)\.?[\s\-]+(\d{4})$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01, counting Excel's phantom 29 Feb 1900

SEX = {
    "l": "L", "lk": "L", "laki laki": "L", "laki": "L", "pria": "L", "m": "L", "male": "L",
    "p": "P", "pr": "P", "perempuan": "P", "wanita": "P", "w": "P", "f": "P", "female": "P",
}  # fmt: skip

_AMOUNT_GROUPED = re.compile(r"^\d{1,3}([.,])\d{3}(\1\d{3})*$")
_AMOUNT_DECIMALS = re.compile(r"^(\d+(?:([.,])\d{3})*)[.,]0{1,2}$")

NIK_AS_NUMBER = re.compile(r"(?:[eE][+\-]?\d+$)|(?:[.,]0+$)")


def parse_date(text: str) -> dt.date | None:
    s = " ".join(text.strip().lower().split())
    try:
        if m := _NUMERIC_DATE.match(s):  # Indonesian order: day first
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        if m := _ISO_DATE.match(s):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if (m := _NAMED_DATE.match(s)) and m[2] in MONTHS:
            return dt.date(int(m[3]), MONTHS[m[2]], int(m[1]))
        serial = s.removesuffix(".0")
        if serial.isdigit() and 1 <= int(serial) <= 80_000:  # an Excel date serial (1900 to 2119)
            return _EXCEL_EPOCH + dt.timedelta(days=int(serial))
    except ValueError:  # e.g. 31/02/1990
        return None
    return None


def parse_sex(text: str) -> str | None:
    return SEX.get(" ".join(re.sub(r"[^a-z]+", " ", text.lower()).split()))


def parse_amount(text: str) -> int | None:
    """Whole Rupiah: "4500000", "Rp 4.500.000", "4,500,000", "4.500.000,00", "4500000.0" (a number cell)."""
    s = re.sub(r"^rp\.?", "", text.strip().lower()).replace(" ", "").replace("\u00a0", "")
    if m := _AMOUNT_DECIMALS.match(s):
        s = m[1]
    if _AMOUNT_GROUPED.match(s):
        s = s.replace(".", "").replace(",", "")
    if not (s.isascii() and s.isdigit()) or len(s) > 13:
        return None
    return int(s)


def parse_region(text: str) -> str | None:
    """ "35.73", "35.73.01", "3573", "357301" -> the dotted code used by the regions table. A code a
    spreadsheet stored as a number comes as "3573.0", or "32.1" for 32.10 (its trailing zero dropped)."""
    s = text.strip().removesuffix(".0")
    if re.fullmatch(r"\d{2}\.\d", s):
        s += "0"
    digits = re.sub(r"[.\s]", "", s)
    if not digits.isdigit() or len(digits) not in (4, 6):
        return None
    parts = [digits[0:2], digits[2:4], digits[4:6]]
    return ".".join(p for p in parts if p)


def parse_programs(text: str) -> tuple[str, ...]:
    return tuple(sorted({p for p in re.split(r"[^A-Za-z]+", text.upper()) if p}))


def nik_stored_as_number(text: str) -> bool:
    """Exponent notation (3.57301E+15) or a trailing ".0": a spreadsheet's number, not typed text."""
    return bool(NIK_AS_NUMBER.search(text.strip()))


def map_unique(column: pl.Series, parse: Callable[[str], Any], dtype: Any) -> pl.Series:
    """`parse` applied to each distinct non-empty value once; empty cells give null."""
    values = [v for v in column.unique().to_list() if v is not None]
    mapping = {v: parse(v) for v in values}
    return column.replace_strict(mapping, default=None, return_dtype=dtype)
