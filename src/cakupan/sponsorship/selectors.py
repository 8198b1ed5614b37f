"""Reads of sponsorship, scoped by role: a sponsor sees only itself, branch staff and agencies the sponsors
of their regions (registry.selectors.sponsor_list), so one regency's villages are invisible to another's."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.accounts.scope import Scope
from cakupan.contributions.models import Allocation, Bill
from cakupan.core.errors import InvalidInput, NotInScope
from cakupan.registry.models import Membership, Sponsor
from cakupan.registry.selectors import sponsor_list
from cakupan.rules.period import Period
from cakupan.sponsorship.models import (
    BillFlag,
    FundedPeriod,
    FundingAlert,
    MatchClass,
    SponsorVillage,
    TargetList,
    TargetRow,
)
from cakupan.sponsorship.pricing import FUNDING_OF_KIND, member_price

# The classes of a target list's match, in the order they apply (issue 15's contract).
CLASSES = (
    MatchClass.THIS_SPONSOR,
    MatchClass.OTHER_SPONSOR,
    MatchClass.WAGE_EARNER,
    MatchClass.SELF_PAID,
    MatchClass.NOT_COVERED,
    MatchClass.INVALID,
)


def sponsor_in_scope(scope: Scope, sponsor: Sponsor | int | str | None) -> Sponsor:
    """The sponsor, if the scope sees it; NotInScope otherwise (404, never saying it exists)."""
    pk = sponsor.pk if isinstance(sponsor, Sponsor) else sponsor
    if pk is None:
        raise NotInScope
    try:
        return sponsor_list(user=None, scope=scope).get(pk=pk)
    except (Sponsor.DoesNotExist, ValueError, TypeError) as exc:
        raise NotInScope from exc


def billed_between(sponsor_id: int, first: str, last: str) -> int:
    """Whole Rupiah billed to the sponsor for the months first..last (completed bills)."""
    total = (
        Bill.objects.completed()
        .filter(account__kind="sponsor", account__sponsor_id=sponsor_id, period__gte=first, period__lte=last)
        .aggregate(total=Sum("amount_due"))["total"]
    )
    return int(total or 0)


def this_month() -> Period:
    return Period.of(timezone.localdate())


def _sponsor_bills(sponsor_id: int) -> QuerySet[Bill]:
    return Bill.objects.completed().filter(account__kind="sponsor", account__sponsor_id=sponsor_id)


def funded_periods(*, user: Any, sponsor_id: Any) -> QuerySet[FundedPeriod]:
    scope = require(user, Perm.SPONSORSHIP_READ)
    sponsor = sponsor_in_scope(scope, sponsor_id)
    return FundedPeriod.objects.filter(sponsor=sponsor).order_by("first_month")


def funded_period_covering(sponsor_id: int, period: str) -> FundedPeriod | None:
    """The funded period a bill of `period` draws on (periods of one sponsor never overlap)."""
    return FundedPeriod.objects.filter(
        sponsor_id=sponsor_id, first_month__lte=period, last_month__gte=period
    ).first()


def active_members(sponsor_id: int) -> int:
    return Membership.objects.filter(sponsor_id=sponsor_id, status=Membership.Status.ACTIVE).count()


@dataclass(frozen=True)
class Runway:
    """The contract of `cakupan sponsors runway` and /api/v1/sponsors/<id>/runway/ (issue 15)."""

    sponsor: int
    period: str
    members: int
    monthly_bill: int
    budget: int
    committed: int
    paid: int
    remaining: int
    months_left: int
    cover_ends: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _parse_period(period: str | None, sponsor_id: int) -> str:
    if period:
        try:
            return str(Period.parse(period))
        except ValueError:
            raise InvalidInput.single("period", _("A month written YYYY-MM.")) from None
    latest = _sponsor_bills(sponsor_id).aggregate(latest=Max("period"))["latest"]
    return latest or str(this_month())


def runway_compute(sponsor: Sponsor, period: str) -> Runway:
    """As of `period`: the money of the funded period covering it, what its months up to `period` billed and
    were paid, and how many more months of this month's bill the rest pays for."""
    bill = _sponsor_bills(sponsor.pk).filter(period=period).first()
    funded = funded_period_covering(sponsor.pk, period)
    if funded is None:
        committed = paid = 0
    else:
        bills = _sponsor_bills(sponsor.pk).filter(period__gte=funded.first_month, period__lte=period)
        committed = int(bills.aggregate(total=Sum("amount_due"))["total"] or 0)
        paid = int(
            Allocation.objects.filter(bill__in=bills.values("pk")).aggregate(total=Sum("amount"))["total"]
            or 0
        )
    billed = (bill.members, bill.amount_due) if bill is not None else None
    active = active_members(sponsor.pk) if bill is None else 0
    return _runway_of(sponsor, period, billed, active, funded, committed, paid)


