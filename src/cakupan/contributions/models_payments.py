"""Payments and their allocation to bills (imported at the end of contributions/models.py).

- `Payment` (contributions_payment): money received from one payer account: `amount` whole Rupiah > 0,
  `paid_on` (the value date the bank reports), `reference` (the bank's reference; UNIQUE per account, so a
  bank-statement line imported twice is recorded once), `source` page | api | bank_statement.
- `Allocation` (contributions_allocation): the part of a payment that settles a bill. Payments settle the
  OLDEST bill first (period, then id); what is left of a payment after every bill is settled is the account's
  credit, derived, never stored: credit = sum(payments) - sum(allocations). A later bill takes that credit
  when `allocate_credit` runs (after each billing run and before every new payment is allocated), see
  services/payments.py.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["Allocation", "Payment"]


class Payment(models.Model):
    class Source(models.TextChoices):
        PAGE = "page", _("recorded on a page")
        API = "api", _("recorded through the API")
        BANK_STATEMENT = "bank_statement", _("imported bank statement")

    account = models.ForeignKey(
        "contributions.PayerAccount", on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.BigIntegerField(_("amount"))
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("bank reference"), max_length=64)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")
        HELD = "held", _("held for review")
        REJECTED = "rejected", _("rejected")

    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    reviewed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(source__in=["page", "api", "bank_statement"]), name="payment_source_valid"
            ),
            models.CheckConstraint(condition=~Q(reference=""), name="payment_reference_set"),
            models.CheckConstraint(
                condition=Q(status__in=["accepted", "held", "rejected"]), name="payment_status_valid"
            ),
            # A bank reference is unique per account: re-importing a statement records nothing twice.
            models.UniqueConstraint(fields=["account", "reference"], name="payment_reference_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.paid_on}: {self.amount}"


class Allocation(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    bill = models.ForeignKey("contributions.Bill", on_delete=models.PROTECT, related_name="allocations")
    amount = models.BigIntegerField(_("amount"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
        ]
        # A payment may settle the same bill twice (if a rerun raised the bill after the first allocation),
        # so (payment, bill) is not unique. Statements read allocations by bill.
        indexes = [models.Index(fields=["bill"], name="allocation_bill_idx")]

    def __str__(self) -> str:
        return f"{self.payment_id} -> {self.bill_id}: {self.amount}"
