"""Outreach events (sosialisasi) and the sign-ups collected at them (issue 16, points 3 and 4).

The architecture puts events under `partners`; they live in their own app while `partners` grows its
agreements (docs/design.md). An event has a short unguessable public code: its QR poster points to
`/daftar/<code>/`, where a worker signs up without an account. A sign-up is a request to be contacted and
enrolled, not a registry record: staff turn the valid ones into BPU memberships in bulk
(services/convert.py), and the sign-up then points at the person and the membership it produced, which is
what the funnel (funnel.py) follows to the first payment and three months on.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# No 0/O, 1/I/L: the code is read aloud and typed from a poster as often as it is scanned. No vowels and no
# Y either, so a code never spells a word (in either language) on a page or a poster.
CODE_ALPHABET = "23456789BCDFGHJKMNPQRSTVWXZ"
CODE_LENGTH = 8  # 27^8 ≈ 2.8e11: not guessable at the throttled rate of the public endpoint


def code_new(length: int = CODE_LENGTH) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(length))


class Audience(models.TextChoices):
    MARKET_TRADERS = "market_traders", _("market traders")
    RIDE_HAILING = "ride_hailing", _("ride-hailing drivers")
    FISHERS = "fishers", _("fishers")
    FARMERS = "farmers", _("farmers")
    VILLAGE_OFFICIALS = "village_officials", _("village officials")
    HEALTH_WORKERS = "health_workers", _("health workers")
    CONSTRUCTION = "construction", _("construction workers")
    DOMESTIC = "domestic", _("domestic workers")
    OTHER = "other", _("other workers")


class Event(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", pgettext_lazy("outreach event", "held")
        CANCELLED = "cancelled", _("cancelled")

    code = models.CharField(_("code"), max_length=12, unique=True, default=code_new, editable=False)
    name = models.CharField(_("name"), max_length=160)
    place = models.CharField(_("place"), max_length=200)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    date = models.DateField(_("date"))
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    partner = models.ForeignKey(
        "partners.PartnerAgency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("partner agency"),
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("staff member"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("outreach event")
        verbose_name_plural = _("outreach events")
        ordering = ["-date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["planned", "held", "cancelled"]), name="event_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["region", "date"], name="event_region_date")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


def reference_new() -> str:
    return "DFT-" + code_new(8)


class SignUp(models.Model):
    """One worker's sign-up at one event. `nik_valid`: the NIK passed the registry's rules when it was
    recorded (the public page refuses the others; a paper form typed in by staff keeps them, flagged, so
    the office can call the worker back)."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="signups")
    nik = models.CharField(_("NIK"), max_length=16)
    full_name = models.CharField(_("full name"), max_length=160)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=[("L", _("male")), ("P", _("female"))])
    phone = models.CharField(_("phone"), max_length=20)
    occupation = models.CharField(_("occupation"), max_length=100)
    consent = models.BooleanField(_("consent to be contacted"))
    consent_at = models.DateTimeField(_("consent given at"))
    nik_valid = models.BooleanField(_("valid NIK"), default=True)
    reference = models.CharField(_("reference"), max_length=16, unique=True, default=reference_new)
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    membership = models.ForeignKey(
        "registry.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("signed up at"), default=timezone.now)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "nik"], name="signup_one_per_event_nik"),
            # UU 27/2022 Pasal 20-22: processing personal data needs the subject's explicit consent.
            models.CheckConstraint(condition=Q(consent=True), name="signup_consent_given"),
            models.CheckConstraint(
                condition=Q(membership__isnull=True) | Q(person__isnull=False),
                name="signup_membership_has_person",
            ),
        ]
        indexes = [models.Index(fields=["membership"], name="signup_membership")]

    def __str__(self) -> str:
        return self.reference
