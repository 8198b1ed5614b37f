"""Values that carry their legal source, and the validity window of a table version.

Shared by every rule table: a number is never used without the citation it came from and how sure we are of
it (the confidence legend of the domain notes: [C] confirmed, [M] medium, [B] background, [U] unconfirmed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from cakupan.rules.period import Period

Confidence = Literal["confirmed", "medium", "background", "unconfirmed"]

# Weakest first: the confidence of a result is the weakest confidence of the values it used.
CONFIDENCE_ORDER: tuple[Confidence, ...] = ("unconfirmed", "background", "medium", "confirmed")
CONFIDENCE_TAGS: dict[str, Confidence] = {
    "C": "confirmed",
    "M": "medium",
    "B": "background",
    "U": "unconfirmed",
}

T = TypeVar("T")


@dataclass(frozen=True)
class Source:
    citation: str
    confidence: Confidence


@dataclass(frozen=True)
class Sourced(Generic[T]):
    value: T
    source: Source


def weakest(sources: Iterable[Source]) -> Confidence:
    """The weakest confidence among `sources` ("confirmed" for none)."""
    rank = min((CONFIDENCE_ORDER.index(s.confidence) for s in sources), default=len(CONFIDENCE_ORDER) - 1)
    return CONFIDENCE_ORDER[rank]


@dataclass(frozen=True)
class Validity:
    """When one version of a series is in force: `effective_from` to `effective_to`, both inclusive."""

    series: str
    effective_from: dt.date
    effective_to: dt.date | None
    source: Source  # the version's own citation and confidence (defaults for its numbers)
    note: str = ""

    @property
    def id(self) -> str:
        return f"{self.series}@{self.effective_from.isoformat()}"

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def covers(self, period: Period) -> bool:
        # A version governs a contribution month when it is in force on the month's last day, so a rule that
        # starts mid-month (PP 6/2025 on 7 Feb 2025) governs that whole month.
        return self.in_force_on(period.last_day)

    def as_dict(self) -> dict[str, str | None]:
        return {
            "id": self.id,
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "citation": self.source.citation,
            "confidence": self.source.confidence,
            "note": self.note or None,
        }
