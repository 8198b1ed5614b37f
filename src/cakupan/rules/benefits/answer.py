"""The answer every benefit calculator builds: components with their rule and confidence, and the flags."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cakupan.rules.benefits.tables import BenefitTables, Cited, Version, weakest

SCHOLARSHIP = "scholarship"
# An effective date known only roughly matters for events within a month of it.
BOUNDARY_DOUBT_DAYS = 31


@dataclass
class Answer:
    benefit: str
    rule_version: str | None = None
    eligible: bool = True
    components: list[dict[str, Any]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    scholarship: dict[str, Any] = field(default_factory=lambda: {"eligible": False, "max_total": 0})
    details: dict[str, Any] = field(default_factory=dict)
    used: dict[str, Cited] = field(default_factory=dict)

    def use(self, cited: Cited) -> Any:
        """Record that the answer depends on this table value (so a non-confirmed one is flagged)."""
        self.used[cited.key] = cited
        return cited.value

    def follow(self, tables: BenefitTables, version: Version, on: dt.date) -> None:
        """Answer under `version`; flag an uncertain effective date when the event falls near it."""
        self.rule_version = version.name
        for other in tables.versions(version.family):
            near = abs((on - other.valid_from).days) <= BOUNDARY_DOUBT_DAYS
            if other.valid_from_confidence != "C" and near:
                self.use(
                    Cited(
                        f"{other.family}[{other.name}].valid_from",
                        other.valid_from.isoformat(),
                        other.valid_from_confidence,
                        f"Day {other.name} took effect; not re-verified, and this event is close to it",
                    )
                )

    def add(self, name: str, amount: int, *, rule: str, cited: Sequence[Cited], **extra: Any) -> None:
        for item in cited:
            self.use(item)
        confidence = weakest(item.confidence for item in cited)
        self.components.append(
            {"name": name, "amount": amount, "rule": rule, "confidence": confidence, **extra}
        )

    def refuse(self, reason: str) -> None:
        self.eligible = False
        self.reasons.append(reason)

    def attach_documents(self, tables: BenefitTables, key: str) -> None:
        items, cited = tables.documents(key)
        self.use(cited)
        self.documents.extend(item for item in items if item not in self.documents)

    def as_dict(self) -> dict[str, Any]:
        components = self.components if self.eligible else []
        unconfirmed = [c.as_dict() for c in self.used.values() if c.confidence != "C"]
        return {
            "benefit": self.benefit,
            "rule_version": self.rule_version,
            "eligible": self.eligible,
            "components": components,
            # The cash total: scholarships are paid yearly and reported on their own.
            "total": sum(c["amount"] for c in components if c["name"] != SCHOLARSHIP),
            "scholarship": self.scholarship,
            "reasons": self.reasons,
            "documents": self.documents,
            "details": self.details,
            "unconfirmed": unconfirmed,
        }
