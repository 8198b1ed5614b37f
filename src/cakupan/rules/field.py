"""The field agents' rule table (rules/tables/field.toml) and the commission it defines; no Django.

A commission is the rate of what the agent collected in the month (rounded down to the Rupiah) plus the
bonus when the agent enrolled at least the threshold of new members that month. The rate and the bonus are
only secondarily sourced [M]: both come from the table with their citation, never from code.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

from cakupan.rules.sourced import Source, Sourced, weakest
from cakupan.rules.tablefile import Entry, RuleTableError, rule_file

DEFAULT_PATH = Path(__file__).resolve().parent / "tables" / "field.toml"
PATH_ENV = "CAKUPAN_FIELD_TABLES"


@dataclass(frozen=True)
class FieldTables:
    rate: Sourced[Decimal]  # percent of what is collected
    bonus: Sourced[int]
    bonus_new_members: Sourced[int]
    early_claim_months: Sourced[int]
    lapse_months: Sourced[int]
    lapse_share: Sourced[Decimal]  # percent
    lapse_min_members: Sourced[int]


def field_tables_parse(data: dict[str, Any]) -> FieldTables:
    if data.get("schema_version") != 1:
        raise RuleTableError("schema_version must be 1")
    unknown = set(data) - {"schema_version", "commission", "anomaly"}
    if unknown:
        raise RuleTableError(f"unknown section(s) {', '.join(sorted(unknown))}")
    for name in ("commission", "anomaly"):
        if name not in data:
            raise RuleTableError(f"missing [{name}]")
    commission = Entry(data["commission"], "commission", None)
    anomaly = Entry(data["anomaly"], "anomaly", None)
    tables = FieldTables(
        rate=commission.percent("rate_percent"),
        bonus=commission.rupiah("bonus"),
        bonus_new_members=commission.count("bonus_new_members"),
        early_claim_months=anomaly.count("early_claim_months"),
        lapse_months=anomaly.count("lapse_months"),
        lapse_share=anomaly.percent("lapse_share_percent"),
        lapse_min_members=anomaly.count("lapse_min_members"),
    )
    commission.finish()
    anomaly.finish()
    return tables


def field_tables() -> FieldTables:
    return rule_file(DEFAULT_PATH, PATH_ENV, field_tables_parse)


@dataclass(frozen=True)
class Commission:
    collected: int
    new_members: int
    fee: int
    bonus: int
    sources: tuple[Source, ...]

    @property
    def total(self) -> int:
        return self.fee + self.bonus

    @property
    def confidence(self) -> str:
        return weakest(self.sources)


def commission_compute(*, collected: int, new_members: int, tables: FieldTables | None = None) -> Commission:
    """One agent's month: the fee on `collected` Rupiah and the bonus for `new_members` enrolments."""
    t = tables or field_tables()
    fee = int((Decimal(collected) * t.rate.value / 100).to_integral_value(rounding=ROUND_FLOOR))
    earned = new_members >= t.bonus_new_members.value
    return Commission(
        collected=collected,
        new_members=new_members,
        fee=fee,
        bonus=t.bonus.value if earned else 0,
        sources=(t.rate.source, t.bonus.source, t.bonus_new_members.source),
    )
