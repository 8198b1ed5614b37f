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
