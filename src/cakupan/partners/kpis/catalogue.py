"""The built-in KPI definitions: each reads its data for every agreement KPI of its kind at once (one or
two queries per month, whatever the number of agreements), keyed by regency, segment or sponsor.

Counting rules are those of the data they read: coverage rates from the coverage snapshots (active members
of a regency over the BPS workforce, coverage/services/snapshots.py and workforce.py); members counted
where they work, else where they live, as the snapshot counts them; health workers as the health-agency
view counts them (coverage/health.py: staff reported by the health facilities, covered when they hold an
active membership with that facility).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, When
from django.utils.translation import gettext_lazy as _

from cakupan.compliance.models import Case as ComplianceCase
from cakupan.coverage.models import CoverageSnapshot, WorkforceStat
from cakupan.coverage.services.workforce import denominator_config, denominator_of
from cakupan.partners.kpis import KpiDefinition, Measure, Unit, register_kpi
from cakupan.partners.models import AgreementKpi
from cakupan.registry.models import Employment, Membership
from cakupan.rules.period import Period

COVERAGE_RATE = "coverage_rate"
NEW_MEMBERS = "new_members"
HEALTH_WORKERS = "health_workers_covered"
CASES_CLOSED = "employers_followed_up"
SPONSORED_COHORT = "sponsored_cohort"
EVENT_CONVERSIONS = "event_conversions"


def _codes(kpis: Sequence[AgreementKpi]) -> set[str]:
    return {kpi.region_code for kpi in kpis}


def _active_on(day: dt.date) -> QuerySet[Membership]:
    """Memberships active on `day` (coverage/health.py's rule: status active, started, not ended)."""
    return Membership.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day), status=Membership.Status.ACTIVE, start_date__lte=day
    )


def coverage_rate(kpis: Sequence[AgreementKpi], period: Period) -> dict[int, Measure]:
    """Active members of the regency (within the KPI's segment and sector, if named) over its workforce
    (the configured denominator; a sector's own workforce where BPS gives one). Two queries."""
    codes = _codes(kpis)
    month = str(period)
    active: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for region, segment, sector, n in CoverageSnapshot.objects.filter(
        period=month, level=2, region_id__in=codes
    ).values_list("region_id", "segment", "sector", "active"):
        active[region].append((segment, sector, n))
    latest: dict[str, WorkforceStat] = {}
    stats = WorkforceStat.objects.filter(region_id__in=codes).filter(
        Q(year__lt=period.year) | Q(year=period.year, survey_month__lte=period.month)
    )
    for row in stats.order_by("year", "survey_month"):
        latest[str(row.region_id)] = row  # ascending: the latest round at or before the month wins
    config = denominator_config()
    out: dict[int, Measure] = {}
    for kpi in kpis:
        stat = latest.get(kpi.region_code)
        if stat is None or kpi.region_code not in active:
            continue
        members = sum(
            n
            for segment, sector, n in active[kpi.region_code]
            if (not kpi.segment or segment == kpi.segment) and (not kpi.sector or sector == kpi.sector)
        )
        workforce = denominator_of(stat, config)
        if kpi.sector and isinstance(stat.sectors, dict) and stat.sectors.get(kpi.sector):
            workforce = int(stat.sectors[kpi.sector])
        measure = Measure.rate(members, workforce)
        if measure is not None:
            out[kpi.pk] = measure
    return out


def _regency_of_membership() -> Case:
    """Where a membership counts: its employer's regency, else its person's (the snapshot's rule)."""
    return Case(
        When(employer_regency="", then=F("person_regency")),
        default=F("employer_regency"),
        output_field=CharField(),
    )


def new_members(kpis: Sequence[AgreementKpi], period: Period) -> dict[int, Measure]:
    """Memberships started in the month in the regency (of the KPI's segment, if named). One query."""
    rows = (
        Membership.objects.filter(start_date__gte=period.first_day, start_date__lte=period.last_day)
        .annotate(regency=_regency_of_membership())
        .filter(regency__in=_codes(kpis))
        .values("regency", "segment")
        .annotate(n=Count("id"))
    )
    counts: dict[tuple[str, str], int] = {(r["regency"], r["segment"]): r["n"] for r in rows}
    out: dict[int, Measure] = {}
    for kpi in kpis:
        n = sum(v for (regency, segment), v in counts.items() if regency == kpi.region_code)
        if kpi.segment:
            n = counts.get((kpi.region_code, kpi.segment), 0)
        out[kpi.pk] = Measure.count(n)
    return out


