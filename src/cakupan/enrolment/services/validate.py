"""Row checks that need no database beyond the region codes: fields, NIK structure, duplicates in the file.

Vectorised with polars: each column is parsed once per distinct value (`parse.map_unique`), every check
is a column expression (the NIK's too: the registry's `nik_check_frame`), and a row's reasons are a list
column of reason codes. No Python loop per row or per NIK. The result, the "checked" frame, is what
the merge and the report read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from cakupan.enrolment.reasons import ERROR_CODES
from cakupan.enrolment.services import parse
from cakupan.regions.codes import region_codes
from cakupan.registry.models import Membership, Person, Segment
from cakupan.registry.nik import nik_check_frame
from cakupan.registry.services._common import _Errors
from cakupan.registry.services.employment import WAGE_MAX
from cakupan.registry.services.memberships import _programs_validate

_NAME_MAX = Person._meta.get_field("full_name").max_length or 160
_PHONE_MAX = Person._meta.get_field("phone").max_length or 20
# The usual enrolment when the file names no programme: PU all four long-standing programmes, BPU the
# minimum JKK + JKM (rules.md §1.1-1.3).
DEFAULT_PROGRAMS: dict[str, tuple[str, ...]] = {
    Segment.PU: ("JHT", "JKK", "JKM", "JP"),
    Segment.BPU: ("JKK", "JKM"),
}
_SECTORS = {
    "transport": "transport",
    "transportasi": "transport",
    "ojek": "transport",
    "ojol": "transport",
    "lainnya": "other",
    "lain lain": "other",
    "lain-lain": "other",
}
PROGRAM_FLAGS = Membership.PROGRAM_FIELDS  # jkk, jkm, jht, jp, jkp


def _text(frame: pl.DataFrame, mapping: dict[str, str], name: str) -> pl.Series:
    if name in mapping:
        return frame[mapping[name]].alias(name)
    return pl.Series(name, [None] * frame.height, dtype=pl.Utf8)


def _sector(text: str) -> str:
    s = text.strip().lower()
    return _SECTORS.get(s, s if s in Membership.BpuSector.values else "")


def _programs(text: str) -> str:
    return ",".join(parse.parse_programs(text))


def _code(condition: pl.Expr, code: str) -> pl.Expr:
    return pl.when(condition).then(pl.lit(code))


def check_rows(
    frame: pl.DataFrame,
    mapping: dict[str, str],
    *,
    segment: str,
    nik_numeric: bool,
    today: dt.date,
    numbers: pl.Series | None = None,
    income_default: int | None = None,
) -> pl.DataFrame:
    """The checked frame: one row per file row with its parsed values, `codes` (reasons found without
    the registry), `rejected`, and `first_number` (the first row with the same NIK). `numbers`: each
    row's number in the sheet (readers.Table.row_numbers); without, rows count from 2.
    `income_default`: a BPU row without income (no column, or an empty cell) is enrolled with it
    (payer.payer_income); its `income` stays empty, so a registered member keeps the income it has."""
    col = {name: _text(frame, mapping, name) for name in parse_columns()}
    codes = region_codes()
    default_programs = ",".join(DEFAULT_PROGRAMS[segment])
    df = pl.DataFrame(
        {
            "nik_raw": col["nik"],
            "full_name": col["full_name"].str.replace_all(r"\s+", " ").str.strip_chars(),
            "birth_date": parse.map_unique(col["birth_date"], parse.parse_date, pl.Date),
            "sex": parse.map_unique(col["sex"], parse.parse_sex, pl.Utf8),
            "region": parse.map_unique(col["address_region"], parse.parse_region, pl.Utf8),
            # A phone stored as a number lost its leading 0 (and may carry ".0"): 81234567801 -> 081…
            "phone": col["phone"].str.replace(r"\.0$", "").str.replace(r"^(8\d{8,12})$", "0$1").fill_null(""),
            "npp": col["npp"].str.to_uppercase().fill_null(""),
            "wage": parse.map_unique(col["basic_wage"], parse.parse_amount, pl.Int64),
            "allowance": parse.map_unique(col["fixed_allowance"], parse.parse_amount, pl.Int64),
            "income": parse.map_unique(col["declared_income"], parse.parse_amount, pl.Int64),
            "sector": parse.map_unique(col["bpu_sector"].fill_null("other"), _sector, pl.Utf8),
            "programs": parse.map_unique(col["programs"], _programs, pl.Utf8).fill_null(default_programs),
            "start_date": parse.map_unique(col["start_date"], parse.parse_date, pl.Date),
            # Raw text kept to tell "empty" from "unreadable".
            "_region": col["address_region"],
            "_allowance": col["fixed_allowance"],
            "_income": col["declared_income"],
            "_wage": col["basic_wage"],
            "_start_date": col["start_date"],
        }
    )
    if numbers is None or numbers.len() != df.height:
        numbers = pl.int_range(2, 2 + df.height, dtype=pl.Int64, eager=True)
    df = df.with_columns(number=numbers.cast(pl.Int64).alias("number")).select("number", pl.exclude("number"))
    df = df.with_columns(
        # A province, or no such regency/district, is no address.
        region=pl.when(pl.col("region").is_in(list(codes.names)) & pl.col("region").str.contains(r"\."))
        .then(pl.col("region"))
        .otherwise(None),
        start_date=pl.when(pl.col("_start_date").is_null())
        .then(pl.lit(today))
        .otherwise(pl.col("start_date")),
    )
    df = _nik_checks(df, nik_numeric=nik_numeric, codes=codes)
    ok_programs = {}
    for programs in df["programs"].unique().to_list():
        probe = _Errors()
        _programs_validate(probe, segment, [p for p in programs.split(",") if p])
        ok_programs[programs] = not probe.items
    phone_digits = pl.col("phone").str.replace(r"^\+", "").str.replace_all(r"[\- ]", "")
    money = [
        _code(pl.col("wage").is_null() | (pl.col("wage") <= 0) | (pl.col("wage") > WAGE_MAX), "wage_invalid"),
        _code(
            pl.col("_allowance").is_not_null()
            & (pl.col("allowance").is_null() | (pl.col("allowance") > WAGE_MAX)),
            "allowance_invalid",
        ),
    ]
    if segment != Segment.PU:
        # A BPU row's income: its income cell, else its wage cell, else the payer's basis.
        given = pl.col("_income").is_not_null() | pl.col("_wage").is_not_null()
        income = pl.when(pl.col("_income").is_not_null()).then(pl.col("income")).otherwise(pl.col("wage"))
        df = df.with_columns(
            income=income, wage=pl.lit(None, pl.Int64), income_default=pl.lit(income_default, pl.Int64)
        )
        money = [
            _code(
                pl.when(given)
                .then(pl.col("income").is_null() | (pl.col("income") <= 0) | (pl.col("income") > WAGE_MAX))
                .otherwise(pl.col("income_default").is_null()),
                "income_invalid",
            ),
            _code(pl.col("sector").is_null() | (pl.col("sector") == ""), "sector_invalid"),
        ]
    else:
        df = df.with_columns(income=pl.lit(None, pl.Int64), income_default=pl.lit(None, pl.Int64))
    first = pl.col("number").min().over("nik")
    # Reasons are joined as text and split once: far cheaper in polars than concatenating lists per row.
    reasons = pl.concat_str(
        pl.col("nik_codes"),
        _code(pl.col("full_name").is_null() | (pl.col("full_name") == ""), "name_missing"),
        _code(pl.col("full_name").str.len_chars() > _NAME_MAX, "name_long"),
        _code(pl.col("birth_date").is_null(), "birth_date_invalid"),
        _code(
            (pl.col("birth_date") > pl.lit(today)) | (pl.col("birth_date").dt.year() < 1900),
            "birth_date_range",
        ),
        _code(pl.col("sex").is_null(), "sex_invalid"),
        _code(pl.col("_region").is_not_null() & pl.col("region").is_null(), "region_invalid"),
        _code(
            (pl.col("phone") != "")
            & (~phone_digits.str.contains(r"^[0-9]+$") | (pl.col("phone").str.len_chars() > _PHONE_MAX)),
            "phone_invalid",
        ),
        *money,
        _code(
            pl.col("start_date").is_null() | (pl.col("start_date") < pl.col("birth_date")),
            "start_date_invalid",
        ),
        _code((pl.col("nik") != "") & (pl.col("first_number") != pl.col("number")), "duplicate"),
        _code(
            ~pl.col("programs").replace_strict(ok_programs, return_dtype=pl.Boolean),
            "program_invalid",
        ),
        separator=" ",
        ignore_nulls=True,
    )
    df = df.with_columns(first_number=first).with_columns(
        codes=reasons.str.split(" ").list.eval(pl.element().filter(pl.element() != "")),
        full_name=pl.col("full_name").fill_null(""),
        allowance=pl.col("allowance").fill_null(0),
        **{
            flag: ("," + pl.col("programs") + ",").str.contains("," + flag.upper() + ",", literal=True)
            for flag in PROGRAM_FLAGS
        },
    )
    df = df.with_columns(rejected=pl.col("codes").list.eval(pl.element().is_in(ERROR_CODES)).list.any())
    return df.drop("nik_codes", "_region", "_allowance", "_income", "_wage", "_start_date")


def _nik_checks(df: pl.DataFrame, *, nik_numeric: bool, codes: Any) -> pl.DataFrame:
    """NIK reasons: the registry's one NIK rule, run on the whole column (`nik_check_frame`)."""
    checked = nik_check_frame(df.select(pl.col("nik_raw").alias("nik"), "birth_date", "sex"), codes=codes)
    errors, warnings = pl.col("nik_errors"), pl.col("nik_warnings")
    # A NIK whose encoded birth date or sex disagrees with the row is a warning, not an error
    # (Dukcapil: such NIKs exist and cannot be corrected; PP 40/2019 Pasal 30(2), rules.md §11.1).
    valid = errors.list.len() == 0
    checked = checked.select(
        "nik",
        # As text ("nik_day nik_month"), the form check_rows joins the reasons in.
        nik_found=pl.when(valid)
        .then(warnings)
        .otherwise(errors)
        .list.join(" ")
        .str.replace_all(r"(\S+)", "nik_$1"),
        nik_valid=valid,
        nik_warnings=pl.col("nik_warnings_json"),
    )
    df = df.with_columns(checked)
    raw = pl.col("nik_raw")
    valid = pl.col("nik_valid").fill_null(False)
    # A numeric cell keeps 15 significant digits: a 16th digit of 0 may be one the spreadsheet ate.
    as_number = raw.str.contains(parse.NIK_AS_NUMBER.pattern) | (
        pl.lit(nik_numeric) & (~valid | pl.col("nik").str.ends_with("0"))
    )
    kept = "nik_number_kept " if nik_numeric else ""
    nik_codes = (
        pl.when(raw.is_null())
        .then(pl.lit("nik_missing"))
        .when(as_number)
        .then(pl.lit("nik_number"))
        .when(pl.col("nik") == "")
        .then(pl.lit("nik_length"))
        .otherwise(kept + pl.col("nik_found"))
    )
    return df.with_columns(
        nik_codes=nik_codes,
        nik_warnings=pl.when(raw.is_not_null() & ~as_number & valid)
        .then(pl.col("nik_warnings"))
        .otherwise(pl.lit("[]")),
    ).drop("nik_found", "nik_valid")


def parse_columns() -> tuple[str, ...]:
    return (
        "nik",
        "full_name",
        "birth_date",
        "sex",
        "phone",
        "address_region",
        "npp",
        "basic_wage",
        "fixed_allowance",
        "declared_income",
        "bpu_sector",
        "programs",
        "start_date",
    )
