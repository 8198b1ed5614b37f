"""Contributions (iuran) of every segment: PU, BPU, Jakon and PMI.

`contribution_assess(payload)` is the one entry point of the command line, the API and the pages. A batch
billing run resolves the rules of a period once (`contribution_tables().for_period(period)`), parses its
members with `contribution_input_parse` and calls `contributions_assess_batch` with the same code.
"""

from __future__ import annotations

from typing import Any

from cakupan.rules.contributions.assess import (
    Assessment,
    Flag,
    Line,
    contribution_assess_input,
    contributions_assess_batch,
)
from cakupan.rules.contributions.inputs import ContributionInput, contribution_input_parse
from cakupan.rules.contributions.tables import (
    ContributionTables,
    PeriodRules,
    contribution_tables,
    contribution_tables_load,
    contribution_tables_parse,
)
from cakupan.rules.errors import RuleInputError

__all__ = [
    "Assessment",
    "ContributionInput",
    "ContributionTables",
    "Flag",
    "Line",
    "PeriodRules",
    "contribution_assess",
    "contribution_assess_input",
    "contribution_input_parse",
    "contribution_tables",
    "contribution_tables_load",
    "contribution_tables_parse",
    "contributions_assess_batch",
]


def contribution_assess(
    payload: dict[str, Any], *, tables: ContributionTables | None = None
) -> dict[str, Any]:
    """The contribution due for one request (see docs/rules.md for the fields and the answer).

    Raises RuleInputError with (field, message) pairs for any input it cannot assess.
    """
    inp = contribution_input_parse(payload)
    tables = tables or contribution_tables()
    start = tables.segment_starts()[inp.segment]
    if inp.period.last_day < start:
        raise RuleInputError(
            [("period", f"The {inp.segment} tables start in {start:%Y-%m}; {inp.period} is before them.")]
        )
    return contribution_assess_input(rules=tables.for_period(inp.period), inp=inp).as_dict()
