"""Reads of coverage, always scoped by role, and only from snapshots (never the registry).

Who sees what: the national administrator everything; branch staff the regencies their office serves;
a partner agency its regency. Other roles have no coverage view (Forbidden: 403). A region outside
one's scope answers NotInScope (404), as if it did not exist.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, may, require
from cakupan.accounts.scope import Scope
from cakupan.core.errors import InvalidInput, NotInScope
from cakupan.coverage.models import CoverageSnapshot, CoverageTarget, SnapshotBuild, WorkforceStat
from cakupan.coverage.services.snapshots import period_parse
from cakupan.coverage.services.targets import target_progress
from cakupan.coverage.services.workforce import Denominator, denominator_config, denominator_of
from cakupan.regions.models import Region
from cakupan.registry.models import Segment

NATIONAL = "ID"


def coverage_may_view(scope: Scope) -> bool:
    return may(scope, Perm.COVERAGE_READ)


def _check_region(*, scope: Scope, region: str | None, perm: Perm = Perm.COVERAGE_READ) -> Region | None:
    """The region asked for (None: Indonesia), after the role and scope checks."""
    require(scope, perm)
    code = (region or "").strip()
    obj = None
    if code and code.upper() != NATIONAL:
        obj = Region.objects.filter(code=code, level__in=[1, 2]).first()
        if obj is None:
            raise InvalidInput.single("region", _("Unknown province or regency/city code."))
    if scope.everything:
        return obj
    if obj is None or obj.level != 2 or obj.code not in scope.regency_codes:
        raise NotInScope
    return obj


def _workforce_map(*, codes: list[str | None], period: str) -> dict[str | None, WorkforceStat]:
    """The latest survey round at or before the period for each region (None: Indonesia), in one query."""
    year, month = int(period[:4]), int(period[5:7])
    regions = Q(region_id__in=[c for c in codes if c])
    if None in codes:
        regions |= Q(region__isnull=True)
    stats = WorkforceStat.objects.filter(regions).filter(
        Q(year__lt=year) | Q(year=year, survey_month__lte=month)
    )
    latest: dict[str | None, WorkforceStat] = {}
    for stat in stats.order_by("year", "survey_month"):
        latest[stat.region_id] = stat  # ascending, so the last one wins
    return latest


def _workforce_dict(stat: WorkforceStat | None, config: Denominator) -> dict[str, Any] | None:
    if stat is None:
        return None
    return {
        "denominator": denominator_of(stat, config),
        "employed": stat.employed,
        "formal": stat.formal,
        "informal": stat.informal,
        "survey": f"{stat.year}-{stat.survey_month:02d}",
        "source": stat.source,
        "synthetic": stat.synthetic,
        "definition": config.as_dict(),
    }


def _rate(active: int, workforce: dict[str, Any] | None) -> float | None:
    if not workforce or not workforce["denominator"]:
        return None
    return round(active / workforce["denominator"], 4)


def latest_period() -> str | None:
    """The newest month with a built snapshot; None before the first build."""
    return SnapshotBuild.objects.order_by("-period").values_list("period", flat=True).first()


def period_or_latest(period: str | None) -> str:
    """The month asked for, checked; no month: the newest built one (commands, API and pages alike)."""
    if period is None or not str(period).strip():
        latest = latest_period()
        if latest is None:
            raise InvalidInput.single(
                "period", _("No coverage snapshot yet; build one with `cakupan coverage snapshot`.")
            )
        return latest
    return period_parse(period)


def _snapshot_exists(period: str) -> None:
    if not SnapshotBuild.objects.filter(period=period).exists():
        raise InvalidInput.single(
            "period", _("No coverage snapshot for this month; build it with `cakupan coverage snapshot`.")
        )


def coverage_show(
    *, scope: Scope, region: str | None, period: str | None = None, perm: Perm = Perm.COVERAGE_READ
) -> dict[str, Any]:
    """The contract answer: region, period, active, workforce, rate, by_segment, by_sector, target.
    Without a period: the newest built month."""
    period = period_or_latest(period)
    obj = _check_region(scope=scope, region=region, perm=perm)
    _snapshot_exists(period)
    rows = CoverageSnapshot.objects.filter(period=period)
    rows = rows.filter(region_id=obj.code) if obj else rows.filter(level=1)
    by_segment = dict.fromkeys(Segment.values, 0)
    by_sector: dict[str, int] = defaultdict(int)
    for seg, sector, active in rows.values_list("segment", "sector", "active"):
        by_segment[seg] = by_segment.get(seg, 0) + active
        by_sector[sector] += active
    active = sum(by_segment.values())
    config = denominator_config()
    code = obj.code if obj else None
    workforce = _workforce_dict(_workforce_map(codes=[code], period=period).get(code), config)
    target = None
    if obj is not None:
        found = CoverageTarget.objects.filter(region_id=obj.code, year=int(period[:4]), segment="").first()
        if found is not None:
            target = target_progress(target=found, period=period)
    return {
        "region": obj.code if obj else NATIONAL,
        "region_name": obj.name if obj else "Indonesia",
        "period": period,
        "active": active,
        "workforce": workforce["denominator"] if workforce else None,
        "rate": _rate(active, workforce),
        "workforce_detail": workforce,
        "denominator": config.as_dict(),
        "by_segment": by_segment,
        "by_sector": dict(sorted(by_sector.items())),
        "target": target,
    }


def coverage_children(*, scope: Scope, region: str | None, period: str | None = None) -> list[dict[str, Any]]:
    """The rows below a region for the drill-down table: provinces of Indonesia, regencies of a province.

    Scoped roles start from their own regencies. Sorted by rate (highest first), then code.
    """
    period = period_or_latest(period)
    obj = _check_region(scope=scope, region=region) if (region or scope.everything) else None
    if obj is None and not scope.everything:
        require(scope, Perm.COVERAGE_READ)
        children = list(Region.objects.filter(code__in=scope.regency_codes))
    elif obj is None:
        children = list(Region.objects.filter(level=1))
    elif obj.level == 1:
        children = list(Region.objects.filter(parent_id=obj.code, level=2))
    else:
        children = [obj]
    codes = [c.code for c in children]
    sums = (
        CoverageSnapshot.objects.filter(period=period, region_id__in=codes)
        .values("region_id")
        .annotate(total=Sum("active"))
    )
    active = {r["region_id"]: int(r["total"]) for r in sums}
    config = denominator_config()
    stats = _workforce_map(codes=list(codes), period=period)
    out: list[dict[str, Any]] = []
    for child in children:
        workforce = _workforce_dict(stats.get(child.code), config)
        count = active.get(child.code, 0)
        out.append(
            {
                "code": child.code,
                "name": child.name,
                "level": child.level,
                "active": count,
                "workforce": workforce,
                "rate": _rate(count, workforce),
            }
        )
    out.sort(key=lambda r: (-(r["rate"] if r["rate"] is not None else -1.0), str(r["code"])))
    return out


def coverage_periods() -> list[str]:
    """The months that have a snapshot, newest first."""
    return list(SnapshotBuild.objects.values_list("period", flat=True).order_by("-period"))


def coverage_series(*, scope: Scope, region: str | None, periods: list[str]) -> dict[str, int]:
    """Active participants per month for a region (or Indonesia), for the time-series chart."""
    obj = _check_region(scope=scope, region=region)
    rows = CoverageSnapshot.objects.filter(period__in=periods)
    rows = rows.filter(region_id=obj.code) if obj else rows.filter(level=1)
    sums = rows.values("period").annotate(total=Sum("active")).order_by("period")
    return {r["period"]: int(r["total"]) for r in sums}


def target_list(*, scope: Scope, period: str | None = None, year: int | None = None) -> list[dict[str, Any]]:
    """Targets of `year` (default: the period's) the user may see, with achievement and forecast at
    `period` (default: the newest month)."""
    require(scope, Perm.COVERAGE_READ)
    period = period_or_latest(period)
    targets = CoverageTarget.objects.select_related("region", "branch_office").filter(
        year=year or int(period[:4])
    )
    if not scope.everything:
        targets = targets.filter(
            Q(region_id__in=scope.regency_codes) | Q(branch_office_id=scope.branch_office_id or -1)
        )
    return [{"target": t, "progress": target_progress(target=t, period=period)} for t in targets]


def target_years(*, scope: Scope) -> list[int]:
    """The years a target page can show: those with a built month or a target the user may see, newest
    first."""
    require(scope, Perm.COVERAGE_READ)
    targets = CoverageTarget.objects.all()
    if not scope.everything:
        targets = targets.filter(
            Q(region_id__in=scope.regency_codes) | Q(branch_office_id=scope.branch_office_id or -1)
        )
    years = {int(p[:4]) for p in coverage_periods()} | set(targets.values_list("year", flat=True))
    return sorted(years, reverse=True)


GAP_CATEGORIES = ("all", "informal")


def coverage_gap(
    *,
    scope: Scope,
    region: str | None,
    period: str | None = None,
    category: str = "all",
    perm: Perm = Perm.COVERAGE_READ,
) -> dict[str, Any]:
    """Uncovered workers: the workforce (by the configured definition) minus the active participants;
    "informal": the informal workers BPS counts minus active BPU participants."""
    if category not in GAP_CATEGORIES:
        raise InvalidInput.single("category", _("Choose all or informal."))
    show = coverage_show(scope=scope, region=region, period=period, perm=perm)
    workforce = show["workforce_detail"]
    if category == "all":
        base = workforce["denominator"] if workforce else None
        active = show["active"]
    else:
        base = workforce["informal"] if workforce else None
        active = show["by_segment"].get("BPU", 0)
    return {
        "region": show["region"],
        "region_name": show["region_name"],
        "period": show["period"],
        "category": category,
        "workforce": base,
        "active": active,
        "uncovered": None if base is None else max(0, base - active),
        "definition": show["denominator"],
    }


def planner_gap(*, scope: Scope, region: str | None, period: str | None, category: str) -> dict[str, Any]:
    """The budget planner's gap. A sponsor (who has no coverage pages) plans for its own regency only: its
    region stands in for an empty one, and any other region is outside its scope."""
    require(scope, Perm.COVERAGE_PLAN)
    if scope.sponsor_id is None:
        return coverage_gap(scope=scope, region=region, period=period, category=category)
    from cakupan.registry.models import Sponsor

    own = (Sponsor.objects.filter(pk=scope.sponsor_id).values_list("region_id", flat=True).first() or "")[:5]
    if not own or (region and region.strip() != own):
        raise NotInScope
    regional = replace(scope, regency_codes=(own,))
    return coverage_gap(scope=regional, region=own, period=period, category=category, perm=Perm.COVERAGE_PLAN)
