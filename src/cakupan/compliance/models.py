"""Compliance: employers' workforce reports (WLKP), their match against the registry, and enforcement cases.

Money is whole Rupiah (BIGINT). Findings keep the figures they were computed from, so a letter printed
later shows the evidence of its match run, not today's registry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class FindingClass(models.TextChoices):
    # rules.md §6.1: BPJS's operational terms for non-compliance.
    PWBD = "pwbd", _("not registered (PWBD)")
    PDS_WORKERS = "pds_workers", _("partly registered: workers (PDS TK)")
    PDS_WAGES = "pds_wages", _("partly registered: wages (PDS Upah)")
    PDS_PROGRAMMES = "pds_programmes", _("partly registered: programmes (PDS Program)")
    COMPLIANT = "compliant", _("compliant")
    REVIEW = "review", _("awaiting review")


class WorkforceReport(models.Model):
    """One imported file of employers' workforce reports (WLKP-style), for one or more periods."""

    file_name = models.CharField(_("file"), max_length=255)
    workers_file_name = models.CharField(_("worker list file"), max_length=255, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    employers = models.PositiveIntegerField(_("employers"), default=0)
    workers = models.PositiveIntegerField(_("workers listed"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("workforce report")
        verbose_name_plural = _("workforce reports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class ReportedEmployer(models.Model):
    report = models.ForeignKey(WorkforceReport, on_delete=models.CASCADE, related_name="rows")
    row = models.PositiveIntegerField(_("row"))
    nib = models.CharField(_("NIB"), max_length=13, blank=True, default="")
    npp = models.CharField(_("NPP"), max_length=20, blank=True, default="")
    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(_("normalised name"), max_length=200, db_index=True)
    address = models.CharField(_("address"), max_length=300, blank=True, default="")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("period"), max_length=7)
    reported_workers = models.PositiveIntegerField(_("reported workers"))
    reported_wages = models.BigIntegerField(_("reported total monthly wages"))
    size_class = models.CharField(_("size class"), max_length=10)
    kbli = models.CharField(_("sector (KBLI)"), max_length=5)

    class Meta:
        verbose_name = _("reported employer")
        verbose_name_plural = _("reported employers")
        ordering = ["report", "row"]
        constraints = [
            models.CheckConstraint(condition=Q(reported_wages__gte=0), name="reported_wages_nonneg"),
            models.UniqueConstraint(fields=["report", "row"], name="reported_employer_row_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ReportedWorker(models.Model):
    employer = models.ForeignKey(ReportedEmployer, on_delete=models.CASCADE, related_name="workers")
    nik = models.CharField(_("NIK"), max_length=16)
    name = models.CharField(_("name"), max_length=160, blank=True, default="")
    wage = models.BigIntegerField(_("monthly wage"))

    class Meta:
        verbose_name = _("reported worker")
        verbose_name_plural = _("reported workers")
        constraints = [
            models.UniqueConstraint(fields=["employer", "nik"], name="reported_worker_unique"),
            models.CheckConstraint(condition=Q(wage__gte=0), name="reported_worker_wage_nonneg"),
        ]

    def __str__(self) -> str:
        return self.nik


class MatchRun(models.Model):
    report = models.ForeignKey(WorkforceReport, on_delete=models.CASCADE, related_name="runs")
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    counts = models.JSONField(_("counts by class"), default=dict)
    total_gap = models.BigIntegerField(_("estimated monthly gap"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("match run")
        verbose_name_plural = _("match runs")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"run {self.pk} of report {self.report_id}"


class Finding(models.Model):
    # Not indexed alone: the (run, klass) index serves lookups by run. A run writes a million findings, and
    # every index costs each of them.
    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="findings", db_index=False)
    reported = models.ForeignKey(ReportedEmployer, on_delete=models.CASCADE, related_name="findings")
    employer = models.ForeignKey(
        "registry.Employer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Where the finding belongs, for scope and the dashboard: the registered employer's, else the report's.
    # Reporting dimensions copied from rows that hold them under a foreign key of their own, and regions
    # and offices are reference data: no constraint, whose check would cost every finding of a run.
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    branch_office = models.ForeignKey(
        "regions.BranchOffice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    kbli = models.CharField(_("sector (KBLI)"), max_length=5)
    klass = models.CharField(_("class"), max_length=16, choices=FindingClass.choices)
    method = models.CharField(_("matched by"), max_length=10)  # npp, nib, name, review, none
    score = models.FloatField(_("name similarity"), null=True, blank=True)
    registered_workers = models.PositiveIntegerField(_("registered workers"), default=0)
    registered_wages = models.BigIntegerField(_("registered total monthly wages"), default=0)
    missing_workers = models.PositiveIntegerField(_("missing workers"), default=0)
    missing_programmes = models.JSONField(_("missing programmes"), default=list)
    gap_workers = models.BigIntegerField(default=0)
    gap_wages = models.BigIntegerField(default=0)
    gap_programmes = models.BigIntegerField(default=0)
    gap = models.BigIntegerField(_("estimated monthly contribution gap"), default=0)
    missing_niks = models.JSONField(_("reported NIKs not registered"), default=list)
    underwaged_niks = models.JSONField(_("reported NIKs registered with a lower wage"), default=list)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-gap", "id"]
        indexes = [models.Index(fields=["run", "klass"])]  # employer: its foreign key's own index

    def __str__(self) -> str:
        return f"{self.reported_id}: {self.klass}"


class ReviewItem(models.Model):
    """An ambiguous name match: a person confirms or rejects it. The decision is remembered by the
    normalised name and regency, so the next report of the same employer is not asked again."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        CONFIRMED = "confirmed", _("confirmed")
        REJECTED = "rejected", _("rejected")

    reported = models.ForeignKey(ReportedEmployer, on_delete=models.CASCADE, related_name="reviews")
    candidate = models.ForeignKey("registry.Employer", on_delete=models.CASCADE, related_name="+")
    name_key = models.CharField(max_length=200)
    regency = models.CharField(max_length=5)
    score = models.FloatField(_("name similarity"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("review item")
        verbose_name_plural = _("review queue")
        ordering = ["status", "-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["reported", "candidate"], name="review_item_unique"),
        ]
        indexes = [models.Index(fields=["name_key", "regency"])]

    def __str__(self) -> str:
        return f"{self.reported_id} ~ {self.candidate_id} ({self.status})"


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    employer = models.ForeignKey(
        "registry.Employer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A PWBD employer is not in the registry: the case names it as it was reported.
    name = models.CharField(_("employer name"), max_length=200)
    nib = models.CharField(_("NIB"), max_length=13, blank=True, default="")
    name_key = models.CharField(max_length=200)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    branch_office = models.ForeignKey(
        "regions.BranchOffice", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    findings = models.ManyToManyField(Finding, related_name="cases")
    gap = models.BigIntegerField(_("monthly contribution gap at opening"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by_finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"


class StepKind(models.TextChoices):
    # PP 86/2013 Pasal 5-9 and the referrals of rules.md §6.2.
    WARNING_1 = "warning_1", _("first written warning")
    WARNING_2 = "warning_2", _("second written warning")
    FINE = "fine", _("fine")
    TMP2T = "tmp2t", _("recommendation to withhold public services (TMP2T)")
    INSPECTOR = "inspector", _("referral to labour inspectors")
    ATTORNEY = "attorney", _("referral to state attorneys (SKK)")


class CaseStep(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("step"), max_length=10, choices=StepKind.choices)
    number = models.CharField(_("letter number"), max_length=60)
    issued_on = models.DateField(_("issued on"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    amount = models.BigIntegerField(_("fine"), null=True, blank=True)
    letter = models.BinaryField(_("letter (PDF)"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ["case", "issued_on", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="case_step_once")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class Reminder(models.Model):
    """A step whose deadline passed without the case moving on or closing."""

    step = models.OneToOneField(CaseStep, on_delete=models.CASCADE, related_name="reminder")
    created_at = models.DateTimeField(auto_now_add=True)
    done = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["done", "-created_at"]

    def __str__(self) -> str:
        return f"reminder for step {self.step_id}"
