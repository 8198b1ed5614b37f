from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PartnerAgency(models.Model):
    """A regional agency that works with the branch: Dinas Kesehatan, Dinas Ketenagakerjaan, a Pemda.

    Its users see workers and employers of its region, limited to its sector (a health agency: health
    facilities), and submit rosters. Its agreements with the branch office follow below (issue 16).
    """

    class Kind(models.TextChoices):
        HEALTH = "dinkes", _("health agency (Dinas Kesehatan)")
        LABOUR = "disnaker", _("labour agency (Dinas Ketenagakerjaan)")
        GOVERNMENT = "pemda", _("regional government (Pemda)")

    class Sector(models.TextChoices):
        HEALTH = "health", _("health facilities")
        ALL = "all", _("all sectors")

    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    sector = models.CharField(_("sector"), max_length=10, choices=Sector.choices, default=Sector.ALL)

    class Meta:
        verbose_name = _("partner agency")
        verbose_name_plural = _("partner agencies")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "region"], name="partneragency_name_region")]

    def __str__(self) -> str:
        return self.name


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SIGNED = "signed", _("signed")
    ACTIVE = "active", _("in force")
    EXPIRING = "expiring", _("expiring")
    ENDED = "ended", _("ended")
    RENEWED = "renewed", _("renewed")


# The lifecycle of a cooperation agreement (PKS): which status may follow which. An agreement in force may
# end early (terminated) or be renewed before it enters its last 90 days; ended and renewed are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    AgreementStatus.DRAFT: frozenset({AgreementStatus.SIGNED}),
    AgreementStatus.SIGNED: frozenset({AgreementStatus.ACTIVE}),
    AgreementStatus.ACTIVE: frozenset(
        {AgreementStatus.EXPIRING, AgreementStatus.ENDED, AgreementStatus.RENEWED}
    ),
    AgreementStatus.EXPIRING: frozenset({AgreementStatus.ENDED, AgreementStatus.RENEWED}),
    AgreementStatus.ENDED: frozenset(),
    AgreementStatus.RENEWED: frozenset(),
}


