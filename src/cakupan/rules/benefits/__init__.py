"""Benefit calculators (BPJS Ketenagakerjaan), driven by the versioned tables in rules/tables/benefits.toml.

`benefit_compute(payload)` is the one entry point for every interface (`cakupan calc benefit`, the API).
It answers {"eligible", "components": [{"name", "amount", "rule", "confidence"}], "total", "scholarship":
{"eligible", "max_total"}, "reasons", "documents"} plus "benefit", "rule_version", "details" and
"unconfirmed" (every table value used whose confidence is below "confirmed"). Bad input raises
RuleInputError naming the fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cakupan.rules.benefits.answer import Answer
from cakupan.rules.benefits.death import jkm_compute
from cakupan.rules.benefits.inputs import Event, Reader
from cakupan.rules.benefits.job_loss import jkp_compute
from cakupan.rules.benefits.old_age import jht_compute
from cakupan.rules.benefits.pension import jp_compute
from cakupan.rules.benefits.scholarship import scholarship_compute
from cakupan.rules.benefits.tables import BenefitTables, default_tables, load_tables
from cakupan.rules.benefits.work_accident import jkk_compute
from cakupan.rules.errors import RuleInputError

Calculator = Callable[[Reader, BenefitTables, Event], Answer]

CALCULATORS: dict[str, Calculator] = {
    "JKM": jkm_compute,
    "JKK_DEATH": jkk_compute,
    "JKK_TOTAL_DISABILITY": jkk_compute,
    "JKK_PARTIAL_DISABILITY": jkk_compute,
    "JKK_STMB": jkk_compute,
    "JKP": jkp_compute,
    "JP": jp_compute,
    "JHT": jht_compute,
    "SCHOLARSHIP": scholarship_compute,
}
BENEFITS = tuple(CALCULATORS)


def benefit_compute(payload: Mapping[str, Any], *, tables: BenefitTables | None = None) -> dict[str, Any]:
    """Compute one benefit claim. `tables` defaults to the shipped tables (plus the deployment override)."""
    if not isinstance(payload, Mapping):
        raise RuleInputError([("payload", "Expected a JSON object.")])
    reader = Reader(payload)
    benefit = reader.choice("benefit", BENEFITS, required=True)
    event_date = reader.date("event_date", required=True)
    start = reader.date("membership_start", required=True)
    if event_date is not None and start is not None and event_date < start:
        reader.error("event_date", "The event cannot be before the membership started.")
    reader.check()
    assert benefit is not None
    assert event_date is not None
    assert start is not None
    event = Event(benefit=benefit, event_date=event_date, membership_start=start)
    return CALCULATORS[benefit](reader, tables or default_tables(), event).as_dict()


__all__ = ["BENEFITS", "BenefitTables", "benefit_compute", "default_tables", "load_tables"]