def runways_for(sponsors: list[Sponsor]) -> dict[int, Runway]:
    """The runway of each sponsor as of its latest billed month (as `runway` without --period), for a list
    page: six queries whatever the number of sponsors."""
    ids = [s.pk for s in sponsors]
    bills = list(
        Bill.objects.completed()
        .filter(account__kind="sponsor", account__sponsor_id__in=ids)
        .values_list("pk", "account__sponsor_id", "period", "members", "amount_due")
    )
    latest: dict[int, str] = {}
    for _pk, sid, period, _m, _a in bills:
        latest[sid] = max(latest.get(sid, period), period)
    now = str(this_month())
    periods = {sid: latest.get(sid, now) for sid in ids}
    fundeds: dict[int, FundedPeriod] = {}
    for fp in FundedPeriod.objects.filter(sponsor_id__in=ids):
        if fp.covers(periods[fp.sponsor_id]):
            fundeds[fp.sponsor_id] = fp
    paid_of = dict(
        Allocation.objects.filter(bill_id__in=[b[0] for b in bills])
        .values("bill_id")
        .annotate(total=Sum("amount"))
        .values_list("bill_id", "total")
    )
    active = dict(
        Membership.objects.filter(sponsor_id__in=ids, status=Membership.Status.ACTIVE)
        .values("sponsor_id")
        .annotate(n=Count("pk"))
        .values_list("sponsor_id", "n")
    )
    out = {}
    for sponsor in sponsors:
        period, funded = periods[sponsor.pk], fundeds.get(sponsor.pk)
        billed, committed, paid = None, 0, 0
        for pk, sid, bill_period, members, amount in bills:
            if sid != sponsor.pk:
                continue
            if bill_period == period:
                billed = (members, amount)
            if funded is not None and funded.first_month <= bill_period <= period:
                committed += amount
                paid += int(paid_of.get(pk, 0) or 0)
        out[sponsor.pk] = _runway_of(
            sponsor, period, billed, active.get(sponsor.pk, 0), funded, committed, paid
        )
    return out


def _runway_of(
    sponsor: Sponsor,
    period: str,
    billed: tuple[int, int] | None,
    active: int,
    funded: FundedPeriod | None,
    committed: int,
    paid: int,
) -> Runway:
    if billed is not None:
        members, monthly_bill = billed
    else:  # not billed yet: the active cohort at the funded period's price
        members = active
        monthly_bill = (
            members
            * member_price(
                period=period,
                declared_income=funded.declared_income,
                jht=funded.jht,
                funding=FUNDING_OF_KIND.get(sponsor.kind, "apbd"),
            )
            if funded is not None and members
            else 0
        )
    if funded is None:
        return Runway(sponsor.pk, period, members, monthly_bill, 0, 0, 0, 0, 0, None)
    remaining = funded.amount - committed
    month = Period.parse(period)
    last = Period.parse(funded.last_month)
    if monthly_bill > 0:
        months_left = remaining // monthly_bill
        cover_ends = min(month.shift(max(months_left, 0)), last)
    else:  # nothing billed a month: the money lasts; the period ends
        months_left = (last.year - month.year) * 12 + last.month - month.month
        cover_ends = last
    return Runway(
        sponsor.pk,
        period,
        members,
        monthly_bill,
        funded.amount,
        committed,
        paid,
        remaining,
        months_left,
        str(cover_ends),
    )


