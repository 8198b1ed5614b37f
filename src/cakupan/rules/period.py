"""A contribution period: one calendar month, written "YYYY-MM"; and month arithmetic on dates.

The one implementation of months for every app (billing, arrears, coverage snapshots and targets, the
benefit calculators): no app counts months with its own `year * 12 + month` arithmetic.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_PERIOD = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1-12, not {self.month}")
        if not 1900 <= self.year <= 9999:
            raise ValueError(f"year must be 1900-9999, not {self.year}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse "YYYY-MM" strictly (no day, no spaces); ValueError otherwise."""
        match = _PERIOD.fullmatch(text)
        if match is None:
            raise ValueError("expected YYYY-MM")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Period:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @classmethod
    def from_index(cls, index: int) -> Period:
        """The period `index` months after January of year 0 (the inverse of `index`)."""
        return cls(index // 12, index % 12 + 1)

    @property
    def index(self) -> int:
        """Months since January of year 0, so consecutive periods differ by 1 across year ends."""
        return self.year * 12 + self.month - 1

    def shift(self, months: int) -> Period:
        return Period.from_index(self.index + months)

    def months_until(self, other: Period) -> int:
        """How many months `other` is after this period (negative when before)."""
        return other.index - self.index

    def day(self, day: int) -> dt.date:
        """Day `day` of the month, or its last day when the month is shorter (the 30th of February)."""
        return dt.date(self.year, self.month, min(day, self.last_day.day))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the end of a shorter month (31 Jan + 1 = 28/29 Feb)."""
    return Period.of(day).shift(months).day(day.day)
