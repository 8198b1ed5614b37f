"""The outreach funnel (issue 16, point 4): sign-ups → valid NIK → member → first contribution paid →
still active after three months, per event, partner agency, staff member, month or audience.

- valid NIK: the NIK passed the registry's rules when it was recorded (`SignUp.nik_valid`);
- member: the sign-up was turned into a membership (`SignUp.membership`);
- first contribution paid: a bill line of that membership sits on a bill that received a payment
  (contributions.Allocation); a bill a sponsor pays for many members counts for each of them;
- still active after three months: of those who paid a first contribution, the membership started at
  least three months before `today` and is active today. A membership that ended or lapsed (non-active)
  is not counted, whenever it happened: the registry keeps no status history, so "active on the day
  three months in" cannot be read back.

One grouped query per table, whatever the number of events; every count scoped by the role.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cakupan.accounts.permissions import Perm, require
from cakupan.accounts.scope import Scope, scope_for
from cakupan.contributions.models import BillLine
from cakupan.core.errors import InvalidInput
from cakupan.core.labels import label
from cakupan.outreach.models import Event, SignUp
from cakupan.registry.models import Membership
from cakupan.rules.period import Period

STEPS = ("signups", "valid_nik", "members", "paid_first", "active_3m")
GROUPS = {
    "event": ("event__code", "event__name"),
    "partner": ("event__partner_id", "event__partner__name"),
    "staff": ("event__staff_id", "event__staff__username"),
    "month": ("month", "month"),
    "audience": ("event__audience", "event__audience"),
}


@dataclass(frozen=True)
class FunnelRow:
    key: Any
    label: str
    signups: int
    valid_nik: int
    members: int
    paid_first: int
    active_3m: int

    def steps(self) -> list[tuple[str, int, float]]:
        """(step, count, share of the sign-ups) for the bars."""
        return [
            (s, getattr(self, s), getattr(self, s) / self.signups if self.signups else 0.0) for s in STEPS
        ]

    def as_dict(self) -> dict[str, int]:
        return {s: getattr(self, s) for s in STEPS}


def three_months_before(today: dt.date) -> dt.date:
    back = Period.of(today).shift(-3)
    return dt.date(back.year, back.month, min(today.day, back.last_day.day))


def _annotated(rows: QuerySet[SignUp]) -> QuerySet[SignUp]:
    paid = BillLine.objects.filter(membership_id=OuterRef("membership_id"), bill__allocations__isnull=False)
    return rows.annotate(
        paid=Exists(paid),
        month=TruncMonth("event__date"),
    )


def _counts(cutoff: dt.date) -> dict[str, Any]:
    return {
        "signups": Count("pk"),
        "valid_nik": Count("pk", filter=Q(nik_valid=True)),
        "members": Count("pk", filter=Q(membership__isnull=False)),
        "paid_first": Count("pk", filter=Q(paid=True)),
        # A step of the funnel: among those who paid a first contribution (a member who never paid is not
        # "still" active, whatever their status says before the inactivity rule has run).
        "active_3m": Count(
            "pk",
            filter=Q(
                paid=True,
                membership__status=Membership.Status.ACTIVE,
                membership__start_date__lte=cutoff,
            ),
        ),
    }


def _scoped(user: Any, scope: Scope | None) -> QuerySet[SignUp]:
    scope = scope if scope is not None else scope_for(user)
    require(scope, Perm.OUTREACH_READ)
    return SignUp.objects.filter(event__in=Event.objects.filter(scope.events()))


def funnel_by(
    *, user: Any, by: str = "event", scope: Scope | None = None, today: dt.date | None = None, **filters: Any
) -> list[FunnelRow]:
    """The funnel per group (`by`: event, partner, staff, month, audience), largest first. `filters`:
    extra filters on the sign-ups (e.g. event__region__code__startswith="35.07")."""
    if by not in GROUPS:
        raise InvalidInput.single("by", "event, partner, staff, month or audience")
    today = today or timezone.localdate()
    key, name = GROUPS[by]
    rows = (
        _annotated(_scoped(user, scope).filter(**filters))
        .values(key, name)
        .annotate(**_counts(three_months_before(today)))
        .order_by("-signups", key)
    )
    return [_row(by, r[key], r[name], r) for r in rows]


def _row(by: str, key: Any, name: Any, counts: dict[str, Any]) -> FunnelRow:
    if by == "audience":
        text = label("outreach_audience", key)
    elif by == "month":
        key = key.date() if isinstance(key, dt.datetime) else key
        text = str(key)
    else:
        text = str(name or "—")
    return FunnelRow(key=key, label=text, **{s: int(counts[s] or 0) for s in STEPS})


def event_funnel(*, event: Event, today: dt.date | None = None) -> FunnelRow:
    """One event's funnel (the caller has already found the event in scope)."""
    today = today or timezone.localdate()
    counts = _annotated(SignUp.objects.filter(event=event)).aggregate(**_counts(three_months_before(today)))
    return FunnelRow(key=event.code, label=event.name, **{s: int(counts[s] or 0) for s in STEPS})
