"""What outreach gives the agreements' KPIs (issue 16, point 2: "event conversions"): a plain function of
regions and a window, so `partners.kpis` calls it without knowing the outreach models."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from cakupan.outreach.models import SignUp


def event_conversions(*, region_codes: Iterable[str], start: dt.date, end: dt.date) -> int:
    """Memberships produced by sign-ups at events held from `start` to `end` (both included) in the given
    regions or below them (a regency's code takes its districts and villages)."""
    where = Q(pk__in=[])
    for code in region_codes:
        where |= Q(event__region_id=code) | Q(event__region__code__startswith=f"{code}.")
    return SignUp.objects.filter(
        where, membership__isnull=False, event__date__gte=start, event__date__lte=end
    ).count()
