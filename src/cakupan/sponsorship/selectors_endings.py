"""Reads of ending sponsored cover (issue 15 points 3, 4, 7): the members whose cover ends in the coming
months, the decisions taken, the moves waiting for a sponsor's answer, retention 3, 6 and 12 months after,
and the runway forecast with the rosters already planned. Scoped by the sponsor selectors: a sponsor sees
only its own, staff the sponsors of their regions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from cakupan.accounts.permissions import Perm, require
from cakupan.accounts.scope import Scope
from cakupan.enrolment.models import RosterImport
from cakupan.registry.models import Membership, Sponsor
from cakupan.rules.bpu_inactivity import BpuInactivity, bpu_inactivity
from cakupan.rules.period import Period
from cakupan.sponsorship.models import CoverEnding, FundedPeriod, MatchClass, MemberMessage, TargetRow
from cakupan.sponsorship.pricing import FUNDING_OF_KIND, member_price
from cakupan.sponsorship.selectors import Runway, sponsor_in_scope, sponsors_in_scope, this_month
from cakupan.sponsorship.services.endings import endings_due

FOLLOW_UPS = (3, 6, 12)


@dataclass(frozen=True)
class EndingMonth:
    month: str
    due: int  # nothing decided yet
    decided: dict[str, int]  # per action (a move counted once accepted or while pending)
    pending: int  # moves waiting for the other sponsor


def endings_soon(*, user: Any, sponsor_id: Any, months: int = 3) -> list[EndingMonth]:
    """Per month from this one, `months` ahead: the members whose sponsored cover ends then."""
    scope = require(user, Perm.SPONSORSHIP_READ)
    sponsor = sponsor_in_scope(scope, sponsor_id)
    first = this_month()
    window = [str(first.shift(i)) for i in range(months)]
    ends = set(
        FundedPeriod.objects.filter(sponsor=sponsor, last_month__in=window).values_list(
            "last_month", flat=True
        )
    )
    out = []
    for month in window:
        if month not in ends:
            continue
        rows = (
            CoverEnding.objects.filter(sponsor=sponsor, ended_month=month)
            .exclude(state=CoverEnding.State.DECLINED)
            .values("action", "state")
            .annotate(n=Count("pk"))
        )
        decided: dict[str, int] = {}
        pending = 0
        for row in rows:
            decided[row["action"]] = decided.get(row["action"], 0) + row["n"]
            if row["state"] == CoverEnding.State.PENDING:
                pending += row["n"]
        out.append(EndingMonth(month, endings_due(sponsor.pk, month).count(), decided, pending))
    return out


def endings_due_list(*, user: Any, sponsor_id: Any, month: str) -> QuerySet[Membership]:
    scope = require(user, Perm.SPONSORSHIP_READ)
    sponsor = sponsor_in_scope(scope, sponsor_id)
    return endings_due(sponsor.pk, month).select_related("person").order_by("person__full_name", "pk")


def moves_waiting(*, user: Any, sponsor_id: Any) -> list[dict[str, Any]]:
    """Members other sponsors hand over to this one, waiting for its answer, per giving sponsor and month."""
    scope = require(user, Perm.SPONSORSHIP_READ)
    sponsor = sponsor_in_scope(scope, sponsor_id)
    found = (
        CoverEnding.objects.filter(to_sponsor=sponsor, state=CoverEnding.State.PENDING)
        .values("sponsor_id", "sponsor__name", "ended_month")
        .annotate(members=Count("pk"))
        .order_by("ended_month", "sponsor__name")
    )
    return [dict(row) for row in found]


@dataclass(frozen=True)
class FollowUp:
    months: int  # months after the last sponsored month
    still: int  # still active then
    followed: int  # members followed (0: that month is not over yet)

    @property
    def rate(self) -> float | None:
        return self.still / self.followed if self.followed else None


@dataclass(frozen=True)
class RetentionRow:
    month: str  # the last sponsored month of the cohort
    members: int
    actions: dict[str, int]
    follow_ups: tuple[FollowUp, ...]

    @property
    def still(self) -> dict[int, tuple[int, int] | None]:
        """Months later -> (still active, followed); None while that month is not over."""
        return {f.months: (f.still, f.followed) if f.followed else None for f in self.follow_ups}


@dataclass(frozen=True)
class Retention:
    rows: list[RetentionRow]
    rule: BpuInactivity  # the inactivity rule the follow-up used (flagged when not confirmed)


def _retention(endings: QuerySet[CoverEnding], limit: int) -> Retention:
    aggregates: dict[str, Any] = {"members": Count("pk")}
    for k in FOLLOW_UPS:
        aggregates[f"still_{k}"] = Count("pk", filter=Q(**{f"active_{k}": True}))
        aggregates[f"followed_{k}"] = Count("pk", filter=Q(**{f"active_{k}__isnull": False}))
    for action in CoverEnding.Action.values:
        aggregates[f"a_{action}"] = Count("pk", filter=Q(action=action))
    rows = (
        endings.filter(state=CoverEnding.State.DONE)
        .values("ended_month")
        .annotate(**aggregates)
        .order_by("-ended_month")[:limit]
    )
    out = []
    for found in rows:
        row: dict[str, Any] = dict(found)
        follow_ups = tuple(FollowUp(k, row[f"still_{k}"], row[f"followed_{k}"]) for k in FOLLOW_UPS)
        actions = {a: row[f"a_{a}"] for a in CoverEnding.Action.values if row[f"a_{a}"]}
        out.append(RetentionRow(row["ended_month"], row["members"], actions, follow_ups))
    return Retention(out, bpu_inactivity(this_month()))


def retention(*, user: Any, sponsor_id: Any, limit: int = 12) -> Retention:
    """Each ended cohort of the sponsor: how many were still active 3, 6 and 12 months later."""
    scope = require(user, Perm.SPONSORSHIP_READ)
    sponsor = sponsor_in_scope(scope, sponsor_id)
    return _retention(CoverEnding.objects.filter(sponsor=sponsor), limit)


def retention_in_scope(scope: Scope, limit: int = 12) -> Retention:
    """The coverage dashboard's panel: every sponsor in the scope, cohorts by last sponsored month."""
    return _retention(CoverEnding.objects.filter(sponsor__in=sponsors_in_scope(scope).values("pk")), limit)


