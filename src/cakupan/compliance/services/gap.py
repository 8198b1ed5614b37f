"""Registry figures of matched employers (bulk reads) and the estimated monthly contribution gap.

The gap of a finding is the sum of three parts, each priced with the rules core (contributions_assess_batch)
for a PU worker at the employer's JKK risk class and the programmes its size class must hold (R, from
Perpres 109/2013 Pasal 6 in rules/tables/sanctions.toml), employer and worker shares together:

- workers:    (reported workers − registered active PU members) × c(w, R), where w is the average reported
              wage (reported total wages ÷ reported workers);
- wages:      covered × (c(w, R) − c(r, R)) when r < w, where r is the average registered wage of the
              members and covered = min(registered, reported);
- programmes: Σ over P in R of (members without P) × c(min(r, w), P).

c(wage, P) is the contribution for programme P on that wage for one month; c(wage, R) the sum over R. An
unregistered employer (PWBD) has no risk class in the registry: class 1 (the lowest rate) is used, so the
estimate errs low. The averages hide the spread of wages (the JP cap bites only on high wages); when a worker
list is reported, its missing and under-waged NIKs are listed as evidence, not priced one by one.

The registry figures and the formula itself are computed set-based in SQL (services/findings.py); the
amounts c(…) come only from here, priced once per distinct (period, wage, risk class, programmes).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cakupan.core.errors import InvalidInput
from cakupan.rules.contributions import ContributionInput, contribution_tables, contributions_assess_batch
from cakupan.rules.errors import RuleInputError
from cakupan.rules.period import Period

PROGRAMME_FIELDS = {"JKK": "jkk", "JKM": "jkm", "JHT": "jht", "JP": "jp"}
UNKNOWN_RISK_CLASS = 1


class Pricer:
    """c(wage, programmes) per period, assessed once per distinct (wage, risk class, programmes)."""

    def __init__(self) -> None:
        self.tables = contribution_tables()
        self.cache: dict[tuple[str, int, int, tuple[str, ...]], dict[str, int]] = {}

    def prime(self, period: str, keys: set[tuple[int, int, tuple[str, ...]]]) -> None:
        todo = [k for k in keys if (period, *k) not in self.cache and k[0] > 0]
        if not todo:
            return
        parsed = Period.parse(period)
        rules = self.tables.for_period(parsed)
        inputs = [
            ContributionInput(segment="PU", period=parsed, programs=progs, monthly_wage=wage, risk_class=risk)
            for wage, risk, progs in todo
        ]
        for key, result in zip(todo, contributions_assess_batch(rules=rules, inputs=inputs), strict=True):
            if isinstance(result, RuleInputError):
                raise InvalidInput.single(
                    "period",
                    _("The contribution tables cannot price %(period)s: %(why)s")
                    % {"period": period, "why": "; ".join(m for _f, m in result.errors)},
                )
            self.cache[(period, *key)] = {line.program: line.amount for line in result.lines}

    def price(self, period: str, wage: int, risk: int, programmes: tuple[str, ...]) -> dict[str, int]:
        if wage <= 0 or not programmes:
            return dict.fromkeys(programmes, 0)
        key = (period, wage, risk, programmes)
        if key not in self.cache:
            self.prime(period, {(wage, risk, programmes)})
        return self.cache[key]
