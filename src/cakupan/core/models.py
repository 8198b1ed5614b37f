from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Who did what, when, to which object, with the fields that changed.

    Written by services inside the same transaction as the change, so an event exists exactly when the
    change does. A bulk action (an import, a demo load) is one event with its counts in `changes`.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=40)
    entity = models.CharField(_("entity"), max_length=60)
    entity_id = models.CharField(_("entity id"), max_length=64, blank=True, default="")
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    # The operating-system account behind a command-line or job write (`cakupan ...`), so a change made on
    # the server is never anonymous even when no --user was given; empty for pages and the API.
    os_user = models.CharField(_("operating-system user"), max_length=150, blank=True, default="")

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["entity", "entity_id"])]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.entity}:{self.entity_id}"
