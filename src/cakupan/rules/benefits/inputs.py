"""Reading a benefit request: every field is checked, and all faults are reported together."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from cakupan.rules.errors import RuleInputError
from cakupan.rules.period import Period, add_months

__all__ = ["Event", "Reader", "add_months", "calendar_months", "full_years", "whole_number"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Reader:
    payload: Mapping[str, Any]
    errors: list[tuple[str, str]] = field(default_factory=list)

    def error(self, name: str, message: str) -> None:
        self.errors.append((name, message))

    def check(self) -> None:
        if self.errors:
            raise RuleInputError(self.errors)

    def _missing(self, name: str, required: bool) -> bool:
        if self.payload.get(name) is None:
            if required:
                self.error(name, "This field is required.")
            return True
        return False

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        if self._missing(name, required):
            return None
        raw = self.payload[name]
        if not isinstance(raw, str) or not _DATE.match(raw):
            self.error(name, "Enter a date as YYYY-MM-DD.")
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            self.error(name, "This date does not exist.")
            return None

    def integer(
        self, name: str, *, required: bool = False, minimum: int = 0, maximum: int | None = None
    ) -> int | None:
        if self._missing(name, required):
            return None
        value = whole_number(self.payload[name])
        if value is None:
            self.error(name, "Enter a whole number.")
        elif value < minimum:
            self.error(name, f"Must be at least {minimum}.")
        elif maximum is not None and value > maximum:
            self.error(name, f"Must be at most {maximum}.")
        else:
            return value
        return None

    def percent(self, name: str, *, required: bool = False) -> Decimal | None:
        """A percentage above 0 and at most 100, kept exact (never a float)."""
        if self._missing(name, required):
            return None
        raw = self.payload[name]
        value: Decimal | None = None
        if isinstance(raw, int | float | str) and not isinstance(raw, bool):
            try:
                value = Decimal(str(raw))
            except InvalidOperation:
                value = None
        if value is None or not value.is_finite():
            self.error(name, "Enter a number.")
        elif not Decimal(0) < value <= Decimal(100):
            self.error(name, "Must be above 0 and at most 100.")
        else:
            return value
        return None

    def boolean(self, name: str) -> bool:
        raw = self.payload.get(name)
        if raw is None:
            return False
        if not isinstance(raw, bool):
            self.error(name, "Enter true or false.")
            return False
        return raw

    def choice(self, name: str, choices: Sequence[str], *, required: bool = False) -> str | None:
        if self._missing(name, required):
            return None
        raw = self.payload[name]
        for choice in choices:
            if isinstance(raw, str) and raw.strip().upper() == choice.upper():
                return choice
        self.error(name, "Choose one of: " + ", ".join(choices) + ".")
        return None

    def within(self, name: str, value: int | None, limit: int, what: str) -> None:
        if value is not None and value > limit:
            self.error(name, f"Cannot exceed the {limit} {what}.")


def whole_number(raw: Any) -> int | None:
    """Money and counts are whole numbers: an int, an integral float from JSON, or a string of digits."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and re.fullmatch(r"-?\d+", raw.strip()):
        return int(raw.strip())
    return None


@dataclass(frozen=True)
class Event:
    """What every request has: the benefit, the date of the event and when the membership started."""

    benefit: str
    event_date: dt.date
    membership_start: dt.date


def full_years(start: dt.date, end: dt.date) -> int:
    """Completed years from `start` to `end` (an anniversary counts on the day)."""
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def calendar_months(start: dt.date, end: dt.date) -> int:
    """Calendar months from `start`'s month up to (not including) `end`'s month."""
    return Period.of(start).months_until(Period.of(end))


def read_paid_months(reader: Reader, event: Event) -> int | None:
    """The optional `contribution_months` (months actually paid before the event), checked against the
    calendar months of membership."""
    months = reader.integer("contribution_months", minimum=0)
    reader.within(
        "contribution_months",
        months,
        calendar_months(event.membership_start, event.event_date),
        "calendar months of membership before the event",
    )
    return months
