"""NIK validation: the one place that decides whether a 16-digit number can be a NIK.

Structure (Dukcapil; rules.md §9.1 and §11.1): PP RR DD DDMMYY SSSS: province, regency/city and district
where the NIK was first issued, birth date with day + 40 for women, serial from 0001.

Rejected: not 16 digits; a province or regency code that does not exist (a known pre-split code is
accepted with a warning); month outside 01-12; day outside 01-31 and 41-71; serial 0000.
Warned, never rejected: the encoded birth date or sex disagrees with the recorded one. Dukcapil says such
NIKs exist and cannot be corrected (PP 40/2019 Pasal 30(2), rules.md §11.1).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import polars as pl
from django.utils.translation import gettext_lazy as _

from cakupan.regions.codes import RegionCodes, region_codes

_SEPARATORS = re.compile(r"[\s.\-]")

MESSAGES = {
    "length": _("A NIK has exactly 16 digits."),
    "province": _("The NIK's province code does not exist."),
    "regency": _("The NIK's regency/city code does not exist."),
    "month": _("The NIK's birth month must be 01 to 12."),
    "day": _("The NIK's birth day must be 01 to 31 (men) or 41 to 71 (women)."),
    "serial": _("The NIK's serial number cannot be 0000."),
    "legacy_region": _("The NIK carries a regency code from before a regional split; it is still valid."),
    "not_a_date": _("The NIK's encoded birth date is not a calendar date; check it against the KTP."),
    "birth_date_mismatch": _("The birth date in the NIK differs from the recorded birth date."),
    "sex_mismatch": _("The sex encoded in the NIK differs from the recorded sex."),
}


@dataclass(frozen=True)
class NikIssue:
    code: str
    detail: str = ""

    @property
    def message(self) -> str:
        text = str(MESSAGES[self.code])
        return f"{text} ({self.detail})" if self.detail else text

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "detail": self.detail}


@dataclass(frozen=True)
class NikCheck:
    nik: str
    errors: list[NikIssue] = field(default_factory=list)
    warnings: list[NikIssue] = field(default_factory=list)
    sex: str | None = None  # "L" or "P"
    day: int | None = None  # the birth day with the +40 removed
    month: int | None = None
    yy: int | None = None

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def regency_code(self) -> str:
        return f"{self.nik[0:2]}.{self.nik[2:4]}"


def nik_normalise(raw: object) -> str:
    """Digits only: spaces, dots and dashes that people type are dropped."""
    return _SEPARATORS.sub("", str(raw if raw is not None else "")).strip()


def nik_check(
    raw: object,
    *,
    birth_date: dt.date | None = None,
    sex: str | None = None,
    codes: RegionCodes | None = None,
) -> NikCheck:
    nik = nik_normalise(raw)
    if len(nik) != 16 or not nik.isascii() or not nik.isdigit():
        return NikCheck(nik=nik, errors=[NikIssue("length")])
    codes = codes or region_codes()
    errors: list[NikIssue] = []
    warnings: list[NikIssue] = []

    province, regency = nik[0:2], f"{nik[0:2]}.{nik[2:4]}"
    if regency in codes.legacy_regencies:
        warnings.append(NikIssue("legacy_region", f"{regency} → {codes.legacy_regencies[regency]}"))
    elif province not in codes.provinces:
        errors.append(NikIssue("province", province))
    elif not codes.is_regency(regency):
        errors.append(NikIssue("regency", regency))

    raw_day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    encoded_sex = "P" if raw_day > 40 else "L"
    day = raw_day - 40 if raw_day > 40 else raw_day
    if not (1 <= raw_day <= 31 or 41 <= raw_day <= 71):
        errors.append(NikIssue("day", nik[6:8]))
    if not 1 <= month <= 12:
        errors.append(NikIssue("month", nik[8:10]))
    if nik[12:] == "0000":
        errors.append(NikIssue("serial"))
    if errors:
        return NikCheck(nik=nik, errors=errors, warnings=warnings)

    if not _is_calendar_day(day, month, yy):
        warnings.append(NikIssue("not_a_date", nik[6:12]))
    if birth_date is not None and (birth_date.day, birth_date.month, birth_date.year % 100) != (
        day,
        month,
        yy,
    ):
        warnings.append(
            NikIssue("birth_date_mismatch", f"{day:02d}-{month:02d}-{yy:02d} ≠ {birth_date:%d-%m-%y}")
        )
    if sex is not None and sex != encoded_sex:
        warnings.append(NikIssue("sex_mismatch", f"{encoded_sex} ≠ {sex}"))
    return NikCheck(nik=nik, warnings=warnings, sex=encoded_sex, day=day, month=month, yy=yy)


def nik_check_frame(frame: pl.DataFrame, *, codes: RegionCodes | None = None) -> pl.DataFrame:
    """`nik_check` for a whole column at once, as polars expressions (no Python call per NIK).

    `frame` has "nik" (raw text), "birth_date" (Date or null) and "sex" ("L", "P" or null). Returned, one
    row per input row: "nik" normalised, "nik_errors" and "nik_warnings" (lists of codes) and
    "nik_warnings_json" (the warnings as `NikIssue.as_dict` in a JSON list): the same codes, details and
    order as `nik_check`. The two are tested against each other on the same cases: one rule."""
    codes = codes or region_codes()
    # Python's \s (str.isspace) also takes the ASCII separators \x1c-\x1f, polars' (Unicode White_Space)
    # does not: named here so both normalise alike.
    nik = pl.col("nik").cast(pl.Utf8).fill_null("").str.replace_all(r"[\s\x1c-\x1f.\-]", "")
    parts = frame.select(
        nik=nik,
        _digits=nik.str.contains(r"^[0-9]{16}$"),
        _regency=nik.str.slice(0, 4).cast(pl.Int32, strict=False),  # 3573 for 35.73
        _raw_day=nik.str.slice(6, 2).cast(pl.Int32, strict=False),
        _month=nik.str.slice(8, 2).cast(pl.Int32, strict=False),
        _yy=nik.str.slice(10, 2).cast(pl.Int32, strict=False),
        _born=pl.col("birth_date"),
        _sex_given=pl.col("sex"),
    )
    regency, raw_day, month, yy = pl.col("_regency"), pl.col("_raw_day"), pl.col("_month"), pl.col("_yy")
    # Region codes as numbers (35.73 -> 3573): comparing integers is cheaper than comparing text.
    legacy_now = {int(old.replace(".", "")): new for old, new in codes.legacy_regencies.items()}
    legacy = pl.col("_digits") & regency.is_in(list(legacy_now))
    provinces = [int(c) for c in codes.provinces]
    regencies = [int(c.replace(".", "")) for c in codes.names if codes.is_regency(c)]
    # Codes are joined as text and split once: far cheaper in polars than a list built per row.
    errors = pl.concat_str(
        pl.when(legacy)
        .then(None)
        .when(~(regency // 100).is_in(provinces))
        .then(pl.lit("province"))
        .when(~regency.is_in(regencies))
        .then(pl.lit("regency")),
        pl.when(~(raw_day.is_between(1, 31) | raw_day.is_between(41, 71))).then(pl.lit("day")),
        pl.when(~month.is_between(1, 12)).then(pl.lit("month")),
        pl.when(pl.col("nik").str.slice(12, 4) == "0000").then(pl.lit("serial")),
        separator=" ",
        ignore_nulls=True,
    )
    parts = parts.with_columns(
        _errors=pl.when(pl.col("_digits")).then(errors).otherwise(pl.lit("length")),
        _legacy=pl.when(legacy).then(
            pl.col("nik").str.slice(0, 2)
            + "."
            + pl.col("nik").str.slice(2, 2)
            + " → "
            + regency.replace_strict(legacy_now, default=None, return_dtype=pl.Utf8)
        ),
        _sex=pl.when(raw_day > 40).then(pl.lit("P")).otherwise(pl.lit("L")),
        _day=pl.when(raw_day > 40).then(raw_day - 40).otherwise(raw_day),
    )
    day, born, valid = pl.col("_day"), pl.col("_born"), pl.col("_errors") == ""
    # Either century may apply: 29 February is a date when 19yy or 20yy is a leap year, i.e. yy % 4 == 0.
    last_day = (
        pl.when(month == 2)
        .then(pl.when(yy % 4 == 0).then(29).otherwise(28))
        .when(month.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )
    encoded = pl.concat_str(
        day.cast(pl.Utf8).str.zfill(2),
        pl.col("nik").str.slice(8, 2),
        pl.col("nik").str.slice(10, 2),
        separator="-",
    )
    warnings = [
        ("legacy_region", pl.col("_legacy").is_not_null(), pl.col("_legacy")),
        ("not_a_date", valid & (day > last_day), pl.col("nik").str.slice(6, 6)),
        (
            "birth_date_mismatch",
            valid
            & born.is_not_null()
            & ((born.dt.day() != day) | (born.dt.month() != month) | (born.dt.year() % 100 != yy)),
            encoded + " ≠ " + born.dt.strftime("%d-%m-%y"),
        ),
        (
            "sex_mismatch",
            valid & pl.col("_sex_given").is_not_null() & (pl.col("_sex_given") != pl.col("_sex")),
            pl.col("_sex") + " ≠ " + pl.col("_sex_given"),
        ),
    ]

    def listed(text: pl.Expr) -> pl.Expr:
        return text.str.split(" ").list.eval(pl.element().filter(pl.element() != ""))

    return parts.select(
        "nik",
        nik_errors=listed(pl.col("_errors")),
        nik_warnings=listed(
            pl.concat_str(
                [pl.when(when).then(pl.lit(code)) for code, when, _detail in warnings],
                separator=" ",
                ignore_nulls=True,
            )
        ),
        nik_warnings_json="["
        + pl.concat_str(
            [
                pl.when(when).then(pl.struct(code=pl.lit(code), detail=detail).struct.json_encode())
                for code, when, detail in warnings
            ],
            separator=",",
            ignore_nulls=True,
        )
        + "]",
    )


def _is_calendar_day(day: int, month: int, yy: int) -> bool:
    # Either century may apply; 29 February is a date when one of the two candidate years is a leap year.
    for year in (1900 + yy, 2000 + yy):
        try:
            dt.date(year, month, day)
        except ValueError:
            continue
        return True
    return False


def nik_compose(*, district_code: str, birth_date: dt.date, sex: str, serial: int) -> str:
    """A structurally valid NIK for the given district (PP.RR.DD), birth date and sex; for synthetic data."""
    pp, rr, dd = district_code.split(".")
    day = birth_date.day + (40 if sex == "P" else 0)
    return f"{pp}{rr}{dd}{day:02d}{birth_date:%m%y}{serial:04d}"
