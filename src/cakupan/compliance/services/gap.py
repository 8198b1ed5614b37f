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
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils.translation import gettext_lazy as _

from cakupan.compliance.services._common import chunks
from cakupan.core.errors import InvalidInput
from cakupan.registry.models import Employment, Membership
from cakupan.rules.contributions import ContributionInput, contribution_tables, contributions_assess_batch
from cakupan.rules.errors import RuleInputError
from cakupan.rules.period import Period

PROGRAMME_FIELDS = {"JKK": "jkk", "JKM": "jkm", "JHT": "jht", "JP": "jp"}
UNKNOWN_RISK_CLASS = 1


@dataclass
class Registered:
    members: int = 0
    wages: int = 0
    with_programme: dict[str, int] = field(default_factory=dict)
    niks: dict[str, int] = field(default_factory=dict)  # active member's NIK -> open employment wage


def _active(ids: Iterable[int]) -> Q:
    return Q(employer_id__in=list(ids), status=Membership.Status.ACTIVE, segment="PU")


def registry_figures(employer_ids: list[int], *, with_niks: set[int]) -> dict[int, Registered]:
    """Active PU members, their programmes and wages per employer: a few grouped queries per 5,000 employers,
    never one per employer. NIKs only for the employers whose report lists its workers."""
    out: dict[int, Registered] = {}
    counts = {p: Count("id", filter=Q(**{f: True})) for p, f in PROGRAMME_FIELDS.items()}
    for part in chunks(employer_ids):
        rows: Any = (
            Membership.objects.filter(_active(part)).values("employer_id").annotate(n=Count("id"), **counts)
        )
        for row in rows.order_by():
            out[row["employer_id"]] = Registered(
                members=row["n"], with_programme={p: row[p] for p in PROGRAMME_FIELDS}
            )
        member = Membership.objects.filter(
            employer_id=OuterRef("employer_id"),
            person_id=OuterRef("person_id"),
            status=Membership.Status.ACTIVE,
            segment="PU",
        )
        open_jobs = Employment.objects.filter(employer_id__in=part, end_date__isnull=True).filter(
            Exists(member)
        )
        wages: Any = open_jobs.values("employer_id").annotate(w=Sum(F("basic_wage") + F("fixed_allowance")))
        for row in wages.order_by():
            out.setdefault(row["employer_id"], Registered()).wages = row["w"] or 0
        listed = [i for i in part if i in with_niks]
        if listed:
            for job in open_jobs.filter(employer_id__in=listed).values(
                "employer_id", "person__nik", "basic_wage", "fixed_allowance"
            ):
                figures = out.setdefault(job["employer_id"], Registered())
                figures.niks[job["person__nik"]] = job["basic_wage"] + job["fixed_allowance"]
    return out


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
