"""The health-worker view for health agencies: facilities by type, the staff they report (open Employment
rows) against the staff registered (active memberships at the facility), the programmes held, and the
progress towards "every health worker covered" (the Lhokseumawe agreement, scenarios.md S5).

The page shows the last monthly snapshot's per-facility rows summed (as on that month's last day); a
given day (the agreements' KPI months) is counted live by the same SQL (coverage/facilities.py).

Scoped: a health agency sees the health facilities of its regency; branch
staff the regencies their office serves; the national administrator any region.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from cakupan.accounts.permissions import Perm, require
from cakupan.accounts.scope import Scope
from cakupan.core.errors import NotInScope
from cakupan.coverage.facilities import COUNTS, PROGRAMMES, facility_counts
from cakupan.coverage.models import FacilitySnapshot, SnapshotBuild
from cakupan.coverage.selectors import _check_region
from cakupan.coverage.services.snapshots import period_last_day
from cakupan.regions.models import Region
from cakupan.registry.models import Employer


def health_region(*, scope: Scope, region: str | None) -> str | None:
    """The regency or province shown: asked for, or the scoped user's first regency (None: Indonesia)."""
    require(scope, Perm.COVERAGE_READ)
    if not region and not scope.everything:
        if not scope.regency_codes:
            raise NotInScope
        region = scope.regency_codes[0]
    obj = _check_region(scope=scope, region=region)
    return obj.code if obj else None


def _by_type(counted: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per-facility counts summed by facility type, with the facilities and those registering nobody."""
    sums: dict[str, dict[str, int]] = {}
    for facility in counted:
        found = sums.setdefault(
            facility["facility_type"], {"facilities": 0, "registering_nobody": 0, **dict.fromkeys(COUNTS, 0)}
        )
        found["facilities"] += 1
        found["registering_nobody"] += facility["registered"] == 0
        for key in COUNTS:
            found[key] += int(facility[key])
    return sums


def _from_snapshot(employers: QuerySet[Employer] | None) -> tuple[str, dict[str, dict[str, int]]] | None:
    """The last built month's facility rows of these facilities (None: every facility, Indonesia for the
    admin, without reading the employers) summed by type, in one grouped read of the snapshot; None when
    no month was built."""
    built = SnapshotBuild.objects.order_by("-period").values_list("period", flat=True).first()
    if built is None:
        return None
    rows = FacilitySnapshot.objects.filter(period=built)
    if employers is not None:
        rows = rows.filter(employer__in=employers.values("pk"))
    grouped = rows.values("facility_type").annotate(
        facilities=Count("id"),
        registering_nobody=Count("id", filter=Q(registered=0)),
        **{key: Sum(key) for key in COUNTS},
    )
    sums: dict[str, dict[str, int]] = {}
    for found in grouped:
        counts: dict[str, Any] = dict(found)
        sums[counts.pop("facility_type")] = counts
    return built, sums


def health_view(*, scope: Scope, region: str | None, day: dt.date | None = None) -> dict[str, Any]:
    """Rows per facility type, with totals: facilities, facilities registering nobody, reported staff,
    reported staff covered (an active membership with that facility), registered staff, programmes.

    Asked for today (no `day`), the figures are the last built month's snapshot (`period` says which):
    a sum of its per-facility rows, whatever the number of facilities in scope (38,000 jobs at the Malang
    office's facilities at 10 M persons). Counted live on `day` when one is given (a KPI's month), or
    when no month was built yet, by the same SQL the snapshot build runs (coverage/facilities.py)."""
    code = health_region(scope=scope, region=region)
    employers = Employer.objects.filter(scope.employers()).exclude(facility_type="")
    if code:
        employers = employers.filter(Q(region_id=code) | Q(region__code__startswith=f"{code}."))
    whole = scope.everything and code is None
    snapshot = _from_snapshot(None if whole else employers) if day is None else None
    period = None
    if snapshot is not None:
        period, sums = snapshot
        day = period_last_day(period)
    else:
        day = day or timezone.localdate()
        sums = _by_type(facility_counts(employers, day))
    labels = dict(Employer.FacilityType.choices)
    rows: dict[str, dict[str, Any]] = {}

    def row(kind: str) -> dict[str, Any]:
        empty = {"facilities": 0, "registering_nobody": 0, "reported": 0, "covered": 0, "registered": 0}
        return rows.setdefault(
            kind,
            {"type": kind, "label": str(labels.get(kind, kind)), **empty, **dict.fromkeys(PROGRAMMES, 0)},
        )

    for kind, counts in sums.items():
        row(kind).update(counts)
    ordered = [rows[k] for k in Employer.FacilityType.values if k in rows]
    total: dict[str, Any] = {"type": "", "label": "total"}
    for key in ("facilities", "registering_nobody", "reported", "covered", "registered", *PROGRAMMES):
        total[key] = sum(r[key] for r in ordered)
    for r in [*ordered, total]:
        r["progress"] = round(r["covered"] / r["reported"], 4) if r["reported"] else None
        r["uncovered"] = r["reported"] - r["covered"]
    name = Region.objects.filter(code=code).values_list("name", flat=True).first() if code else "Indonesia"
    return {
        "region": code or "ID",
        "region_name": name,
        "day": day.isoformat(),
        "period": period,
        "rows": ordered,
        "total": total,
    }
