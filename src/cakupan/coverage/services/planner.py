"""Gap and budget planner: who is uncovered, and what covering them costs a regional budget or a sponsor.

Costs come from the rules core (contribution_assess), month by month, so each month is charged at its own
rates: the PP 50/2025 discount of BPU JKK/JKM applies to sponsor (CSR, donor) and self-paid members, but
not to APBD-funded ones; the calculator knows this from `funding`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from cakupan.core.errors import FieldError, InvalidInput
from cakupan.coverage.forecast import month_index
from cakupan.rules.contributions import contribution_assess
from cakupan.rules.errors import RuleInputError
from cakupan.rules.period import Period

FUNDINGS = ("apbd", "csr", "donor", "self")
SECTORS = ("other", "transport")
PROGRAMS = ["JKK", "JKM"]  # the package regions and sponsors buy for vulnerable workers (Rp16,800)
DEFAULT_INCOME = 1_000_000  # the lowest declared income, the usual sponsored base (rules.md §3)
MAX_MONTHS = 60
MAX_WORKERS = 100_000_000


@dataclass
class Scenario:
    funding: str
    sector: str
    workers: int
    start: str
    months: int
    declared_income: int = DEFAULT_INCOME
    per_month: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    per_worker: int = 0
    discount: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "funding": self.funding,
            "sector": self.sector,
            "workers": self.workers,
            "start": self.start,
            "months": self.months,
            "declared_income": self.declared_income,
            "per_worker": self.per_worker,
            "total": self.total,
            "discount": self.discount,
            "per_month": self.per_month,
        }


def _is_period(value: object) -> bool:
    try:
        Period.parse(str(value))
    except ValueError:
        return False
    return True


def _periods(start: str, months: int) -> list[str]:
    first = month_index(start)
    return [str(Period.from_index(i)) for i in range(first, first + months)]


def planner_cost(
    *,
    workers: int,
    start: str,
    months: int,
    funding: str,
    sector: str = "other",
    declared_income: int = DEFAULT_INCOME,
) -> Scenario:
    """The cost of covering `workers` BPU workers (JKK+JKM) for `months` months from `start`, whole Rupiah.

    Each month's per-worker amount comes from the calculator; the total is per-worker × workers (every
    worker pays the same amount, so multiplying is exact).
    """
    errors: list[FieldError] = []
    if not _is_period(start):
        errors.append(FieldError("start", _("Enter a month as YYYY-MM.")))
    if not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
        errors.append(FieldError("workers", _("Enter a number of workers from 1.")))
    if not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        errors.append(FieldError("months", _("Enter 1 to 60 months.")))
    if funding not in FUNDINGS:
        errors.append(FieldError("funding", _("Choose APBD, CSR, donor or self.")))
    if sector not in SECTORS:
        errors.append(FieldError("sector", _("Choose transport or other.")))
    if errors:
        raise InvalidInput(errors)
    scenario = Scenario(
        funding=funding,
        sector=sector,
        workers=workers,
        start=start,
        months=months,
        declared_income=declared_income,
    )
    for period in _periods(start, months):
        payload = {
            "segment": "BPU",
            "period": period,
            "programs": PROGRAMS,
            "declared_income": declared_income,
            "sector": sector,
            "funding": funding,
        }
        try:
            answer = contribution_assess(payload)
        except RuleInputError as exc:
            raise InvalidInput(
                FieldError("start" if name == "period" else name, message) for name, message in exc.errors
            ) from exc
        amount = int(answer["totals"]["total"])
        discount = sum(int(line["discount"]) for line in answer["lines"])
        scenario.per_month.append({"period": period, "per_worker": amount, "discount_per_worker": discount})
        scenario.per_worker += amount
        scenario.discount += discount * workers
    scenario.total = scenario.per_worker * workers
    return scenario


def planner_compare(
    *,
    workers: int,
    start: str,
    months: int,
    options: list[tuple[str, str]],
    declared_income: int = DEFAULT_INCOME,
) -> list[Scenario]:
    """Scenarios side by side: one per (funding, sector)."""
    return [
        planner_cost(
            workers=workers, start=start, months=months, funding=f, sector=s, declared_income=declared_income
        )
        for f, s in options
    ]
