"""The health-worker view for health agencies: facilities by type, the staff they report (open Employment
rows) against the staff registered (active memberships at the facility), the programmes held, and the
progress towards "every health worker covered" (the Lhokseumawe agreement, scenarios.md S5).

A read of the registry, not of snapshots: it is about named facilities in one regency, a small set, and
the agency needs today's state. Scoped: a health agency sees the health facilities of its regency; branch
staff the regencies their office serves; the national administrator any region.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from cakupan.accounts.permissions import Perm, require
from cakupan.accounts.scope import Scope
from cakupan.core.errors import NotInScope
from cakupan.coverage.selectors import _check_region
from cakupan.regions.models import Region
from cakupan.registry.models import Employer, Employment, Membership

PROGRAMMES = ("jkk", "jkm", "jht", "jp", "jkp")


def _active_memberships(day: dt.date) -> QuerySet[Membership]:
    return Membership.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day), status=Membership.Status.ACTIVE, start_date__lte=day
    )


def health_region(*, scope: Scope, region: str | None) -> str | None:
    """The regency or province shown: asked for, or the scoped user's first regency (None: Indonesia)."""
    require(scope, Perm.COVERAGE_READ)
    if not region and not scope.everything:
        if not scope.regency_codes:
            raise NotInScope
        region = scope.regency_codes[0]
    obj = _check_region(scope=scope, region=region)
    return obj.code if obj else None


def health_view(*, scope: Scope, region: str | None, day: dt.date | None = None) -> dict[str, Any]:
    """Rows per facility type, with totals: facilities, facilities registering nobody, reported staff,
    reported staff covered (an active membership with that facility), registered staff, programmes."""
    code = health_region(scope=scope, region=region)
    day = day or timezone.localdate()
    employers = Employer.objects.filter(scope.employers()).exclude(facility_type="")
    if code:
        employers = employers.filter(Q(region_id=code) | Q(region__code__startswith=f"{code}."))
    active = _active_memberships(day)
    facilities = (
        employers.annotate(has_member=Exists(active.filter(employer_id=OuterRef("pk"))))
        .values("facility_type")
        .annotate(facilities=Count("id"), registering_nobody=Count("id", filter=Q(has_member=False)))
    )
    reported = (
        Employment.objects.filter(employer__in=employers, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .annotate(
            is_covered=Exists(
                active.filter(person_id=OuterRef("person_id"), employer_id=OuterRef("employer_id"))
            )
        )
        .values("employer__facility_type")
        .annotate(reported=Count("id"), covered=Count("id", filter=Q(is_covered=True)))
    )
    registered = (
        active.filter(employer__in=employers)
        .values("employer__facility_type")
        .annotate(registered=Count("id"), **{p: Count("id", filter=Q(**{p: True})) for p in PROGRAMMES})
    )
    labels = dict(Employer.FacilityType.choices)
    rows: dict[str, dict[str, Any]] = {}

    def row(kind: str) -> dict[str, Any]:
        empty = {"facilities": 0, "registering_nobody": 0, "reported": 0, "covered": 0, "registered": 0}
        return rows.setdefault(
            kind,
            {"type": kind, "label": str(labels.get(kind, kind)), **empty, **dict.fromkeys(PROGRAMMES, 0)},
        )

    for found in facilities:
        row(found["facility_type"]).update(
            facilities=found["facilities"], registering_nobody=found["registering_nobody"]
        )
    for staff in reported:
        row(staff["employer__facility_type"]).update(reported=staff["reported"], covered=staff["covered"])
    for members in registered:
        counts: dict[str, Any] = dict(members)
        row(counts.pop("employer__facility_type")).update(counts)
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
        "rows": ordered,
        "total": total,
    }
