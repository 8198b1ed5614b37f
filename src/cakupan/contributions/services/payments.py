"""Recording payments and allocating them to bills, oldest bill first.

How money moves (models_payments.py): a payment settles the account's bills in order of due date, then
period and id, partly when it does not cover a bill; what is left is the account's credit (never stored:
payments minus allocations). Credit is used by a later bill when `allocate_credit` runs for the account:
- `payment_record` runs it, so a new payment first lets older credit settle older bills;
- `allocate_credit` for one account: the "apply credit" button of the statement page;
- `allocate_credit_all` runs it for every account holding credit: run it after each billing run
  (`cakupan payments allocate`). The billing run itself (billing.py, another module) does not call it yet.
Each call is one transaction with the account row locked (SELECT ... FOR UPDATE on PostgreSQL), audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import SYSTEM, Perm, require
from cakupan.contributions.models import Allocation, Bill, PayerAccount, Payment
from cakupan.contributions.services.payment_review import headroom
from cakupan.core.audit import audit_record
from cakupan.core.errors import FieldError, InvalidInput
from cakupan.rules.contributions.inputs import MAX_RUPIAH

MAX_REFERENCE = 64
# The same bound the calculators put on every Rupiah input (rules/contributions/inputs.py): far above any
# real payment, far below BIGINT's limit.
MAX_AMOUNT = MAX_RUPIAH


def _sum_of(model: Any, field: str, **filters: Any) -> Subquery:
    return Subquery(
        model.objects.filter(**filters)
        .order_by()
        .values(next(iter(filters)))
        .annotate(total=Sum("amount"))
        .values("total")[:1]
    )


def bill_paid_subquery() -> Coalesce:
    """Per bill: the sum of its allocations (0 when none), for annotating Bill querysets."""
    return Coalesce(_sum_of(Allocation, "amount", bill=OuterRef("pk")), 0)


def payment_used_subquery() -> Coalesce:
    return Coalesce(_sum_of(Allocation, "amount", payment=OuterRef("pk")), 0)


def today() -> dt.date:
    return timezone.localdate()


def clean_amount(value: Any, field: str = "amount") -> tuple[int | None, FieldError | None]:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        else:
            return None, FieldError(field, _("Must be a whole number of Rupiah."))
    if value <= 0:
        return None, FieldError(field, _("Must be more than zero."))
    if value > MAX_AMOUNT:
        return None, FieldError(field, _("Is too large."))
    return value, None


def clean_date(value: Any, field: str = "paid_on") -> tuple[dt.date | None, FieldError | None]:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            return None, FieldError(field, _("Must be a date written YYYY-MM-DD."))
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        return None, FieldError(field, _("Must be a date written YYYY-MM-DD."))
    if value > today():
        return None, FieldError(field, _("Cannot be in the future."))
    return value, None


def clean_reference(value: Any, field: str = "reference") -> tuple[str | None, FieldError | None]:
    if not isinstance(value, str) or not value.strip():
        return None, FieldError(field, _("Enter the bank reference."))
    text = value.strip()
    if len(text) > MAX_REFERENCE:
        return None, FieldError(field, _("At most 64 characters."))
    return text, None


def _allocate(account: PayerAccount) -> list[Allocation]:
    """Settle the account's unpaid bills, oldest first, from its payments' unused money, oldest first.
    The caller holds the account lock inside a transaction. Three queries whatever the number of rows."""
    payments = list(
        Payment.objects.filter(account=account, status=Payment.Status.ACCEPTED)
        .annotate(used=payment_used_subquery())
        .filter(amount__gt=F("used"))
        .order_by("paid_on", "id")
    )
    if not payments:
        return []
    bills = list(
        Bill.objects.completed()
        .filter(account=account)
        .annotate(paid=bill_paid_subquery())
        .filter(amount_due__gt=F("paid"))
        # Oldest due first: a PP 49/2020 JP repayment (due April 2022) after the months billed before then.
        .order_by("due_date", "period", "id")
    )
    made: list[Allocation] = []
    p = 0
    left = payments[0].amount - payments[0].used
    for bill in bills:
        owed = bill.amount_due - bill.paid
        while owed > 0 and p < len(payments):
            take = min(owed, left)
            made.append(Allocation(payment=payments[p], bill=bill, amount=take))
            owed -= take
            left -= take
            if left == 0:
                p += 1
                if p < len(payments):
                    left = payments[p].amount - payments[p].used
        if p >= len(payments):
            break
    Allocation.objects.bulk_create(made)
    return made


def _lock(account: PayerAccount) -> PayerAccount:
    return PayerAccount.objects.select_for_update().get(pk=account.pk)


def allocation_summary(made: list[Allocation]) -> list[dict[str, int]]:
    return [{"payment": a.payment.pk, "bill": a.bill.pk, "amount": a.amount} for a in made]


def payment_record(
    *, actor: Any, account: PayerAccount, amount: Any, paid_on: Any, reference: Any, source: str
) -> Payment:
    """Record one payment of a payer account and allocate it (and any older credit), oldest bill first;
    held for review instead when it would leave too large a credit (payment_review.py).

    `account` comes from a scoped selector. InvalidInput (nothing written) for a bad amount, date or
    reference, or a reference already recorded for this account.
    """
    require(actor, Perm.PAYMENT_RECORD)
    errors: list[FieldError] = []
    clean_amt, err = clean_amount(amount)
    errors += [err] if err else []
    clean_day, err = clean_date(paid_on)
    errors += [err] if err else []
    clean_ref, err = clean_reference(reference)
    errors += [err] if err else []
    if source not in Payment.Source.values:
        errors.append(FieldError("source", _("Unknown source.")))
    if errors:
        raise InvalidInput(errors)
    assert clean_amt is not None
    assert clean_day is not None
    assert clean_ref is not None
    with transaction.atomic():
        locked = _lock(account)
        if Payment.objects.filter(account=locked, reference=clean_ref).exists():
            raise InvalidInput.single("reference", _("A payment with this reference is already recorded."))
        user = actor if getattr(actor, "is_authenticated", False) else None
        # A payment leaving more credit than a year of the account's bills waits for review
        # (payment_review.py): held, not allocated.
        status = headroom([locked.pk])[locked.pk].admit(clean_amt)
        payment = Payment.objects.create(
            account=locked,
            amount=clean_amt,
            paid_on=clean_day,
            reference=clean_ref,
            source=source,
            recorded_by=user,
            status=status,
        )
        made = _allocate(locked)
        audit_record(
            actor=actor,
            action="payment.record",
            instance=payment,
            changes={
                "account": locked.pk,
                "amount": clean_amt,
                "paid_on": clean_day.isoformat(),
                "reference": clean_ref,
                "source": source,
                "status": status,
                "allocations": allocation_summary(made),
            },
        )
    return payment


def allocate_credit(*, actor: Any, account: PayerAccount) -> list[Allocation]:
    """Let the account's credit settle its unpaid bills (oldest first); audited when anything moved."""
    require(actor, Perm.PAYMENT_RECORD)
    with transaction.atomic():
        locked = _lock(account)
        made = _allocate(locked)
        if made:
            audit_record(
                actor=actor,
                action="payment.allocate_credit",
                instance=locked,
                changes={"allocations": allocation_summary(made)},
            )
    return made


