"""One roster upload: who sent which file for whom, what came of its rows (counts), where the report is."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RosterImport(models.Model):
    class Status(models.TextChoices):
        DRY_RUN = "dry_run", _("checked only (dry run)")
        DONE = "done", _("imported")
        REFUSED = "refused", _("nothing imported: every row was rejected")

    class TargetKind(models.TextChoices):
        EMPLOYER = "employer", _("employer")
        SPONSOR = "sponsor", _("sponsor")
        AGENCY = "agency", _("partner agency")

    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    target_kind = models.CharField(_("imported for"), max_length=10, choices=TargetKind.choices)
    employer = models.ForeignKey(
        "registry.Employer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sponsor = models.ForeignKey(
        "registry.Sponsor", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "partners.PartnerAgency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    segment = models.CharField(_("segment"), max_length=5)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    warnings = models.PositiveIntegerField(_("with warnings"), default=0)
    # Relative to settings.VAR_DIR / "private" / "reports"; the CSV twin has the same stem. Emptied when the
    # retention period has passed and the files were deleted (the record stays).
    report_name = models.CharField(_("report"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }
