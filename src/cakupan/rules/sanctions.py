"""The compliance rule table (rules/tables/sanctions.toml) as a typed, validated object.

Kept in the rules core with the other tables (no Django); the compliance app's findings, cases and letters
read it. Counting working days is the compliance app's (compliance/working_days.py).

Every value carries its citation and confidence (rules/sourced.py). The fine rate is only secondarily
sourced [M]; the order of steps after the second warning is practice [B]: both are data, not code.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from cakupan.rules.sourced import Source, Sourced
from cakupan.rules.tablefile import Entry, RuleTableError, rule_file

DEFAULT_PATH = Path(__file__).resolve().parent / "tables" / "sanctions.toml"
PATH_ENV = "CAKUPAN_SANCTION_TABLES"
SIZE_CLASSES = ("besar", "menengah", "kecil", "mikro")
PROGRAMMES = ("JKK", "JKM", "JHT", "JP", "JKP")
STEP_KINDS = ("warning_1", "warning_2", "fine", "tmp2t", "inspector", "attorney")
SECTIONS = ("mandatory_programmes", "warning", "fine", "tmp2t", "referral", "steps")


@dataclass(frozen=True)
class StepRule:
    after: tuple[str, ...]
    after_deadline: bool
    source: Source


@dataclass(frozen=True)
class SanctionTables:
    mandatory: dict[str, Sourced[tuple[str, ...]]]
    warning_count: Sourced[int]
    warning_working_days: Sourced[int]
    fine_rate: Sourced[Decimal]  # percent per month
    fine_max_days: Sourced[int]
    tmp2t_employer: Sourced[tuple[str, ...]]
    tmp2t_individual: Sourced[tuple[str, ...]]
    tmp2t_imposed_by: Sourced[str]
    tmp2t_rule: Sourced[str]
    referral: dict[str, Sourced[str]]
    steps: dict[str, StepRule]


def _section(data: dict[str, Any], name: str) -> Entry:
    if name not in data:
        raise RuleTableError(f"missing [{name}]")
    return Entry(data[name], name, None)  # no default source: every value carries its own


def _step(steps: Entry, kind: str) -> StepRule:
    rule, source = steps.sourced_table(kind)
    if not isinstance(rule.raw.get("after"), list):
        raise RuleTableError(f"{rule.where}.after: `after` must list step kinds")
    after = rule.words("after", STEP_KINDS) if rule.raw["after"] else ()
    rule.skip(frozenset({"after"}))
    deadline = rule.raw.get("after_deadline", False)
    if not isinstance(deadline, bool):
        raise RuleTableError(f"{rule.where}.after_deadline: true or false")
    rule.skip(frozenset({"after_deadline"}))
    rule.finish()
    return StepRule(after, deadline, source)


def sanction_tables_parse(data: dict[str, Any]) -> SanctionTables:
    """Check and type the table with the shared reader (rules/tablefile.py): every value { value, citation,
    confidence }, rates as strings, no unknown section or key."""
    if data.get("schema_version") != 1:
        raise RuleTableError("schema_version must be 1")
    unknown = set(data) - {"schema_version", *SECTIONS}
    if unknown:
        raise RuleTableError(f"unknown section(s) {', '.join(sorted(unknown))}")
    mandatory = _section(data, "mandatory_programmes")
    warning, fine, tmp2t = _section(data, "warning"), _section(data, "fine"), _section(data, "tmp2t")
    referral, steps = _section(data, "referral"), _section(data, "steps")
    tables = SanctionTables(
        mandatory={size: mandatory.sourced_words(size, PROGRAMMES) for size in SIZE_CLASSES},
        warning_count=warning.count("count"),
        warning_working_days=warning.count("working_days"),
        fine_rate=fine.percent("rate_percent_per_month"),
        fine_max_days=fine.count("max_days_after_second_warning"),
        tmp2t_employer=tmp2t.sourced_words("employer_services"),
        tmp2t_individual=tmp2t.sourced_words("individual_services"),
        tmp2t_imposed_by=tmp2t.free_text("imposed_by"),
        tmp2t_rule=tmp2t.free_text("implementing_rule"),
        referral={k: referral.free_text(k) for k in ("inspector", "attorney")},
        steps={kind: _step(steps, kind) for kind in STEP_KINDS},
    )
    for section in (mandatory, warning, fine, tmp2t, referral, steps):
        section.finish()
    return tables


def sanction_tables() -> SanctionTables:
    return rule_file(DEFAULT_PATH, PATH_ENV, sanction_tables_parse)
