"""Working days for the deadlines of sanction steps (PP 86/2013 Pasal 6: warnings of 10 working days)."""

from __future__ import annotations

import datetime as dt


def _holidays(years: range) -> set[dt.date]:
    """Indonesian public holidays from the `holidays` package (country ID). Collective leave days (cuti
    bersama) decreed each year are not in it: a deadline may fall a day or two earlier than an office
    would count."""
    import holidays

    return set(holidays.country_holidays("ID", years=list(years)))


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The day `days` working days after `start` (Monday-Friday, not an Indonesian public holiday)."""
    off = _holidays(range(start.year, start.year + 2))
    day, left = start, days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            left -= 1
    return day
