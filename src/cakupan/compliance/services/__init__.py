"""Compliance services: the writes of the compliance app (reads are in compliance.selectors)."""

from cakupan.compliance.services.cases import (
    case_open,
    case_step_issue,
    cases_close_by_run,
    compliance_remind,
    fine_amount,
)
from cakupan.compliance.services.imports import report_import, review_decide
from cakupan.compliance.services.matching import compliance_match_run, name_key

__all__ = [
    "case_open",
    "case_step_issue",
    "cases_close_by_run",
    "compliance_match_run",
    "compliance_remind",
    "fine_amount",
    "name_key",
    "report_import",
    "review_decide",
]
