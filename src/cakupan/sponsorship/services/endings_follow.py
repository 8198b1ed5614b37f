"""The follow-up of ended sponsored cohorts (issue 15 point 3): 3, 6 and 12 months after the last sponsored
month M, is each member still active? Recorded once on the decision (CoverEnding.active_3/6/12) when the
month M+k is over, so the retention figures are plain counts.

Still active on the last day D of M+k: the person holds a membership begun by D, not ended by D and not
non-active; a self-paid one only if it paid at least one of the last N months up to M+k, N being the
inactivity rule (rules/tables/bpu_inactivity.toml: 3 unpaid months, confidence M, configurable and flagged
where it is shown). Whoever pays, any membership counts: a member who found a job is still covered.

One UPDATE per follow-up and cohort month, whatever the cohort's size.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cakupan.accounts.permissions import SYSTEM, Perm, require
from cakupan.contributions.models import BillLine
from cakupan.core.audit import audit_record
from cakupan.registry.models import Membership
from cakupan.rules.bpu_inactivity import bpu_inactivity
from cakupan.rules.period import Period
from cakupan.sponsorship.models import CoverEnding

FOLLOW_UPS = (3, 6, 12)


def still_active(at: Period) -> Exists:
    """For a CoverEnding row: its person is still covered on `at`'s last day."""
    day = at.last_day
    unpaid = bpu_inactivity(at).unpaid_months.value
    paid = BillLine.objects.filter(
        membership=OuterRef("pk"),
        period__gte=str(at.shift(1 - unpaid)),
        period__lte=str(at),
        bill__account__kind="self",
        bill__allocations__isnull=False,
    )
    covering = (
        Membership.objects.filter(person_id=OuterRef("person_id"), start_date__lte=day)
        .exclude(end_date__lte=day)
        .exclude(status=Membership.Status.INACTIVE)
        .exclude(status=Membership.Status.ENDED, end_date__isnull=True)
        .filter(~Q(payer_kind=Membership.PayerKind.SELF) | Exists(paid))
    )
    return Exists(covering)


@transaction.atomic
def retention_follow(*, actor: Any = SYSTEM, today: dt.date | None = None) -> dict[str, int]:
    """Record every follow-up whose month is over. Returns the rows recorded per follow-up."""
    require(actor, Perm.SPONSORSHIP_ALERT)  # the daily run (SYSTEM), or a national admin
    current = Period.of(today or timezone.localdate())
    recorded: dict[str, int] = {}
    for k in FOLLOW_UPS:
        # Cohorts whose month M+k is over: M < current - k.
        before = str(current.shift(-k))
        open_rows = CoverEnding.objects.filter(
            state=CoverEnding.State.DONE, ended_month__lt=before, **{f"active_{k}__isnull": True}
        )
        months = list(open_rows.values_list("ended_month", flat=True).distinct().order_by("ended_month"))
        total = 0
        for month in months:
            at = Period.parse(month).shift(k)
            total += open_rows.filter(ended_month=month).update(**{f"active_{k}": still_active(at)})
        recorded[f"active_{k}"] = total
    if any(recorded.values()):
        audit_record(
            actor=actor, action="retention_follow", entity="sponsorship.coverending", changes=recorded
        )
    return recorded
