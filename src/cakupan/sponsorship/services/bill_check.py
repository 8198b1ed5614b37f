"""The check before a month's billing: each sponsor's bill, forecast from its active cohort at its funded
period's price, against the money and the period (issue 15). Set-based: a constant number of queries
whatever the number of sponsors; the flags of the month are replaced by the new ones in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum

from cakupan.accounts.permissions import SYSTEM, Perm, require
from cakupan.contributions.models import Bill
from cakupan.core.audit import audit_record
from cakupan.core.errors import InvalidInput
from cakupan.registry.models import Membership, Sponsor
from cakupan.rules.period import Period
from cakupan.sponsorship.models import BillFlag, FundedPeriod
from cakupan.sponsorship.pricing import FUNDING_OF_KIND, member_price


@transaction.atomic
def bill_check(*, period: str, actor: Any = SYSTEM) -> list[BillFlag]:
    require(actor, Perm.SPONSORSHIP_ALERT)
    try:
        month = str(Period.parse(period))
    except ValueError:
        raise InvalidInput.single("period", "A month written YYYY-MM.") from None
    cohorts = dict(
        Membership.objects.filter(sponsor__isnull=False, status=Membership.Status.ACTIVE)
        .values_list("sponsor_id")
        .annotate(n=Count("pk"))
        .values_list("sponsor_id", "n")
    )
    kinds = dict(Sponsor.objects.filter(pk__in=list(cohorts)).values_list("pk", "kind"))
    funded = {
        fp.sponsor_id: fp
        for fp in FundedPeriod.objects.filter(
            sponsor_id__in=list(cohorts), first_month__lte=month, last_month__gte=month
        )
    }
    billed: dict[int, int] = defaultdict(int)
    for sponsor_id, bill_period, amount in (
        Bill.objects.completed()
        .filter(account__kind="sponsor", account__sponsor_id__in=list(funded), period__lt=month)
        .values("account__sponsor_id", "period")
        .annotate(total=Sum("amount_due"))
        .values_list("account__sponsor_id", "period", "total")
    ):
        if bill_period >= funded[sponsor_id].first_month:
            billed[sponsor_id] += int(amount or 0)
    flags: list[BillFlag] = []
    for sponsor_id, members in sorted(cohorts.items()):
        fp = funded.get(sponsor_id)
        if fp is None:
            flags.append(
                BillFlag(
                    sponsor_id=sponsor_id,
                    period=month,
                    reason=BillFlag.Reason.NO_PERIOD,
                    members=members,
                    amount=0,
                    available=0,
                )
            )
            continue
        price = member_price(
            period=month,
            declared_income=fp.declared_income,
            jht=fp.jht,
            funding=FUNDING_OF_KIND.get(kinds.get(sponsor_id, ""), "apbd"),
        )
        amount = members * price
        available = fp.amount - billed[sponsor_id]
        if amount > available:
            flags.append(
                BillFlag(
                    sponsor_id=sponsor_id,
                    period=month,
                    reason=BillFlag.Reason.BEYOND_MONEY,
                    members=members,
                    amount=amount,
                    available=available,
                )
            )
        if members > fp.member_cap:
            flags.append(
                BillFlag(
                    sponsor_id=sponsor_id,
                    period=month,
                    reason=BillFlag.Reason.OVER_CAP,
                    members=members,
                    amount=amount,
                    available=available,
                )
            )
    BillFlag.objects.filter(period=month).delete()
    BillFlag.objects.bulk_create(flags)
    audit_record(
        actor=actor,
        action="bill_check",
        entity="sponsorship.billflag",
        entity_id=month,
        changes={"sponsors": len(cohorts), "flags": len(flags)},
    )
    return flags