@dataclass(frozen=True)
class Forecast:
    """The runway with the rosters already planned: a sponsor's roster uploaded and checked (a dry run)
    but not imported yet, and its target lists' valid uncovered rows not enrolled yet."""

    rosters_planned: int
    target_rows_pending: int
    members: int
    monthly_bill: int
    months_left: int
    cover_ends: str | None


def runway_forecast(sponsor: Sponsor, run: Runway) -> Forecast:
    imported = RosterImport.objects.filter(sponsor=sponsor, status=RosterImport.Status.DONE).values("sha256")
    planned_rosters = (
        RosterImport.objects.filter(sponsor=sponsor, status=RosterImport.Status.DRY_RUN)
        .exclude(sha256__in=imported)
        .order_by("sha256", "-created_at")
    )
    latest: dict[str, int] = {}
    for sha, rows, rejected in planned_rosters.values_list("sha256", "rows", "rejected"):
        latest.setdefault(sha, max(0, rows - rejected))
    rosters = sum(latest.values())
    pending = TargetRow.objects.filter(
        target_list__sponsor=sponsor, klass=MatchClass.NOT_COVERED, enrolled=False
    ).count()
    members = run.members + rosters + pending
    funded = FundedPeriod.objects.filter(
        sponsor=sponsor, first_month__lte=run.period, last_month__gte=run.period
    ).first()
    if funded is None:
        return Forecast(rosters, pending, members, 0, 0, None)
    price = member_price(
        period=run.period,
        declared_income=funded.declared_income,
        jht=funded.jht,
        funding=FUNDING_OF_KIND.get(sponsor.kind, "apbd"),
    )
    monthly = run.monthly_bill + (rosters + pending) * price
    last = Period.parse(funded.last_month)
    if monthly <= 0:
        return Forecast(rosters, pending, members, 0, run.months_left, run.cover_ends)
    months_left = run.remaining // monthly
    ends = min(Period.parse(run.period).shift(max(months_left, 0)), last)
    return Forecast(rosters, pending, members, monthly, months_left, str(ends))


def member_messages(*, person_id: int) -> QuerySet[MemberMessage]:
    """The messages of the member's own page (the caller has checked it is their own record)."""
    return MemberMessage.objects.filter(person_id=person_id)[:5]


def cover_undecided(scope: Scope, months: int = 2) -> QuerySet[Membership]:
    """The home queue: sponsored members in the scope whose sponsor's funded period ends this month or the
    next (about 60 days) and for whom nothing is decided yet."""
    from django.db.models import Exists, OuterRef

    first = this_month()
    window = [str(first.shift(i)) for i in range(months)]
    ending = FundedPeriod.objects.filter(sponsor_id=OuterRef("sponsor_id"), last_month__in=window)
    decided = CoverEnding.objects.filter(membership=OuterRef("pk"), ended_month__in=window).exclude(
        state=CoverEnding.State.DECLINED
    )
    return (
        Membership.objects.filter(
            sponsor__in=sponsors_in_scope(scope).values("pk"),
            payer_kind=Membership.PayerKind.SPONSOR,
            status=Membership.Status.ACTIVE,
        )
        .filter(Exists(ending))
        .exclude(Exists(decided))
    )


def moves_waiting_in_scope(scope: Scope) -> QuerySet[CoverEnding]:
    """The home queue: members handed over to a sponsor in the scope, waiting for its answer."""
    return CoverEnding.objects.filter(
        to_sponsor__in=sponsors_in_scope(scope).values("pk"), state=CoverEnding.State.PENDING
    )
