"""The compliance rule table (rules/tables/sanctions.toml) as a typed, validated object.

Kept in the rules core with the other tables (no Django); the compliance app's findings, cases and letters
read it. Counting working days is the compliance app's (compliance/working_days.py).

Every value carries its citation and confidence (rules/sourced.py). The fine rate is only secondarily
sourced [M]; the order of steps after the second warning is practice [B]: both are data, not code.
"""

from __future__ import annotations

import functools
import os
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from cakupan.rules.sourced import CONFIDENCE_ORDER, CONFIDENCE_TAGS, Source, Sourced
from cakupan.rules.tablefile import RuleTableError

DEFAULT_PATH = Path(__file__).resolve().parent / "tables" / "sanctions.toml"
PATH_ENV = "CAKUPAN_SANCTION_TABLES"
SIZE_CLASSES = ("besar", "menengah", "kecil", "mikro")
PROGRAMMES = ("JKK", "JKM", "JHT", "JP", "JKP")
STEP_KINDS = ("warning_1", "warning_2", "fine", "tmp2t", "inspector", "attorney")


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


def _sourced(section: dict[str, Any], key: str, where: str) -> tuple[Any, Source]:
    raw = section.get(key)
    if not isinstance(raw, dict) or set(raw) != {"value", "citation", "confidence"}:
        raise RuleTableError(f"{where}.{key}: expected {{ value, citation, confidence }}")
    confidence = CONFIDENCE_TAGS.get(raw["confidence"], raw["confidence"])
    if confidence not in CONFIDENCE_ORDER:
        raise RuleTableError(f"{where}.{key}: unknown confidence {raw['confidence']!r}")
    if not isinstance(raw["citation"], str) or not raw["citation"].strip():
        raise RuleTableError(f"{where}.{key}: every value needs a citation")
    return raw["value"], Source(raw["citation"].strip(), confidence)


def _section(data: dict[str, Any], name: str) -> dict[str, Any]:
    section = data.get(name)
    if not isinstance(section, dict):
        raise RuleTableError(f"missing [{name}]")
    return section


def _int(section: dict[str, Any], key: str, where: str) -> Sourced[int]:
    value, source = _sourced(section, key, where)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RuleTableError(f"{where}.{key}: expected a whole number ≥ 0")
    return Sourced(value, source)


def _words(
    section: dict[str, Any], key: str, where: str, choices: tuple[str, ...] = ()
) -> Sourced[tuple[str, ...]]:
    value, source = _sourced(section, key, where)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleTableError(f"{where}.{key}: expected a list of text")
    if choices and any(v not in choices for v in value):
        raise RuleTableError(f"{where}.{key}: each must be one of {', '.join(choices)}")
    return Sourced(tuple(value), source)


def _text(section: dict[str, Any], key: str, where: str) -> Sourced[str]:
    value, source = _sourced(section, key, where)
    if not isinstance(value, str):
        raise RuleTableError(f"{where}.{key}: expected text")
    return Sourced(value, source)


def sanction_tables_parse(data: dict[str, Any]) -> SanctionTables:
    if data.get("schema_version") != 1:
        raise RuleTableError("schema_version must be 1")
    mandatory_raw = _section(data, "mandatory_programmes")
    mandatory = {s: _words(mandatory_raw, s, "mandatory_programmes", PROGRAMMES) for s in SIZE_CLASSES}
    warning, fine, tmp2t = _section(data, "warning"), _section(data, "fine"), _section(data, "tmp2t")
    rate_raw, rate_source = _sourced(fine, "rate_percent_per_month", "fine")
    try:
        rate = Decimal(rate_raw) if isinstance(rate_raw, str) else None
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or not 0 <= rate <= 100:
        raise RuleTableError('fine.rate_percent_per_month: write a percentage as a string, e.g. "0.1"')
    referral = _section(data, "referral")
    steps_raw = _section(data, "steps")
    steps: dict[str, StepRule] = {}
    for kind in STEP_KINDS:
        value, source = _sourced(steps_raw, kind, "steps")
        after = value.get("after") if isinstance(value, dict) else None
        if not isinstance(after, list) or any(a not in STEP_KINDS for a in after):
            raise RuleTableError(f"steps.{kind}: `after` must list step kinds")
        steps[kind] = StepRule(tuple(after), bool(value.get("after_deadline")), source)
    return SanctionTables(
        mandatory=mandatory,
        warning_count=_int(warning, "count", "warning"),
        warning_working_days=_int(warning, "working_days", "warning"),
        fine_rate=Sourced(rate, rate_source),
        fine_max_days=_int(fine, "max_days_after_second_warning", "fine"),
        tmp2t_employer=_words(tmp2t, "employer_services", "tmp2t"),
        tmp2t_individual=_words(tmp2t, "individual_services", "tmp2t"),
        tmp2t_imposed_by=_text(tmp2t, "imposed_by", "tmp2t"),
        tmp2t_rule=_text(tmp2t, "implementing_rule", "tmp2t"),
        referral={k: _text(referral, k, "referral") for k in ("inspector", "attorney")},
        steps=steps,
    )


@functools.lru_cache(maxsize=4)
def _cached(path: str) -> SanctionTables:
    with open(path, "rb") as handle:
        return sanction_tables_parse(tomllib.load(handle))


def sanction_tables() -> SanctionTables:
    return _cached(os.environ.get(PATH_ENV) or str(DEFAULT_PATH))
