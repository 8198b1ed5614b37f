"""What the contributions app knows, as the eligibility rules need it: paid months and employer standing.

A small interface so the rules do not depend on how billing stores things:

- `paid_periods(membership_ids=..., as_of=..., programme=...)`: the contribution months whose bill was
  fully settled by payments dated on or before `as_of`, and whether anything was billed at all (with no
  bills on record a contribution condition cannot be decided: the answer is "unknown", never "no").
- `employer_standing_at(employer=..., on=...)`: the employer's arrears standing as it was on a day, using
  the rule of contributions/arrears.py (more than 3 months behind: rules.md §4, PP 44/2015).

Both read contributions.Bill / BillLine / Allocation / Payment. A month counts as paid only when the whole
bill it is on was settled (allocations are per bill, not per member); the government's bill (the JKP
share from APBN) is not the member's payer and is ignored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from cakupan.contributions.arrears import Standing, standing_of
from cakupan.contributions.models import Allocation, Bill, BillLine, PayerAccount, bill_completed
from cakupan.rules.period import Period


def _paid_by(as_of: dt.date, bill_ref: str) -> Coalesce:
    paid = (
        Allocation.objects.filter(bill_id=OuterRef(bill_ref), payment__paid_on__lte=as_of)
        .order_by()
        .values("bill_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(paid), Value(0))


def paid_periods(
    *, membership_ids: list[int], as_of: dt.date, programme: str | None = None
) -> tuple[set[Period], bool]:
    """(months paid by `as_of`, whether any month was billed). `programme` ("jp", "jkk"...) keeps only the
    lines that charged it. One query."""
    lines = BillLine.objects.filter(bill_completed("bill__"), membership_id__in=membership_ids).exclude(
        bill__account__kind=PayerAccount.Kind.GOVERNMENT
    )
    if programme:
        lines = lines.filter(**{f"{programme.lower()}__gt": 0})
    rows = lines.annotate(paid=_paid_by(as_of, "bill_id")).values_list(
        "bill__period", "bill__amount_due", "paid"
    )
    billed = False
    paid: set[Period] = set()
    for period, due, settled in rows:
        billed = True
        if settled >= due:
            paid.add(Period.parse(period))
    return paid, billed


def first_billed(*, membership_ids: list[int]) -> Period | None:
    """The earliest month billed to the members' payers (not the government's bill), or None. Months paid
    stand for the whole contribution history only when the bills reach back to the membership's start."""
    first = (
        BillLine.objects.filter(bill_completed("bill__"), membership_id__in=membership_ids)
        .exclude(bill__account__kind=PayerAccount.Kind.GOVERNMENT)
        .order_by("period")
        .values_list("period", flat=True)
        .first()
    )
    return Period.parse(first) if first else None


def employer_standing_at(*, employer: Any, on: dt.date) -> Standing | None:
    """The employer's standing on `on`, from the bills due before it and the payments made by then."""
    account = PayerAccount.objects.filter(kind=PayerAccount.Kind.EMPLOYER, employer=employer).first()
    if account is None:
        return None
    unpaid = (
        Bill.objects.completed()
        .filter(account=account, due_date__lt=on)
        .annotate(outstanding=F("amount_due") - _paid_by(on, "pk"))
        .filter(outstanding__gt=0)
        .order_by("due_date")
        .values_list("due_date", flat=True)
    )
    dues = list(unpaid)
    return standing_of(
        kind=account.kind, oldest_unpaid_due=dues[0] if dues else None, unpaid_bills=len(dues), as_of=on
    )
