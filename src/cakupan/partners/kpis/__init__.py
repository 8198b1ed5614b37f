"""The KPI catalogue: what an agreement's KPI may measure, each a definition the product can compute.

A definition has a key, a translated label, a unit (percent or count) and a compute function over a batch:
`compute(kpis, period) -> {kpi.pk: Measure}`, a constant number of queries for all the agreement KPIs of
its kind (agreement_kpis_compute calls it once per kind and month). Another app adds its own with
`register_kpi(definition)` from its AppConfig.ready; `per_kpi(fn)` adapts a function of one KPI,
`(agreement_kpi, period) -> value`, to the batch form (a query or so per KPI: for small catalogues).

The built-in definitions live in `catalogue`; "event_conversions" is registered as a placeholder until the
outreach app registers the real one (see docs/design.md, "Agreements and KPIs").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

from cakupan.rules.period import Period

if TYPE_CHECKING:
    from cakupan.partners.models import AgreementKpi


class Unit(StrEnum):
    PERCENT = "percent"
    COUNT = "count"


@dataclass(frozen=True)
class Measure:
    """A computed value: a count, or a rate as numerator/denominator (value in percent, one decimal)."""

    value: Decimal
    numerator: int | None = None
    denominator: int | None = None

    @classmethod
    def count(cls, n: int) -> Measure:
        return cls(Decimal(n), numerator=n)

    @classmethod
    def rate(cls, numerator: int, denominator: int) -> Measure | None:
        if not denominator:
            return None  # no denominator this month: no value rather than a made-up 0 %
        value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        return cls(value, numerator=numerator, denominator=denominator)


Batch = Callable[[Sequence["AgreementKpi"], Period], dict[int, Measure]]


@dataclass(frozen=True)
class KpiDefinition:
    key: str
    label: Promise | str
    unit: Unit
    compute: Batch
    # Which of the KPI's parameters the definition reads ("region", "sector", "segment", "sponsor").
    parameters: tuple[str, ...] = ("region",)
    placeholder: bool = False  # registered so agreements may name it; another app computes it


_REGISTRY: dict[str, KpiDefinition] = {}


def register_kpi(definition: KpiDefinition) -> None:
    """Add a definition; a key may be registered twice only to replace a placeholder."""
    existing = _REGISTRY.get(definition.key)
    if existing is not None and not existing.placeholder:
        raise ValueError(f"KPI {definition.key!r} is registered already")
    _REGISTRY[definition.key] = definition


def definitions() -> dict[str, KpiDefinition]:
    from cakupan.partners.kpis import catalogue  # noqa: F401  (registers the built-in definitions)

    return dict(_REGISTRY)


def definition(key: str) -> KpiDefinition | None:
    return definitions().get(key)


def per_kpi(fn: Callable[[AgreementKpi, Period], Any]) -> Batch:
    """A batch compute from a function of one KPI returning an int (a count), a Measure, or None."""

    def batch(kpis: Sequence[AgreementKpi], period: Period) -> dict[int, Measure]:
        out: dict[int, Measure] = {}
        for kpi in kpis:
            value = fn(kpi, period)
            if isinstance(value, Measure):
                out[kpi.pk] = value
            elif value is not None:
                out[kpi.pk] = Measure.count(int(value))
        return out

    return batch


def value_of(agreement_kpi: AgreementKpi, period: Period) -> Measure | None:
    """One KPI's value for one month: `(agreement_kpi, period) -> value`, through its batch."""
    found = definition(agreement_kpi.key)
    if found is None:
        return None
    return found.compute([agreement_kpi], period).get(agreement_kpi.pk)
