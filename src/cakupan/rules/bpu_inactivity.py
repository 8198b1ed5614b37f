"""When an unpaid self-paying (BPU) member becomes non-active (rules/tables/bpu_inactivity.toml).

No regulation was found; a secondary source says three unpaid months (rules.md §12.2, confidence M). The
number is therefore configurable (CAKUPAN_BPU_INACTIVITY_TABLES points at a deployment's own copy) and its
confidence travels with it, so the pages that use it can say it is unconfirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cakupan.rules.period import Period
from cakupan.rules.sourced import Sourced, Validity
from cakupan.rules.tablefile import Entry, RuleTableError, Series, read_series, rule_file

TABLE_PATH = Path(__file__).resolve().parent / "tables" / "bpu_inactivity.toml"
OVERRIDE_ENV = "CAKUPAN_BPU_INACTIVITY_TABLES"


@dataclass(frozen=True)
class BpuInactivity:
    validity: Validity
    unpaid_months: Sourced[int]

    @property
    def confirmed(self) -> bool:
        return self.unpaid_months.source.confidence == "confirmed"


def _build(entry: Entry, validity: Validity) -> BpuInactivity:
    return BpuInactivity(validity, entry.count("unpaid_months", maximum=60))


def bpu_inactivity_parse(raw: dict[str, Any]) -> Series[BpuInactivity]:
    unknown = set(raw) - {"bpu_inactivity"}
    if unknown:
        raise RuleTableError(f"bpu_inactivity: unknown series {', '.join(sorted(unknown))}")
    series = read_series("bpu_inactivity", raw.get("bpu_inactivity"), _build)
    for version in series.versions:
        if version.unpaid_months.value < 1:
            raise RuleTableError("bpu_inactivity: unpaid_months must be at least 1")
    return series


def bpu_inactivity(period: Period) -> BpuInactivity:
    """The rule in force for contribution month `period` (the first version before it starts)."""
    series = rule_file(TABLE_PATH, OVERRIDE_ENV, bpu_inactivity_parse)
    return series.in_force(period) or series.versions[0]
