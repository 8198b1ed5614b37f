"""What outreach gives the agreements' KPIs (issue 16, point 2: "event conversions"): a plain function of
regions and a window, and the batch definition registered in the agreements' catalogue at start-up
(`OutreachConfig.ready`), so `partners.kpis` needs not know the outreach models."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.db.models.functions import Substr

from cakupan.outreach.models import SignUp
from cakupan.partners.kpis import Measure
from cakupan.rules.period import Period

if TYPE_CHECKING:
    from cakupan.partners.models import AgreementKpi


def event_conversions(*, region_codes: Iterable[str], start: dt.date, end: dt.date) -> int:
    """Memberships produced by sign-ups at events held from `start` to `end` (both included) in the given
    regions or below them (a regency's code takes its districts and villages)."""
    where = Q(pk__in=[])
    for code in region_codes:
        where |= Q(event__region_id=code) | Q(event__region__code__startswith=f"{code}.")
    return SignUp.objects.filter(
        where, membership__isnull=False, event__date__gte=start, event__date__lte=end
    ).count()


def conversions_batch(kpis: Sequence[AgreementKpi], period: Period) -> dict[int, Measure]:
    """Each KPI's event conversions: memberships from sign-ups at events held in its regency from the day its
    agreement took effect to the month's end. One query for every KPI: conversions counted per regency and
    event day, summed per KPI over its window."""
    codes = {kpi.region_code for kpi in kpis}
    start = min((kpi.agreement.valid_from for kpi in kpis), default=period.first_day)
    rows = (
        SignUp.objects.filter(
            membership__isnull=False, event__date__gte=start, event__date__lte=period.last_day
        )
        .annotate(regency=Substr("event__region_id", 1, 5))
        .filter(regency__in=codes)
        .values("regency", "event__date")
        .annotate(n=Count("id"))
    )
    by_regency: dict[str, list[tuple[dt.date, int]]] = {}
    for row in rows:
        by_regency.setdefault(row["regency"], []).append((row["event__date"], row["n"]))
    return {
        kpi.pk: Measure.count(
            sum(n for day, n in by_regency.get(kpi.region_code, []) if day >= kpi.agreement.valid_from)
        )
        for kpi in kpis
    }
