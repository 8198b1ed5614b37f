"""How amounts, figures, dates and months are written for people: one place for pages, PDFs, spreadsheets,
flash messages and letters, so a page never shows "43.4 %" beside "189.546".

Built on Babel's CLDR data for the active language (Indonesian by default, English after switching):

    rupiah(1234567)   "Rp1.234.567"        "Rp1,234,567"
    count(189546)     "189.546"            "189,546"
    months(14)        "14 bulan"           "14 months"     ("lebih dari 10 tahun" beyond 120)
    percent(0.434)    "43,4 %"             "43.4%"         (a rate as a fraction; one decimal)
    date(d)           "7 Desember 2026"    "7 December 2026"
    month(p)          "November 2025"      "November 2025" (a Period, "2025-11", a date)
    month_short(p)    "Nov 25"             "Nov 25"        (a chart's axis)
    datetime(t)       "7 Desember 2026 19.55"  "7 December 2026 19:55"  (Asia/Jakarta, settings.TIME_ZONE)

Every function takes `lang=` for text written outside a request (a letter is always Indonesian); without it
the request's language (django.utils.translation) decides. A missing value is "–". Template filters of the
same names live in `core/templatetags/display.py` (a builtin: no `{% load %}` needed). Codes stored in the
database are shown through `core/labels.py`.

The Indonesian percent has a no-break space before "%" (as the issue asks, "43,4 %") so a narrow column
never puts the sign alone on the next line.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from django.conf import settings
from django.utils import timezone, translation

from cakupan.rules.period import Period

MISSING = "–"
NBSP = "\u00a0"

# Patterns, per language, where CLDR's default is not the house style (CLDR's Indonesian percent has no
# space, its English long date is "December 7, 2026", its Indonesian time separator is a dot: kept).
_PERCENT = {"id": "#,##0.0" + NBSP + "%", "en": "#,##0.0%"}
_DATE = "d MMMM y"
_MONTH = "MMMM y"
_DATETIME = {"id": "d MMMM y HH.mm", "en": "d MMMM y HH:mm"}
_RUPIAH = "'Rp'#,##0"


def language(lang: str | None = None) -> str:
    """The Babel locale for `lang`, else for the active language: "id" or "en"."""
    code = (lang or translation.get_language() or settings.LANGUAGE_CODE).lower()
    return "en" if code.startswith("en") else "id"


# Beyond ten years a count of months says nothing more (a huge budget's runway reads "more than 10 years").
MONTHS_SHOWN = 120


def months(value: Any, *, lang: str | None = None) -> str:
    """A span of whole months with its unit: "14 bulan" / "14 months"; beyond ten years "lebih dari 10
    tahun" / "more than 10 years"."""
    if _missing(value):
        return MISSING
    n = int(value)
    with translation.override(language(lang)):
        if n > MONTHS_SHOWN:
            return translation.gettext("more than %(years)s years") % {"years": MONTHS_SHOWN // 12}
        text: str = translation.ngettext("%(n)s month", "%(n)s months", n) % {"n": count(n, lang=lang)}
        return text


def _missing(value: Any) -> bool:
    return value is None or value == ""


def _number(value: Any) -> Decimal | int:
    if isinstance(value, bool):
        raise TypeError("a truth value is not a number")
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value).strip())


def rupiah(amount: Any, *, lang: str | None = None) -> str:
    """Whole Rupiah: "Rp1.234.567" ("-Rp5.000" for a credit). Fractions are not shown (money is whole
    Rupiah; a computed fraction is rounded by rules.money before it gets here)."""
    if _missing(amount):
        return MISSING
    return format_decimal(_number(amount), format=_RUPIAH, locale=language(lang))


def count(value: Any, *, lang: str | None = None) -> str:
    """A whole number with the language's grouping: "189.546"."""
    if _missing(value):
        return MISSING
    return format_decimal(_number(value), format="#,##0", locale=language(lang))


def decimal(value: Any, *, digits: int = 2, lang: str | None = None) -> str:
    """A number with `digits` decimals: "0,87"."""
    if _missing(value):
        return MISSING
    pattern = "#,##0." + "0" * digits if digits > 0 else "#,##0"
    return format_decimal(_number(value), format=pattern, locale=language(lang))


def percent(rate: Any, *, digits: int = 1, lang: str | None = None) -> str:
    """A rate given as a fraction (0.434), written with one decimal: "43,4 %" / "43.4%" (`digits=0` where a
    map tile or legend has room for "43 %" only)."""
    if _missing(rate):
        return MISSING
    code = language(lang)
    pattern = _PERCENT[code].replace("0.0", "0." + "0" * digits if digits > 0 else "0")
    return format_percent(_number(rate), format=pattern, locale=code)


def percent_points(value: Any, *, lang: str | None = None) -> str:
    """A percentage already in points (a rule table's 5.7): "5,7 %" / "5.7%"."""
    if _missing(value):
        return MISSING
    return percent(_number(value) / 100, lang=lang)


def _as_date(value: Any) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, _dt.date):
        return value
    return _dt.date.fromisoformat(str(value).strip()[:10])


def date(value: Any, *, lang: str | None = None) -> str:
    """A day: "7 Desember 2026" / "7 December 2026" (a date-time is taken on its local day)."""
    if _missing(value):
        return MISSING
    return format_date(_as_date(value), _DATE, locale=language(lang))


def month(value: Any, *, lang: str | None = None) -> str:
    """A calendar month: "November 2025" from a Period, "2025-11", or a date."""
    if _missing(value):
        return MISSING
    if isinstance(value, Period):
        day = value.first_day
    elif isinstance(value, _dt.date):
        day = _as_date(value)
    else:
        day = Period.parse(str(value).strip()[:7]).first_day
    return format_date(day, _MONTH, locale=language(lang))


def month_short(value: Any, *, lang: str | None = None) -> str:
    """A month where room is short (a chart's axis): "Agu 25" / "Aug 25"."""
    if _missing(value):
        return MISSING
    day = value.first_day if isinstance(value, Period) else Period.parse(str(value).strip()[:7]).first_day
    return format_date(day, "MMM yy", locale=language(lang))


def datetime(value: Any, *, lang: str | None = None) -> str:
    """A moment, in the project's time zone: "7 Desember 2026 19.55" / "7 December 2026 19:55"."""
    if _missing(value):
        return MISSING
    if not isinstance(value, _dt.datetime):
        value = _dt.datetime.fromisoformat(str(value).strip())
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    code = language(lang)
    return format_datetime(value.replace(tzinfo=None), _DATETIME[code], locale=code)
