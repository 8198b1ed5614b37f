"""The monthly KPI values of every agreement in force: `agreement_kpis_compute(period)`.

Set-based: one read of the KPIs concerned, each definition's batch once (its own constant number of
queries), one delete and one insert of the month's values; the count of queries does not grow with the
number of agreements. Rerunning a month replaces its values (the data behind them may have been corrected).

Status: a KPI is *reached* when its value is at the target, *on track* when it is at or past the straight
path from the baseline (at the agreement's start) to the target (at its end), *behind* otherwise. A KPI
whose target lies below its baseline (fewer uncovered, say) reads the other way round.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import SYSTEM, Perm, require
from cakupan.core.audit import audit_record
from cakupan.core.errors import InvalidInput
from cakupan.partners.kpis import definitions
from cakupan.partners.models import AgreementKpi, AgreementStatus, KpiStatus, KpiValue
from cakupan.rules.period import Period

ONE_DECIMAL = Decimal("0.1")


def month_parse(value: Any, field: str = "period") -> Period:
    try:
        return Period.parse(str(value or "").strip())
    except ValueError:
        raise InvalidInput.single(field, _("Enter a month as YYYY-MM.")) from None


def path_fraction(valid_from: dt.date, valid_to: dt.date, period: Period) -> Decimal:
    """How far along its validity the agreement is at the end of the month, 0 to 1."""
    total = (valid_to - valid_from).days
    done = (min(period.last_day, valid_to) - valid_from).days
    if total <= 0:
        return Decimal(1)
    return max(Decimal(0), min(Decimal(1), Decimal(done) / Decimal(total)))


def expected_on_path(baseline: Decimal, target: Decimal, fraction: Decimal) -> Decimal:
    return (baseline + (target - baseline) * fraction).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def kpi_status(value: Decimal, *, baseline: Decimal, target: Decimal, expected: Decimal) -> str:
    rising = target >= baseline
    if (value >= target) if rising else (value <= target):
        return KpiStatus.REACHED
    if (value >= expected) if rising else (value <= expected):
        return KpiStatus.ON_TRACK
    return KpiStatus.BEHIND


def kpis_in_force(period: Period) -> Any:
    """The KPIs of signed agreements whose validity meets the month (a draft measures nothing yet)."""
    return (
        AgreementKpi.objects.select_related("agreement")
        .exclude(agreement__status=AgreementStatus.DRAFT)
        .filter(Q(agreement__valid_from__lte=period.last_day), Q(agreement__valid_to__gte=period.first_day))
        .order_by("pk")
    )


@transaction.atomic
def agreement_kpis_compute(*, actor: Any = SYSTEM, period: Any) -> dict[str, Any]:
    """Compute and store the month's value of every KPI in force; returns counts per definition."""
    require(actor, Perm.AGREEMENT_JOBS)
    month = month_parse(period)
    by_key: dict[str, list[AgreementKpi]] = defaultdict(list)
    for kpi in kpis_in_force(month):
        by_key[kpi.key].append(kpi)
    catalogue = definitions()
    values: list[KpiValue] = []
    counts: dict[str, int] = {}
    for key, kpis in sorted(by_key.items()):
        found = catalogue.get(key)
        if found is None or found.placeholder:
            counts[key] = 0
            continue
        measures = found.compute(kpis, month)
        counts[key] = len(measures)
        for kpi in kpis:
            measure = measures.get(kpi.pk)
            if measure is None:
                continue
            fraction = path_fraction(kpi.agreement.valid_from, kpi.agreement.valid_to, month)
            expected = expected_on_path(kpi.baseline, kpi.target, fraction)
            values.append(
                KpiValue(
                    agreement_kpi=kpi,
                    period=str(month),
                    value=measure.value,
                    numerator=measure.numerator,
                    denominator=measure.denominator,
                    expected=expected,
                    status=kpi_status(
                        measure.value, baseline=kpi.baseline, target=kpi.target, expected=expected
                    ),
                )
            )
    ids = [kpi.pk for kpis in by_key.values() for kpi in kpis]
    KpiValue.objects.filter(agreement_kpi_id__in=ids, period=str(month)).delete()
    KpiValue.objects.bulk_create(values)
    audit_record(
        actor=actor,
        action="kpi_compute",
        entity="partners.kpivalue",
        entity_id=str(month),
        changes={"period": str(month), "values": len(values), "by_kpi": counts},
    )
    return {"period": str(month), "values": len(values), "by_kpi": counts}