def runway(*, user: Any, sponsor_id: Any, period: str | None = None) -> Runway:
    scope = require(user, Perm.SPONSORSHIP_READ)
    sponsor = sponsor_in_scope(scope, sponsor_id)
    return runway_compute(sponsor, _parse_period(period, sponsor.pk))


def cover_end_dates(run: Runway, funded: FundedPeriod) -> dict[str, dt.date]:
    """When the money and when the funded period run out (the last day of the last month covered)."""
    ends = {FundingAlert.Ends.PERIOD.value: Period.parse(funded.last_month).last_day}
    if run.cover_ends is not None and run.cover_ends < funded.last_month:
        ends[FundingAlert.Ends.MONEY.value] = Period.parse(run.cover_ends).last_day
    return ends


def alerts(*, user: Any, sponsor_id: Any) -> QuerySet[FundingAlert]:
    scope = require(user, Perm.SPONSORSHIP_READ)
    sponsor = sponsor_in_scope(scope, sponsor_id)
    return FundingAlert.objects.filter(funded_period__sponsor=sponsor).select_related("funded_period")


def bill_flags(*, user: Any, sponsor_id: Any) -> QuerySet[BillFlag]:
    scope = require(user, Perm.SPONSORSHIP_READ)
    sponsor = sponsor_in_scope(scope, sponsor_id)
    return BillFlag.objects.filter(sponsor=sponsor)


def sponsors_in_scope(scope: Scope) -> QuerySet[Sponsor]:
    return sponsor_list(user=None, scope=scope)


def village_regencies(scope: Scope) -> list[tuple[str, str]]:
    """(code, name) of the regencies whose villages sponsor members in the scope: the village arrears pages
    the sponsors' list links to."""
    from cakupan.regions.models import Region

    codes = (
        SponsorVillage.objects.filter(sponsor__in=sponsors_in_scope(scope))
        .values_list("regency", flat=True)
        .distinct()
    )
    return list(Region.objects.filter(code__in=codes).order_by("code").values_list("code", "name"))


def sponsor_cohorts(sponsor_id: int) -> list[tuple[str, int]]:
    """Members of the sponsor by status (the status's label, in the reader's language)."""
    rows = Membership.objects.filter(sponsor_id=sponsor_id).values("status").annotate(n=Count("pk"))
    return [(str(Membership.Status(row["status"]).label), row["n"]) for row in rows.order_by("status")]


@dataclass(frozen=True)
class Capacity:
    """How many more members a sponsor can take from `month` to its funded period's end."""

    funded: FundedPeriod | None
    members: int
    price: int
    months: int
    by_cap: int
    by_money: int


def _months_between(first: str, last: str) -> int:
    a, b = Period.parse(first), Period.parse(last)
    return (b.year - a.year) * 12 + b.month - a.month + 1


