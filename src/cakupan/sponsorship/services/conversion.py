"""Converting sponsored members to self-paid BPU (issue 15 point 3): each gets a payer account of their own,
a first bill for the month after the sponsor's last and a message on their own page (/me/) saying what to
pay, by when and to which virtual account. Priced by billing's own calculator path (`price_keys`), so the
first bill equals what the monthly run would write; written with ignore_conflicts, so the monthly run
(and a repeated decision) adds nothing twice. A constant number of statements for any cohort.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from cakupan.contributions.models import PARTY_COLUMNS, PROGRAM_COLUMNS, Bill, BillLine, PayerAccount
from cakupan.contributions.services.billing_assess import AMOUNT_INDEX, price_keys
from cakupan.contributions.services.billing_dates import due_date_for
from cakupan.contributions.services.billing_sql import price_key_of
from cakupan.contributions.services.billing_write import accounts_ensure
from cakupan.core.errors import InvalidInput
from cakupan.registry.models import Sponsor
from cakupan.rules.contributions.tables import contribution_tables
from cakupan.rules.period import Period
from cakupan.sponsorship.models import CoverEnding, MemberMessage

# A priced part's columns, in billing's order (billing_sql writes its bill lines from the same).
_COLUMNS = (*PROGRAM_COLUMNS, *PARTY_COLUMNS, "amount")


def first_bills_write(batch: QuerySet[CoverEnding], *, sponsor: Sponsor, first_month: Period) -> int:
    """The self-paid accounts, first bills (month `first_month`) and messages of the batch's members."""
    rows = list(
        batch.values_list(
            "person_id",
            "membership_id",
            "membership__jkk",
            "membership__jkm",
            "membership__jht",
            "membership__declared_income",
            "membership__bpu_sector",
        )
    )
    if not rows:
        return 0
    keys = {
        pid: price_key_of(
            segment="BPU", jkk=jkk, jkm=jkm, jht=jht, income=income, sector=sector or "other", funding="self"
        )
        for pid, _m, jkk, jkm, jht, income, sector in rows
    }
    cache: dict[Any, Any] = {}
    price_keys(set(keys.values()), rules=contribution_tables().for_period(first_month), cache=cache)
    failed = [v for v in cache.values() if isinstance(v, str)]
    if failed:
        raise InvalidInput.single("action", failed[0])
    accounts = accounts_ensure(("self", pid) for pid in keys)
    due = due_date_for(period=first_month, payer_kind="self")
    month = str(first_month)
    Bill.objects.bulk_create(
        [Bill(account_id=accounts[("self", pid)], period=month, due_date=due) for pid in keys],
        ignore_conflicts=True,
        batch_size=5000,
    )
    bill_of = dict(
        Bill.objects.filter(
            period=month, account_id__in=[accounts[("self", pid)] for pid in keys]
        ).values_list("account__person_id", "pk")
    )
    lines = []
    for pid, membership_id, _jkk, _jkm, _jht, income, _sector in rows:
        _base, part, _gov = cache[keys[pid]]
        lines.append(
            BillLine(
                bill_id=bill_of[pid],
                membership_id=membership_id,
                period=month,
                base=income,
                **dict(zip(_COLUMNS, part or (0,) * len(_COLUMNS), strict=True)),
            )
        )
    BillLine.objects.bulk_create(lines, ignore_conflicts=True, batch_size=5000)
    # Totals as the monthly run writes them: from the lines of each bill, in one UPDATE.
    lines_of = BillLine.objects.filter(bill_id=OuterRef("pk")).order_by().values("bill_id")
    Bill.objects.filter(pk__in=list(bill_of.values())).update(
        amount_due=Coalesce(Subquery(lines_of.annotate(t=Sum("amount")).values("t")), 0),
        members=Coalesce(Subquery(lines_of.annotate(n=Count("pk")).values("n")), 0),
    )
    vas = dict(
        PayerAccount.objects.filter(pk__in=[accounts[("self", pid)] for pid in keys]).values_list(
            "person_id", "virtual_account"
        )
    )
    told = set(
        MemberMessage.objects.filter(
            person_id__in=list(keys), kind=MemberMessage.Kind.CONVERTED, first_month=month
        ).values_list("person_id", flat=True)
    )
    MemberMessage.objects.bulk_create(
        [
            MemberMessage(
                person_id=pid,
                kind=MemberMessage.Kind.CONVERTED,
                sponsor_name=sponsor.name[:200],
                first_month=month,
                amount=(cache[keys[pid]][1] or (0,) * 10)[AMOUNT_INDEX],
                virtual_account=vas[pid],
            )
            for pid in keys
            if pid not in told
        ],
        batch_size=5000,
    )
    return len(rows)
