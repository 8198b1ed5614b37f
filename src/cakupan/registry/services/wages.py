"""Wage history of employments: each wage with the month it starts in (issue 18 point 3).

Written by `employment_start` (the first wage, from the start month), `employment_update` (a changed wage,
from the month given or the current one) and, set-based, by the roster import (`wage_history_sync`). The
JP average indexed wage (PP 45/2015) reads it through `wage_history_of`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from cakupan.accounts.permissions import Perm, require
from cakupan.registry.models import Employment, WageHistory
from cakupan.rules.period import Period


def _month_start(day: dt.date) -> dt.date:
    return Period.of(day).first_day


def _wage_set(employment: Employment, month: dt.date) -> WageHistory:
    """The employment's wage from `month` on: one row per month (a second change in a month replaces the
    first). Called inside the employment services, after their permission check and with their audit."""
    row, _created = WageHistory.objects.update_or_create(
        employment=employment,
        start_month=_month_start(month),
        defaults={"basic_wage": employment.basic_wage, "fixed_allowance": employment.fixed_allowance},
    )
    return row


def wage_history_sync(
    *,
    actor: Any,
    month: dt.date | None = None,
    employer_ids: Iterable[int] | None = None,
    changed_since: dt.datetime | None = None,
) -> dict[str, int]:
    """Bring the history in line with the employments' current wages, set-based (a constant number of
    queries whatever the number of jobs), for a roster import that bulk-writes employments:

    - a job with no history gets its wage from its start month;
    - a job whose wage differs from its latest history row gets a row from `month` (default: this month),
      replacing a row of that same month.

    Narrowed to `employer_ids` and/or the jobs written since `changed_since`. The roster import's own audit
    event covers these rows (it counts the jobs it updated).
    """
    require(actor, Perm.ROSTER_UPLOAD)
    first = _month_start(month or timezone.localdate())
    jobs = Employment.objects.all()
    if employer_ids is not None:
        jobs = jobs.filter(employer_id__in=list(employer_ids))
    if changed_since is not None:
        jobs = jobs.filter(updated_at__gte=changed_since)
    latest = WageHistory.objects.filter(employment=OuterRef("pk")).order_by("-start_month")
    annotated = jobs.annotate(
        last_month=Subquery(latest.values("start_month")[:1]),
        last_basic=Subquery(latest.values("basic_wage")[:1]),
        last_allowance=Subquery(latest.values("fixed_allowance")[:1]),
    )
    missing = list(
        annotated.filter(last_month__isnull=True).values_list(
            "pk", "start_date", "basic_wage", "fixed_allowance"
        )
    )
    changed = list(
        annotated.filter(last_month__isnull=False)
        .filter(~Q(last_basic=F("basic_wage")) | ~Q(last_allowance=F("fixed_allowance")))
        .values_list("pk", "last_month", "basic_wage", "fixed_allowance")
    )
    rows = [
        WageHistory(employment_id=pk, start_month=_month_start(start), basic_wage=b, fixed_allowance=a)
        for pk, start, b, a in missing
    ]
    rows += [
        # A history row after `month` (a wage set ahead) keeps its month: the new wage then starts there.
        WageHistory(employment_id=pk, start_month=max(first, last), basic_wage=b, fixed_allowance=a)
        for pk, last, b, a in changed
    ]
    WageHistory.objects.bulk_create(
        rows,
        batch_size=5000,
        update_conflicts=True,
        unique_fields=["employment", "start_month"],
        update_fields=["basic_wage", "fixed_allowance"],
    )
    return {"started": len(missing), "changed": len(changed)}
