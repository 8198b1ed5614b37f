"""The digital membership card: one row per card issued, so a card can be revoked and its issue audited.

The card's token (cards.tokens) is not stored, only its SHA-256 digest: the token is the card's proof, and
a copy of the table must not be enough to print valid cards.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MembershipCard(models.Model):
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="cards", verbose_name=_("person")
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("issued by"),
        help_text=_("Empty when the card was issued from the command line without --user."),
    )
    token_digest = models.CharField(_("token digest (SHA-256)"), max_length=64)
    revoked = models.BooleanField(_("revoked"), default=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership card")
        verbose_name_plural = _("membership cards")
        ordering = ["-issued_at", "-id"]
        constraints = [
            # Issuing a card revokes the earlier ones: a person holds at most one valid card.
            models.UniqueConstraint(
                fields=["person"], condition=Q(revoked=False), name="card_one_valid_per_person"
            ),
            models.CheckConstraint(
                condition=Q(revoked=False, revoked_at__isnull=True)
                | Q(revoked=True, revoked_at__isnull=False),
                name="card_revoked_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"card {self.pk} of person {self.person_id}"
