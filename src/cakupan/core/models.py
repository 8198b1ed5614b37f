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


class CachedFigures(models.Model):
    """A home page's figures for one scope (registry.figures), so a page view reads one row instead of
    counting a branch office's million persons on every request.

    `scope` holds the scope's fields, so a scheduled refresh can recompute the figures without a user;
    `figures` maps a figure's name to {"value", "exact", "estimate"}. `computed_at` is empty while only a
    bounded first count is known (the page says "being computed"); `seen_at` lets the refresh skip, and
    eventually forget, scopes nobody looks at."""

    key = models.CharField(_("scope key"), max_length=120, unique=True)
    scope = models.JSONField(_("scope"), default=dict)
    figures = models.JSONField(_("figures"), default=dict)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    seen_at = models.DateTimeField(_("last seen at"), db_index=True)

    class Meta:
        verbose_name = _("cached home figures")
        verbose_name_plural = _("cached home figures")

    def __str__(self) -> str:
        return self.key
