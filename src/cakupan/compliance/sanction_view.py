"""Which steps a case page offers: those the rule table lets come next (the service checks again)."""

from __future__ import annotations

from cakupan.compliance.models import Case, StepKind
from cakupan.rules.sanctions import sanction_tables


def step_choices(case: Case) -> list[tuple[str, str]]:
    if case.status != Case.Status.OPEN:
        return []
    issued = set(case.steps.values_list("kind", flat=True))
    steps = sanction_tables().steps
    return [
        (kind, str(StepKind(kind).label))
        for kind, rule in steps.items()
        if kind not in issued and all(a in issued for a in rule.after)
    ]
