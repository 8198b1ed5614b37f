"""Claims for benefits, their document checklist and history, and in-app notifications.

A claim moves submitted -> verified -> approved -> paid, or to rejected from submitted or verified. The
amounts assessed by the pure calculator (`benefit_compute`) and the eligibility found in the data are kept
as JSON, as they were when the claim was assessed: a later change to the registry does not rewrite them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cakupan.rules.benefits import BENEFITS


class ClaimantKind(models.TextChoices):
    HEIR = "heir", _("heir")
    WORKER = "worker", _("worker")
    EMPLOYER = "employer", _("employer")
    BRANCH_STAFF = "branch_staff", _("branch office staff")


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    VERIFIED = "verified", _("verified")
    APPROVED = "approved", _("approved")
    PAID = "paid", _("paid")
    REJECTED = "rejected", _("rejected")


# A claim still being handled: a person has at most one of these per benefit.
OPEN_STATUSES = (ClaimStatus.SUBMITTED, ClaimStatus.VERIFIED, ClaimStatus.APPROVED)

BENEFIT_LABELS = {
    "JKM": _("death benefit (JKM)"),
    "JKK_DEATH": _("work-accident death (JKK)"),
    "JKK_TOTAL_DISABILITY": _("work-accident total disability (JKK)"),
    "JKK_PARTIAL_DISABILITY": _("work-accident partial disability (JKK)"),
    "JKK_STMB": _("temporary incapacity wage (JKK STMB)"),
    "JKP": _("job-loss benefit (JKP)"),
    "JP": _("pension (JP)"),
    "JHT": _("old-age savings (JHT)"),
    "SCHOLARSHIP": _("children's scholarship"),
}
BENEFIT_CHOICES = [(b, BENEFIT_LABELS[b]) for b in BENEFITS]


class Claim(models.Model):
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="claims")
    benefit = models.CharField(_("benefit"), max_length=24, choices=BENEFIT_CHOICES)
    event_date = models.DateField(_("event date"))
    claimant_kind = models.CharField(_("claimant"), max_length=12, choices=ClaimantKind.choices)
    claimant_name = models.CharField(_("claimant name"), max_length=160, blank=True, default="")
    status = models.CharField(
        _("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED
    )
    # What only the claimant knows (children, school levels, disability percent, end reason...).
    details = models.JSONField(_("details"), default=dict, blank=True)
    eligibility = models.JSONField(_("eligibility"), default=dict, blank=True)
    assessment = models.JSONField(_("assessed amounts"), default=dict, blank=True)
    assessed_total = models.BigIntegerField(_("assessed total"), default=0)
    employer_pays_first = models.BooleanField(_("employer pays first"), default=False)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claims_submitted"
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=64, blank=True, default="")
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "verified", "approved", "paid", "rejected"]),
                name="claim_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(claimant_kind__in=["heir", "worker", "employer", "branch_staff"]),
                name="claim_claimant_kind_valid",
            ),
            models.CheckConstraint(condition=Q(assessed_total__gte=0), name="claim_total_nonneg"),
            # Four eyes, in the database too: whoever approves neither submitted nor verified the claim.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True)
                | Q(status="rejected")
                | (~Q(decided_by=models.F("submitted_by")) & ~Q(decided_by=models.F("verified_by"))),
                name="claim_four_eyes",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | (~Q(payment_reference="") & Q(paid_on__isnull=False)),
                name="claim_paid_has_reference",
            ),
            # One open claim per person and benefit: a second one for the same event is a duplicate.
            models.UniqueConstraint(
                fields=["person", "benefit"],
                condition=Q(status__in=OPEN_STATUSES),
                name="claim_one_open_per_benefit",
            ),
        ]
        indexes = [models.Index(fields=["status", "benefit"]), models.Index(fields=["person", "status"])]

    def __str__(self) -> str:
        return f"{self.pk} {self.benefit} {self.status}"


class ClaimDocument(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(_("document"), max_length=300)
    received = models.BooleanField(_("received"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("claim document")
        verbose_name_plural = _("claim documents")
        ordering = ["claim", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["claim", "name"], name="claimdocument_unique_name")]

    def __str__(self) -> str:
        return self.name


class ClaimEvent(models.Model):
    """The claim's visible timeline (the audit log holds the same steps for administrators)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=ClaimStatus.choices)
    note = models.TextField(_("note"), blank=True, default="")

    class Meta:
        verbose_name = _("claim event")
        verbose_name_plural = _("claim events")
        ordering = ["claim", "at", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.status}"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(_("text"), max_length=300)
    read = models.BooleanField(_("read"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read"])]

    def __str__(self) -> str:
        return self.text
