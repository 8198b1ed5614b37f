"""The eligibility table (rules/tables/eligibility.toml), read with the shared rule-table loader (tablefile).

Kept in the rules core with the other tables (no Django); the benefits app's eligibility checks read it.

Versions are chosen by the event's day (not its month): PP 6/2025 took effect on 7 Feb 2025, mid-month.
A deployment may point CAKUPAN_ELIGIBILITY_TABLES at its own copy of the file to configure the
unconfirmed values (same format; the whole file is replaced, so every number keeps its citation).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cakupan.rules.sourced import Sourced, Validity
from cakupan.rules.tablefile import Entry, RuleTableError, Series, read_series, rule_file

TABLE_PATH = Path(__file__).resolve().parent / "tables" / "eligibility.toml"
OVERRIDE_ENV = "CAKUPAN_ELIGIBILITY_TABLES"
PROGRAMMES = ("JKK", "JKM", "JHT", "JP", "JKP")
SIZE_CLASSES = ("besar", "menengah", "kecil", "mikro")
# How a job ended (for JKP and the JHT claim reason). "dismissal": PHK by the employer (including a
# fixed-term contract ended early); the others are the exclusions the table may list.
END_REASONS = (
    "dismissal",
    "contract_terminated_early",
    "resignation",
    "contract_end",
    "total_disability",
    "retirement",
    "death",
)


@dataclass(frozen=True)
class JkpContributions:
    validity: Validity
    window_months: Sourced[int]
    min_paid_months: Sourced[int]
    min_consecutive_months: Sourced[int]


@dataclass(frozen=True)
class JkpProgrammes:
    validity: Validity
    by_size: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class JkpReasons:
    validity: Validity
    excluded: tuple[str, ...]


def _contributions(entry: Entry, validity: Validity) -> JkpContributions:
    return JkpContributions(
        validity,
        entry.count("window_months"),
        entry.count("min_paid_months"),
        entry.count("min_consecutive_months"),
    )


def _programmes(entry: Entry, validity: Validity) -> JkpProgrammes:
    return JkpProgrammes(validity, {size: entry.words(size, PROGRAMMES) for size in SIZE_CLASSES})


def _reasons(entry: Entry, validity: Validity) -> JkpReasons:
    return JkpReasons(validity, entry.words("excluded", END_REASONS))


@dataclass(frozen=True)
class EligibilityTables:
    jkp_contributions: Series[JkpContributions]
    jkp_programmes: Series[JkpProgrammes]
    jkp_reasons: Series[JkpReasons]


def on_day(series: Series[Any], day: dt.date) -> Any:
    """The version in force on `day`, or None before the first."""
    for version in series.versions:
        if version.validity.in_force_on(day):
            return version
    return None


def eligibility_tables_parse(raw: dict[str, Any]) -> EligibilityTables:
    unknown = set(raw) - {"jkp_contributions", "jkp_programmes", "jkp_reasons"}
    if unknown:
        raise RuleTableError(f"eligibility: unknown series {', '.join(sorted(unknown))}")
    return EligibilityTables(
        read_series("jkp_contributions", raw.get("jkp_contributions"), _contributions),
        read_series("jkp_programmes", raw.get("jkp_programmes"), _programmes),
        read_series("jkp_reasons", raw.get("jkp_reasons"), _reasons),
    )


def eligibility_tables() -> EligibilityTables:
    return rule_file(TABLE_PATH, OVERRIDE_ENV, eligibility_tables_parse)
