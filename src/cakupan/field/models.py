"""Field agents (Perisai-style, issue 17) and what their phones send.

- `Agent`: a user of role agent, attached to a branch office and the regencies of it they serve; registered by
  branch staff, approved, suspended (and approved again). Only an approved agent syncs.
- `Device`: a phone an agent syncs from (its own label, first and last seen).
- `SyncItem`: one queued item of a phone, kept once per (agent, client_id): the idempotency key. A batch sent
  twice finds every client_id already here and counts it as a duplicate. A rejected item is kept too (with
  its errors), so the answer to a resend is the same; it is not retried under the same client_id.
- `Conflict`: an enrolment refused because the NIK is already a member through another payer, or because
  another agent enrolled the same NIK; listed for the branch with a resolution.
- `Collection`: cash an agent collected from a member, recorded as a payment of the member's own account
  (allocated to bills oldest first); the receipt number is unique per agent.
- `Deposit`: cash the agent handed to the branch; reconciliation compares it with collections per month.

Commission statements are computed (selectors), not stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Agent(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        APPROVED = "approved", _("approved")
        SUSPENDED = "suspended", _("suspended")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="field_agent", verbose_name=_("user")
    )
    branch_office = models.ForeignKey(
        "regions.BranchOffice",
        on_delete=models.PROTECT,
        related_name="agents",
        verbose_name=_("branch office"),
    )
    # Regency codes (PP.RR) among the office's regions; an enrolment's region must lie within one of them.
    regions = models.JSONField(_("regions served"), default=list)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("field agent")
        verbose_name_plural = _("field agents")
        ordering = ["branch_office", "id"]

    def __str__(self) -> str:
        return self.user.get_username()


class Device(models.Model):
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="devices")
    label = models.CharField(_("device"), max_length=64)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        constraints = [models.UniqueConstraint(fields=["agent", "label"], name="device_agent_label_unique")]

    def __str__(self) -> str:
        return self.label


class SyncItem(models.Model):
    class Kind(models.TextChoices):
        ENROLMENT = "enrolment", _("enrolment")
        COLLECTION = "collection", _("collection")

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="items")
    device = models.ForeignKey(Device, null=True, on_delete=models.SET_NULL, related_name="items")
    client_id = models.CharField(_("client id"), max_length=64)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    payload_hash = models.CharField(max_length=64)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    errors = models.JSONField(default=list, blank=True)
    # The NIK the item named, as sent (for repeated-capture flags and conflicts; shown masked or not at all).
    nik = models.CharField(_("NIK"), max_length=16, blank=True, default="")
    occupation = models.CharField(_("occupation"), max_length=80, blank=True, default="")
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="field_items"
    )
    membership = models.ForeignKey(
        "registry.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="field_items"
    )
    collection = models.OneToOneField(
        "field.Collection", null=True, blank=True, on_delete=models.PROTECT, related_name="item"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("synced item")
        verbose_name_plural = _("synced items")
        constraints = [
            models.UniqueConstraint(fields=["agent", "client_id"], name="syncitem_agent_client_unique"),
        ]
        indexes = [models.Index(fields=["nik"], name="syncitem_nik")]

    def __str__(self) -> str:
        return f"{self.kind} {self.client_id}"


class Conflict(models.Model):
    class Kind(models.TextChoices):
        OTHER_PAYER = "other_payer", _("already a member through another payer")
        OTHER_AGENT = "other_agent", _("enrolled by another agent")

    class Resolution(models.TextChoices):
        OPEN = "open", _("open")
        KEPT = "kept", _("existing membership kept")
        REASSIGNED = "reassigned", _("resolved with the worker")

    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="conflicts")
    item = models.OneToOneField(SyncItem, on_delete=models.CASCADE, related_name="conflict")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    other_agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolution = models.CharField(
        _("resolution"), max_length=12, choices=Resolution.choices, default=Resolution.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("conflict")
        verbose_name_plural = _("conflicts")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class Collection(models.Model):
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="collections")
    membership = models.ForeignKey("registry.Membership", on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(_("amount"))
    months = models.PositiveSmallIntegerField(_("months"))
    receipt = models.CharField(_("receipt"), max_length=40)
    collected_at = models.DateTimeField(_("collected at"))
    payment = models.OneToOneField(
        "contributions.Payment", on_delete=models.PROTECT, related_name="field_collection"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        ordering = ["-collected_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["agent", "receipt"], name="collection_agent_receipt_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="collection_amount_positive"),
            models.CheckConstraint(condition=Q(months__gt=0), name="collection_months_positive"),
        ]

    def __str__(self) -> str:
        return self.receipt


class Deposit(models.Model):
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="deposits")
    amount = models.BigIntegerField(_("amount"))
    deposited_on = models.DateField(_("deposited on"))
    reference = models.CharField(_("reference"), max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deposit")
        verbose_name_plural = _("deposits")
        ordering = ["-deposited_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["agent", "reference"], name="deposit_agent_reference_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="deposit_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.reference
