"""Payments held for review, and their release or rejection by branch staff.

Why: a mistyped or forged amount (a payment line of Rp 9,999,999,999,999,999) otherwise becomes a credit that
silently settles years of the payer's future bills. So a payment that would leave its account a credit larger
than the account's bills of the last twelve months (its year of contributions) is recorded with status
`held`: kept, shown on the statement and in the API, but not allocated. An account without bills in that
year is held above a floor, `settings.CAKUPAN_PAYMENT_HOLD_FLOOR` (Rupiah). Branch staff then release it
(accepted, allocated at once) or reject it (never allocated; the money goes back outside this system), each an
audited transaction.

The credit a payment leaves, once allocated oldest bill first: accepted payments + the new amount - the
account's billed total (bills of finished runs), when positive. Two grouped queries for any number of
accounts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.contributions.models import Allocation, Bill, PayerAccount, Payment
from cakupan.core.audit import audit_record
from cakupan.core.errors import InvalidInput
from cakupan.rules.period import Period

HOLD_FLOOR_DEFAULT = 100_000_000  # Rp 100 million: above a year of a mid-sized employer's contributions
MAX_NOTE = 500


def hold_floor() -> int:
    return int(getattr(settings, "CAKUPAN_PAYMENT_HOLD_FLOOR", HOLD_FLOOR_DEFAULT))


@dataclass
class Headroom:
    """One account's figures for deciding a hold: accepted payments, billed total, the last year's bills."""

    paid: int = 0
    billed: int = 0
    year: int = 0

    @property
    def limit(self) -> int:
        return self.year if self.year > 0 else hold_floor()

    def admit(self, amount: int) -> str:
        """The status of a new payment of `amount`; an accepted one counts for the next."""
        if self.paid + amount - self.billed > self.limit:
            return Payment.Status.HELD
        self.paid += amount
        return Payment.Status.ACCEPTED


def headroom(account_ids: Iterable[int], *, today: dt.date | None = None) -> dict[int, Headroom]:
    ids = list(set(account_ids))
    first = str(Period.of(today or timezone.localdate()).shift(-11))
    out = {pk: Headroom() for pk in ids}
    for row in (
        Payment.objects.filter(account_id__in=ids, status=Payment.Status.ACCEPTED)
        .values("account_id")
        .annotate(t=Sum("amount"))
        .order_by()
    ):
        out[row["account_id"]].paid = row["t"] or 0
    for row in (
        Bill.objects.completed()
        .filter(account_id__in=ids)
        .values("account_id")
        .annotate(t=Sum("amount_due"), y=Sum("amount_due", filter=Q(period__gte=first)))
        .order_by()
    ):
        out[row["account_id"]].billed = row["t"] or 0
        out[row["account_id"]].year = row["y"] or 0
    return out


def _held(payment: Payment) -> Payment:
    locked = Payment.objects.select_for_update().get(pk=payment.pk)
    if locked.status != Payment.Status.HELD:
        raise InvalidInput.single("status", _("This payment is not held for review."))
    return locked


def _note(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > MAX_NOTE:
        raise InvalidInput.single("note", _("At most 500 characters."))
    return text


def payment_release(*, actor: Any, payment: Payment, note: Any = "") -> list[Allocation]:
    """Accept a held payment and allocate it (with the account's other credit), oldest bill first."""
    from cakupan.contributions.services.payments import _allocate, _lock, allocation_summary

    require(actor, Perm.PAYMENT_RECORD)
    text = _note(note)
    with transaction.atomic():
        account = _lock(PayerAccount(pk=payment.account_id))
        locked = _held(payment)
        _review(locked, actor=actor, status=Payment.Status.ACCEPTED, note=text)
        made = _allocate(account)
        audit_record(
            actor=actor,
            action="payment.release",
            instance=locked,
            changes={"amount": locked.amount, "note": text, "allocations": allocation_summary(made)},
        )
    payment.refresh_from_db()
    return made


def payment_reject(*, actor: Any, payment: Payment, note: Any) -> Payment:
    """Reject a held payment: it is never allocated (the money is returned outside this system)."""
    require(actor, Perm.PAYMENT_RECORD)
    text = _note(note)
    if not text:
        raise InvalidInput.single("note", _("Say why the payment is rejected."))
    with transaction.atomic():
        locked = _held(payment)
        _review(locked, actor=actor, status=Payment.Status.REJECTED, note=text)
        audit_record(
            actor=actor,
            action="payment.reject",
            instance=locked,
            changes={"amount": locked.amount, "note": text},
        )
    payment.refresh_from_db()
    return payment


def _review(payment: Payment, *, actor: Any, status: str, note: str) -> None:
    payment.status = status
    payment.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    payment.reviewed_at = timezone.now()
    payment.review_note = note
    payment.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
