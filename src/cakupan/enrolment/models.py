"""One roster upload: who sent which file for whom, what came of its rows (counts), where the report is."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The sources of rows given in code (enrolment/services/rows.py callers), as a page shows them.
ROWS_SOURCES = {
    "field sync": _("Enrolled by a field agent"),
    "outreach conversion": _("Sign-ups of an outreach event"),
}


class RosterImport(models.Model):
    class Status(models.TextChoices):
        DRY_RUN = "dry_run", _("checked only (dry run)")
        DONE = "done", _("imported")
        REFUSED = "refused", _("nothing imported: every row was rejected")

    class TargetKind(models.TextChoices):
        EMPLOYER = "employer", _("employer")
        SPONSOR = "sponsor", _("sponsor")
        AGENCY = "agency", _("partner agency")
        # Rows given in code (field sync, outreach conversion): BPU members who pay for themselves.
        SELF = "self", _("the worker (self-paid)")

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
    held = models.PositiveIntegerField(_("held for branch review"), default=0)
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

    @property
    def shown_name(self) -> str:
        """What a page calls the import: the file's name, or for rows given in code (no report file) what
        they came from, in words; their stored source names a user or an event code (rows.py)."""
        if self.report_name:
            return self.file_name
        for prefix, words in ROWS_SOURCES.items():
            if self.file_name.startswith(prefix):
                return str(words)
        return str(_("Enrolled in the application"))

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }

    def shown_counts(self) -> dict[str, int]:
        """Rows per report status from the stored counts, once the report itself has expired (rows with
        a warning are then also among the imported, updated or unchanged)."""
        return {
            "rejected": self.rejected,
            "warning": self.warnings,
            "held": self.held,
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


class LinkReview(models.Model):
    """A roster row that named a registered person outside the uploader's scope whose name, birth date or
    sex differ from the registry: held for the branch office instead of linked (issue 12: a stranger's
    NIK in a roster would otherwise hand the person to the uploader). The row's values are kept as
    supplied; approval creates the employment and membership through the registry's services."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    roster_import = models.ForeignKey(
        RosterImport, on_delete=models.PROTECT, related_name="link_reviews", verbose_name=_("roster import")
    )
    row_number = models.PositiveIntegerField(_("row"))
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("registered person")
    )
    # The target of the roster: the employer (PU) or the sponsor (BPU) the row would link the person to.
    employer = models.ForeignKey(
        "registry.Employer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sponsor = models.ForeignKey(
        "registry.Sponsor", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Neither employer nor sponsor: the worker pays (a self-paid BPU row, RosterImport.TargetKind.SELF).
    self_paid = models.BooleanField(_("self-paid"), default=False)
    segment = models.CharField(_("segment"), max_length=5)
    # As supplied in the row.
    full_name = models.CharField(_("full name"), max_length=160)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1)
    phone = models.CharField(_("phone"), max_length=20, blank=True, default="")
    region = models.CharField(_("address region"), max_length=8, blank=True, default="")
    basic_wage = models.BigIntegerField(_("basic wage"), null=True, blank=True)
    fixed_allowance = models.BigIntegerField(_("fixed allowances"), default=0)
    declared_income = models.BigIntegerField(_("declared income"), null=True, blank=True)
    bpu_sector = models.CharField(_("BPU sector"), max_length=20, blank=True, default="")
    programs = models.CharField(_("programmes"), max_length=40)  # "JKK,JKM,JHT"
    start_date = models.DateField(_("start date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("held"), auto_now_add=True)

    class Meta:
        verbose_name = _("link review")
        verbose_name_plural = _("link reviews")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["roster_import", "row_number"], name="link_review_row_unique"),
            # A re-sent file does not queue the same link twice: one pending review per person and target.
            models.UniqueConstraint(
                fields=["person", "employer"],
                condition=models.Q(status="pending", employer__isnull=False),
                name="link_review_pending_employer_unique",
            ),
            models.UniqueConstraint(
                fields=["person", "sponsor"],
                condition=models.Q(status="pending", sponsor__isnull=False),
                name="link_review_pending_sponsor_unique",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="pending", self_paid=True),
                name="link_review_pending_self_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(employer__isnull=False)
                | models.Q(sponsor__isnull=False)
                | models.Q(self_paid=True),
                name="link_review_has_target",
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_at__isnull=True)
                | models.Q(status__in=["approved", "rejected"], decided_at__isnull=False),
                name="link_review_decided_when_not_pending",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.roster_import_id}:{self.row_number}"