class Agreement(models.Model):
    """A cooperation agreement (perjanjian kerja sama, PKS) between a branch office and one or more
    counterparties (AgreementParty), with its scope (regions, sectors, segments), obligations, documents
    and KPIs. `region` is the regency the agreement is about (lists filter by it); `regions` may widen it."""

    number = models.CharField(_("agreement number"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    branch_office = models.ForeignKey(
        "regions.BranchOffice", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch office")
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    regions = models.ManyToManyField(
        "regions.Region", blank=True, related_name="+", verbose_name=_("regions covered")
    )
    sectors = models.JSONField(_("sectors"), default=list, blank=True)
    segments = models.JSONField(_("segments"), default=list, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=10, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("renews")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cooperation agreement")
        verbose_name_plural = _("cooperation agreements")
        ordering = ["-valid_from", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AgreementStatus.values), name="agreement_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__gt=F("valid_from")), name="agreement_valid_to_after"
            ),
            # Only a draft may lack its signing date: every later status follows a signature.
            models.CheckConstraint(
                condition=Q(status=AgreementStatus.DRAFT) | Q(signed_on__isnull=False),
                name="agreement_signed_unless_draft",
            ),
        ]
        indexes = [models.Index(fields=["region", "status"], name="agreement_region_status")]

    def __str__(self) -> str:
        return self.number


class AgreementParty(models.Model):
    """A counterparty of an agreement: a partner agency, a regional government, an employer, an
    association (named freely) or a sponsor. The branch office is the agreement's own party."""

    class Kind(models.TextChoices):
        AGENCY = "agency", _("partner agency")
        GOVERNMENT = "government", _("regency or city government")
        EMPLOYER = "employer", _("company")
        ASSOCIATION = "association", _("association")
        SPONSOR = "sponsor", pgettext_lazy("agreement party", "sponsor")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    agency = models.ForeignKey(
        PartnerAgency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    government = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    employer = models.ForeignKey(
        "registry.Employer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sponsor = models.ForeignKey(
        "registry.Sponsor", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("agreement party")
        verbose_name_plural = _("agreement parties")
        ordering = ["agreement", "id"]
        constraints = [
            # Each kind names exactly its own object (an association only its name).
            models.CheckConstraint(
                condition=(
                    Q(kind="agency", agency__isnull=False, government__isnull=True, employer__isnull=True)
                    | Q(
                        kind="government",
                        government__isnull=False,
                        agency__isnull=True,
                        employer__isnull=True,
                    )
                    | Q(kind="employer", employer__isnull=False, agency__isnull=True, government__isnull=True)
                    | Q(
                        kind="association",
                        agency__isnull=True,
                        government__isnull=True,
                        employer__isnull=True,
                    )
                    | Q(kind="sponsor", agency__isnull=True, government__isnull=True, employer__isnull=True)
                )
                & (Q(kind="sponsor", sponsor__isnull=False) | (~Q(kind="sponsor") & Q(sponsor__isnull=True))),
                name="agreementparty_kind_names_its_object",
            ),
        ]
        indexes = [models.Index(fields=["agency"], name="agreementparty_agency")]

    def __str__(self) -> str:
        return self.name


class Obligation(models.Model):
    """One line of the agreement's checklist; ticked per month (ObligationMark)."""

    class Kind(models.TextChoices):
        WORKFORCE_DATA = "workforce_data", _("monthly workforce data")
        ENFORCEMENT = "enforcement", _("joint enforcement")
        SPONSORING = "sponsoring", _("sponsoring contributions")
        SOCIALISATION = "socialisation", _("socialisation events")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="obligations")
    kind = models.CharField(_("obligation"), max_length=16, choices=Kind.choices)
    party = models.CharField(_("responsible party"), max_length=200, blank=True, default="")
    note = models.CharField(_("note"), max_length=300, blank=True, default="")

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["agreement", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "kind", "party"], name="obligation_once_per_party"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.kind}"


class ObligationMark(models.Model):
    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="marks")
    period = models.CharField(_("month"), max_length=7)
    done = models.BooleanField(_("done"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True, default="")
    marked_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("obligation mark")
        verbose_name_plural = _("obligation marks")
        ordering = ["obligation", "period"]
        constraints = [
            models.UniqueConstraint(fields=["obligation", "period"], name="obligationmark_once_a_month"),
        ]

    def __str__(self) -> str:
        return f"{self.obligation_id} {self.period} {self.done}"


class AgreementDocument(models.Model):
    """A signed PDF of the agreement (or an annex), stored under VAR_DIR/private/agreements by a random
    name and served only through the scoped download view."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file_name = models.CharField(_("file"), max_length=255)
    stored_name = models.CharField(max_length=64, unique=True, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agreement document")
        verbose_name_plural = _("agreement documents")
        ordering = ["agreement", "-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class AgreementAlert(models.Model):
    """One alert per agreement, threshold (90/30 days) and end date: the daily job raises each once; an
    extended agreement (a new end date) is alerted again."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="alerts")
    threshold_days = models.PositiveSmallIntegerField(_("days before"))
    ends_on = models.DateField(_("ends on"))
    emailed_to = models.JSONField(_("e-mailed to"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agreement alert")
        verbose_name_plural = _("agreement alerts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "threshold_days", "ends_on"], name="agreementalert_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.threshold_days}d"


class KpiStatus(models.TextChoices):
    ON_TRACK = "on_track", _("on track")
    BEHIND = "behind", _("behind")
    REACHED = "reached", _("reached")


class AgreementKpi(models.Model):
    """A KPI of an agreement: a definition from the catalogue (partners.kpis), its parameters, baseline and
    target. Percent KPIs hold percent points (79.3), counts whole numbers."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="kpis")
    key = models.CharField(_("KPI"), max_length=40)
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sector = models.CharField(_("sector"), max_length=30, blank=True, default="")
    segment = models.CharField(_("segment"), max_length=5, blank=True, default="")
    sponsor = models.ForeignKey(
        "registry.Sponsor", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=1)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=1)

    class Meta:
        verbose_name = _("agreement KPI")
        verbose_name_plural = _("agreement KPIs")
        ordering = ["agreement", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(baseline__gte=0), name="agreementkpi_baseline_nonneg"),
            models.CheckConstraint(condition=Q(target__gte=0), name="agreementkpi_target_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.key}"

    @property
    def region_code(self) -> str:
        """The regency measured: the KPI's own, else the agreement's."""
        return self.region_id or self.agreement.region_id


class KpiValue(models.Model):
    """A KPI's value for one month, with what it was computed from and the linear path's expectation."""

    agreement_kpi = models.ForeignKey(AgreementKpi, on_delete=models.CASCADE, related_name="values")
    period = models.CharField(_("month"), max_length=7)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=1)
    numerator = models.BigIntegerField(null=True, blank=True)
    denominator = models.BigIntegerField(null=True, blank=True)
    expected = models.DecimalField(_("expected on the path"), max_digits=14, decimal_places=1)
    status = models.CharField(_("status"), max_length=10, choices=KpiStatus.choices)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("KPI value")
        verbose_name_plural = _("KPI values")
        ordering = ["agreement_kpi", "period"]
        constraints = [
            models.UniqueConstraint(fields=["agreement_kpi", "period"], name="kpivalue_once_a_month"),
            models.CheckConstraint(condition=Q(status__in=KpiStatus.values), name="kpivalue_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_kpi_id} {self.period}: {self.value}"