def enrol_capacity(sponsor: Sponsor, month: str) -> Capacity:
    """Within the cap, and within the money: what is left after the bills written in the funded period and
    the unbilled months of the present cohort, divided by one new member's months to the period's end."""
    funded = funded_period_covering(sponsor.pk, month)
    if funded is None:
        return Capacity(None, 0, 0, 0, 0, 0)
    active = active_members(sponsor.pk)
    price = member_price(
        period=month,
        declared_income=funded.declared_income,
        jht=funded.jht,
        funding=FUNDING_OF_KIND.get(sponsor.kind, "apbd"),
    )
    months = _months_between(month, funded.last_month)
    bills = _sponsor_bills(sponsor.pk).filter(period__gte=funded.first_month, period__lte=funded.last_month)
    billed = int(bills.aggregate(total=Sum("amount_due"))["total"] or 0)
    latest = bills.aggregate(latest=Max("period"))["latest"]
    unbilled_from = Period.parse(latest).shift(1) if latest else Period.parse(funded.first_month)
    unbilled = max(0, _months_between(str(unbilled_from), funded.last_month))
    left = funded.amount - billed - active * price * unbilled
    by_money = max(0, left // (price * months)) if price and months else 0
    by_cap = max(0, funded.member_cap - active)
    return Capacity(funded, min(by_cap, by_money), price, months, by_cap, by_money)


def overlaps(*, user: Any, period: str) -> dict[str, Any]:
    """Persons billed in `period` to a sponsor and to another payer (a second sponsor or themselves): one
    payer per person per month (issue 15). `amount_twice`: what was billed beyond one payer's line (the
    total of a person's lines less the largest). A sponsor sees the overlaps of its own members; staff
    those of the sponsors in their scope. Two queries."""
    from cakupan.contributions.models import BillLine, bill_completed

    scope = require(user, Perm.SPONSORSHIP_READ)
    try:
        month = str(Period.parse(str(period)))
    except ValueError:
        raise InvalidInput.single("period", _("A month written YYYY-MM.")) from None
    visible = sponsor_list(user=None, scope=scope).values("pk")
    lines = BillLine.objects.filter(
        bill_completed("bill__"), period=month, bill__account__kind__in=["sponsor", "self"]
    )
    persons = (
        lines.values("membership__person_id")
        .annotate(
            payers=Count("bill__account", distinct=True),
            total=Sum("amount"),
            top=Max("amount"),
            mine=Count("pk", filter=Q(bill__account__sponsor_id__in=visible)),
        )
        .filter(payers__gt=1, mine__gt=0)
        .order_by("membership__person_id")
    )
    rows = list(persons.values_list("membership__person_id", "total", "top"))
    names: dict[int, list[str]] = {}
    for person_id, sponsor_name, kind in (
        lines.filter(membership__person_id__in=[r[0] for r in rows[:1000]])
        .values_list("membership__person_id", "bill__account__sponsor__name", "bill__account__kind")
        .order_by("membership__person_id", "bill__account__sponsor__name")
    ):
        names.setdefault(person_id, []).append(sponsor_name or str(kind))
    pairs: dict[tuple[str, ...], dict[str, int]] = {}
    for person_id, total, top in rows[:1000]:
        key = tuple(names.get(person_id, []))
        entry = pairs.setdefault(key, {"persons": 0, "amount_twice": 0})
        entry["persons"] += 1
        entry["amount_twice"] += int(total) - int(top)
    return {
        "period": month,
        "persons": len(rows),
        "amount_twice": sum(int(t) - int(m) for _p, t, m in rows),
        "payers": [{"payers": list(k), **v} for k, v in sorted(pairs.items())],
    }


def target_list_get(*, user: Any, pk: Any) -> TargetList:
    scope = require(user, Perm.SPONSORSHIP_TARGETS)
    try:
        target = TargetList.objects.select_related("sponsor").get(pk=pk)
    except (TargetList.DoesNotExist, ValueError, TypeError) as exc:
        raise NotInScope from exc
    sponsor_in_scope(scope, target.sponsor_id)
    return target


def match_result(target: TargetList) -> dict[str, Any]:
    """The contract of `cakupan sponsors match-list --json`."""
    return {
        "rows": target.rows,
        **{k.value: target.counts.get(k.value, 0) for k in CLASSES},
        "report": target.pk,
    }


def other_sponsors(target: TargetList) -> dict[str, int]:
    """Rows covered by another sponsor, per sponsor name (APBN: no sponsor row)."""
    rows = (
        TargetRow.objects.filter(target_list=target, klass=MatchClass.OTHER_SPONSOR)
        .values("other_sponsor__name")
        .annotate(n=Count("pk"))
    )
    return {row["other_sponsor__name"] or "APBN": row["n"] for row in rows}


def target_lists(*, user: Any, sponsor_id: Any) -> QuerySet[TargetList]:
    scope = require(user, Perm.SPONSORSHIP_TARGETS)
    sponsor = sponsor_in_scope(scope, sponsor_id)
    return TargetList.objects.filter(sponsor=sponsor)