def accounts_with_credit() -> Any:
    """Accounts whose payments exceed their allocations (one query, as a subquery-able queryset)."""
    paid = Coalesce(
        Subquery(
            Payment.objects.filter(account=OuterRef("pk"), status=Payment.Status.ACCEPTED)
            .order_by()
            .values("account")
            .annotate(t=Sum("amount"))
            .values("t")[:1]
        ),
        0,
    )
    used = Coalesce(
        Subquery(
            Allocation.objects.filter(payment__account=OuterRef("pk"))
            .order_by()
            .values("payment__account")
            .annotate(t=Sum("amount"))
            .values("t")[:1]
        ),
        0,
    )
    return PayerAccount.objects.annotate(paid=paid, used=used).filter(Q(paid__gt=F("used")))


def allocate_credit_all(*, actor: Any = SYSTEM) -> dict[str, int]:
    """After a billing run: let every account holding credit settle its new bills. One transaction per
    account (only accounts with credit are visited, found in one query)."""
    require(actor, Perm.PAYMENT_RECORD)
    accounts = 0
    allocated = 0
    for account in accounts_with_credit().order_by("pk").iterator():
        made = allocate_credit(actor=actor, account=account)
        accounts += 1 if made else 0
        allocated += sum(a.amount for a in made)
    return {"accounts": accounts, "allocated": allocated}