def health_workers(kpis: Sequence[AgreementKpi], period: Period) -> dict[int, Measure]:
    """Health workers reported by the regency's health facilities (open jobs on the month's last day) and
    how many of them hold an active membership with that facility. One query."""
    day = period.last_day
    active = _active_on(day)
    rows = (
        Employment.objects.filter(employer_regency__in=_codes(kpis), start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .exclude(employer__facility_type="")
        .annotate(
            is_covered=Exists(
                active.filter(person_id=OuterRef("person_id"), employer_id=OuterRef("employer_id"))
            )
        )
        .values("employer_regency")
        .annotate(reported=Count("id"), covered=Count("id", filter=Q(is_covered=True)))
    )
    found = {r["employer_regency"]: (r["covered"], r["reported"]) for r in rows}
    out: dict[int, Measure] = {}
    for kpi in kpis:
        covered, reported = found.get(kpi.region_code, (0, 0))
        measure = Measure.rate(covered, reported)
        if measure is not None:
            out[kpi.pk] = measure
    return out


def cases_closed(kpis: Sequence[AgreementKpi], period: Period) -> dict[int, Measure]:
    """Employers registering nobody or only part of their workers (compliance cases) followed up in the
    regency since the agreement took effect, and how many of those cases are closed by the month's end.
    The value is the closed count; `denominator` keeps the cases opened. One query."""
    codes = _codes(kpis)
    regions = Q(pk__in=[])
    for code in codes:
        regions |= Q(region_id=code) | Q(region__code__startswith=f"{code}.")
    end = period.last_day
    cases = ComplianceCase.objects.filter(regions)
    rows = list(cases.values_list("region_id", "opened_at", "closed_at", "status"))
    out: dict[int, Measure] = {}
    for kpi in kpis:
        start = kpi.agreement.valid_from
        opened = closed = 0
        for region, opened_at, closed_at, status in rows:
            if str(region)[:5] != kpi.region_code:
                continue
            if not start <= opened_at.date() <= end:
                continue
            opened += 1
            if status == ComplianceCase.Status.CLOSED and closed_at is not None and closed_at.date() <= end:
                closed += 1
        out[kpi.pk] = Measure(Measure.count(closed).value, numerator=closed, denominator=opened)
    return out


def sponsored_cohort(kpis: Sequence[AgreementKpi], period: Period) -> dict[int, Measure]:
    """Members of the KPI's sponsor active on the month's last day. One query."""
    ids = {kpi.sponsor_id for kpi in kpis if kpi.sponsor_id}
    counts = dict(
        _active_on(period.last_day)
        .filter(sponsor_id__in=ids)
        .values("sponsor_id")
        .annotate(n=Count("id"))
        .values_list("sponsor_id", "n")
    )
    return {kpi.pk: Measure.count(counts.get(kpi.sponsor_id, 0)) for kpi in kpis if kpi.sponsor_id}


def _not_yet(kpis: Sequence[AgreementKpi], period: Period) -> dict[int, Measure]:
    return {}


# Computed by the outreach app, which registers the real definition at start-up (issue 16 point 4).
EVENT_CONVERSIONS_PLACEHOLDER = KpiDefinition(
    EVENT_CONVERSIONS, _("event conversions"), Unit.COUNT, _not_yet, placeholder=True
)


for _definition in (
    KpiDefinition(
        COVERAGE_RATE,
        _("coverage rate (UCJ)"),
        Unit.PERCENT,
        coverage_rate,
        ("region", "sector", "segment"),
    ),
    KpiDefinition(NEW_MEMBERS, _("new members in the month"), Unit.COUNT, new_members, ("region", "segment")),
    KpiDefinition(HEALTH_WORKERS, _("health workers covered"), Unit.PERCENT, health_workers),
    KpiDefinition(CASES_CLOSED, _("unregistered employers followed up and closed"), Unit.COUNT, cases_closed),
    KpiDefinition(
        SPONSORED_COHORT, _("members of a sponsored cohort"), Unit.COUNT, sponsored_cohort, ("sponsor",)
    ),
    EVENT_CONVERSIONS_PLACEHOLDER,
):
    from cakupan.partners.kpis import _REGISTRY

    if _definition.key not in _REGISTRY:  # a real definition registered first stays
        register_kpi(_definition)
