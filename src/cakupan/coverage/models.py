"""Coverage intelligence: the workforce (denominator), monthly coverage snapshots and targets.

Dashboards and the API read only `CoverageSnapshot`; the registry is read once per period by the snapshot
build (one set-based INSERT ... SELECT per level, see services.snapshots).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WorkforceStat(models.Model):
    """The employed population of a region from one BPS Sakernas round (February or August).

    `region` empty means Indonesia as a whole. Counts are persons, not Rupiah.
    """

    region = models.ForeignKey(
        "regions.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
        help_text=_("A province or regency/city; empty for Indonesia."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    survey_month = models.PositiveSmallIntegerField(
        _("survey month"), help_text=_("Sakernas runs in February (2) and August (8).")
    )
    employed = models.BigIntegerField(_("employed"))
    formal = models.BigIntegerField(_("formal"), null=True, blank=True)
    informal = models.BigIntegerField(_("informal"), null=True, blank=True)
    labour_force = models.BigIntegerField(_("labour force"), null=True, blank=True)
    # Civil servants, armed forces and police have their own schemes (Taspen, Asabri); a denominator may
    # leave them out (see services.workforce.denominator_of).
    public_servants = models.BigIntegerField(
        _("civil servants, armed forces and police"), null=True, blank=True
    )
    sectors = models.JSONField(_("by sector"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=300)
    synthetic = models.BooleanField(_("synthetic"), default=False)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("workforce statistic")
        verbose_name_plural = _("workforce statistics")
        ordering = ["region_id", "-year", "-survey_month"]
        constraints = [
            models.CheckConstraint(condition=Q(survey_month__in=[2, 8]), name="workforce_survey_month_2_8"),
            models.CheckConstraint(condition=Q(employed__gte=0), name="workforce_employed_nonneg"),
            models.UniqueConstraint(
                fields=["region", "year", "survey_month"],
                condition=Q(region__isnull=False),
                name="workforce_one_per_region_round",
            ),
            models.UniqueConstraint(
                fields=["year", "survey_month"],
                condition=Q(region__isnull=True),
                name="workforce_one_national_per_round",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id or 'ID'} {self.year}-{self.survey_month:02d}: {self.employed}"

    @property
    def survey(self) -> str:
        """The survey round as a month, "2024-08" (shown as "Agustus 2024" by the month filter)."""
        return f"{self.year}-{self.survey_month:02d}"


class CoverageSnapshot(models.Model):
    """Active memberships on the last day of `period`, per region, segment and sector.

    Level 2 rows are regencies/cities; level 1 rows are provinces (sums of their regencies). Indonesia is
    the sum of the province rows.
    """

    period = models.CharField(_("period"), max_length=7, help_text=_("YYYY-MM"))
    level = models.PositiveSmallIntegerField(_("level"))
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    segment = models.CharField(_("segment"), max_length=5)
    sector = models.CharField(_("sector"), max_length=30)
    active = models.BigIntegerField(_("active participants"))
    built_at = models.DateTimeField(_("built at"))

    class Meta:
        verbose_name = _("coverage snapshot row")
        verbose_name_plural = _("coverage snapshot rows")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "region", "segment", "sector"], name="snapshot_one_row_per_key"
            ),
            models.CheckConstraint(condition=Q(level__in=[1, 2]), name="snapshot_level_1_2"),
        ]
        indexes = [models.Index(fields=["period", "level"]), models.Index(fields=["region", "period"])]

    def __str__(self) -> str:
        return f"{self.period} {self.region_id} {self.segment}/{self.sector}: {self.active}"


class SnapshotBuild(models.Model):
    """One row per period whose snapshot has been built (a period with no members still has one)."""

    period = models.CharField(_("period"), max_length=7, primary_key=True)
    built_at = models.DateTimeField(_("built at"))
    rows = models.PositiveIntegerField(_("rows"))
    active = models.BigIntegerField(_("active participants"))

    class Meta:
        verbose_name = _("snapshot build")
        verbose_name_plural = _("snapshot builds")
        ordering = ["-period"]

    def __str__(self) -> str:
        return f"{self.period} ({self.active})"


class CoverageTarget(models.Model):
    """A yearly target of active participants for a region or a branch office, for a segment or all."""

    region = models.ForeignKey(
        "regions.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
    )
    branch_office = models.ForeignKey(
        "regions.BranchOffice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("branch office"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    segment = models.CharField(
        _("segment"), max_length=5, blank=True, default="", help_text=_("Empty for all segments.")
    )
    target = models.BigIntegerField(_("target (active participants)"))
    note = models.CharField(_("note"), max_length=300, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("coverage target")
        verbose_name_plural = _("coverage targets")
        ordering = ["-year", "region_id", "branch_office_id", "segment"]
        constraints = [
            models.CheckConstraint(
                condition=Q(region__isnull=False, branch_office__isnull=True)
                | Q(region__isnull=True, branch_office__isnull=False),
                name="target_region_xor_branch",
            ),
            models.CheckConstraint(condition=Q(target__gt=0), name="target_positive"),
            models.CheckConstraint(
                condition=Q(segment__in=["", "PU", "BPU", "JAKON", "PMI"]), name="target_segment_valid"
            ),
            models.UniqueConstraint(
                fields=["region", "year", "segment"],
                condition=Q(region__isnull=False),
                name="target_one_per_region",
            ),
            models.UniqueConstraint(
                fields=["branch_office", "year", "segment"],
                condition=Q(branch_office__isnull=False),
                name="target_one_per_branch",
            ),
        ]

    def __str__(self) -> str:
        who = self.region_id or f"branch {self.branch_office_id}"
        return f"{who} {self.year} {self.segment or 'all'}: {self.target}"


class Boundary(models.Model):
    """The outline of a province or regency, pre-projected for drawing (see services.boundaries).

    `path` is an SVG path in a national equirectangular frame: x = (lon - 95°) × 100, y = (6° - lat) × 100,
    rounded to whole units (0.01°, about 1 km), so a page picks a viewBox from the bounding box and draws.
    """

    region = models.OneToOneField(
        "regions.Region",
        on_delete=models.CASCADE,
        related_name="+",
        primary_key=True,
        verbose_name=_("region"),
    )
    path = models.TextField(_("SVG path"))
    min_x = models.IntegerField()
    min_y = models.IntegerField()
    max_x = models.IntegerField()
    max_y = models.IntegerField()
    vertices = models.PositiveIntegerField(_("vertices"))
    source = models.CharField(_("source"), max_length=300)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("boundary")
        verbose_name_plural = _("boundaries")

    def __str__(self) -> str:
        return f"{self.region_id} ({self.vertices} vertices)"


class FacilitySnapshot(models.Model):
    """A health facility's staff on the last day of `period` (coverage/facilities.py counts them, for the
    snapshot build and for a live read alike): staff reported (open jobs), of them covered (an active
    membership at the facility), staff registered (active memberships at it) and the programmes they
    hold. The health view of a province or of Indonesia sums these rows instead of checking every job."""

    period = models.CharField(_("period"), max_length=7, help_text=_("YYYY-MM"))
    employer = models.ForeignKey(
        "registry.Employer", on_delete=models.CASCADE, related_name="+", verbose_name=_("facility")
    )
    facility_type = models.CharField(_("facility type"), max_length=20)
    reported = models.IntegerField(_("staff reported"))
    covered = models.IntegerField(_("staff reported and covered"))
    registered = models.IntegerField(_("staff registered"))
    jkk = models.IntegerField("JKK")
    jkm = models.IntegerField("JKM")
    jht = models.IntegerField("JHT")
    jp = models.IntegerField("JP")
    jkp = models.IntegerField("JKP")
    built_at = models.DateTimeField()

    class Meta:
        verbose_name = _("facility snapshot")
        verbose_name_plural = _("facility snapshots")
        constraints = [
            models.UniqueConstraint(fields=["period", "employer"], name="facilitysnapshot_one_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.employer_id}: {self.covered}/{self.reported}"
