"""The registry: persons (NIK), employers (NPP), employment and memberships.

Invariants live in the database first (check and conditional unique constraints), then in services.
Money is whole Rupiah in BIGINT columns.
"""

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "L", _("male")
    FEMALE = "P", _("female")


class Citizenship(models.TextChoices):
    WNI = "WNI", _("Indonesian citizen")
    WNA = "WNA", _("foreign national")


class Segment(models.TextChoices):
    PU = "PU", _("wage earner (PU)")
    BPU = "BPU", _("informal worker (BPU)")
    JAKON = "JAKON", _("construction (Jakon)")
    PMI = "PMI", _("migrant worker (PMI)")


class Program(models.TextChoices):
    JKK = "JKK", _("work accident (JKK)")
    JKM = "JKM", _("death (JKM)")
    JHT = "JHT", _("old-age savings (JHT)")
    JP = "JP", _("pension (JP)")
    JKP = "JKP", _("job loss (JKP)")


# Which programmes each segment may hold: JP only for wage earners (PP 45/2015; rules.md §1.2-1.4),
# JKP only for wage earners (PP 37/2021), Jakon JKK+JKM only (Permenakertrans 44/2015), PMI JKK+JKM+JHT
# (Permenaker 4/2023).
PROGRAMS_BY_SEGMENT: dict[str, tuple[str, ...]] = {
    Segment.PU: ("JKK", "JKM", "JHT", "JP", "JKP"),
    Segment.BPU: ("JKK", "JKM", "JHT"),
    Segment.JAKON: ("JKK", "JKM"),
    Segment.PMI: ("JKK", "JKM", "JHT"),
}


class Person(models.Model):
    # Unique by a constraint in Meta, not unique=True: on PostgreSQL a unique CharField also gets a second
    # index for LIKE 'prefix%', and NIKs are only ever looked up whole. Every row written pays for each
    # index: without the NIK and KPJ LIKE indexes and the three indexes that repeated others (migration
    # 0003), a million-row roster import went from 63.6 s to 56.5 s.
    nik = models.CharField(_("NIK"), max_length=16)
    full_name = models.CharField(_("full name"), max_length=160)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True, default="")
    address_region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("address region"),
        help_text=_("Regency/city or district of residence."),
    )
    citizenship = models.CharField(
        _("citizenship"), max_length=3, choices=Citizenship.choices, default=Citizenship.WNI
    )
    # Warnings from NIK validation kept for review (e.g. the NIK's birth date differs from the recorded
    # one, which Dukcapil says can legitimately happen and cannot be corrected: rules.md §11.1).
    nik_warnings = models.JSONField(_("NIK warnings"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["full_name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(sex__in=["L", "P"]), name="person_sex_valid"),
            models.CheckConstraint(
                condition=Q(citizenship__in=["WNI", "WNA"]), name="person_citizenship_valid"
            ),
            models.UniqueConstraint(fields=["nik"], name="person_nik_unique"),
        ]
        # address_region needs no index of its own here: its foreign key has one. The upper-cased name
        # with the id: the national admin's name search, a case-folded prefix, is one range of it in its
        # own order (registry.selectors.person_search).
        indexes = [
            models.Index(fields=["full_name"]),
            models.Index(Upper("full_name"), F("id"), name="person_upper_name"),
        ]

    def __str__(self) -> str:
        return self.full_name


class Employer(models.Model):
    class LegalForm(models.TextChoices):
        PT = "PT", _("limited company (PT)")
        CV = "CV", _("limited partnership (CV)")
        FIRMA = "FIRMA", _("partnership (Firma)")
        KOPERASI = "KOPERASI", _("cooperative (Koperasi)")
        YAYASAN = "YAYASAN", _("foundation (Yayasan)")
        PERORANGAN = "PERORANGAN", _("sole proprietor")
        BUMN = "BUMN", _("state-owned enterprise (BUMN)")
        BUMD = "BUMD", _("regional enterprise (BUMD)")
        INSTANSI = "INSTANSI", _("government body")
        OTHER = "OTHER", _("other")

    class SizeClass(models.TextChoices):
        MIKRO = "mikro", _("micro")
        KECIL = "kecil", _("small")
        MENENGAH = "menengah", _("medium")
        BESAR = "besar", _("large")

    class FacilityType(models.TextChoices):
        RUMAH_SAKIT = "rumah_sakit", _("hospital")
        KLINIK = "klinik", _("clinic")
        PUSKESMAS = "puskesmas", _("community health centre (puskesmas)")
        PRAKTIK_MANDIRI = "praktik_mandiri", _("independent practice")
        BIDAN = "bidan", _("midwife practice")
        APOTEK = "apotek", _("pharmacy")

    npp = models.CharField(_("NPP"), max_length=20, unique=True)
    nib = models.CharField(_("NIB"), max_length=13, blank=True, default="")
    name = models.CharField(_("name"), max_length=200)
    legal_form = models.CharField(_("legal form"), max_length=12, choices=LegalForm.choices)
    size_class = models.CharField(_("size class"), max_length=10, choices=SizeClass.choices)
    kbli = models.CharField(_("sector (KBLI)"), max_length=5, help_text=_("5-digit KBLI 2020 code."))
    risk_class = models.PositiveSmallIntegerField(
        _("JKK risk class"), help_text=_("1 very low … 5 very high (PP 44/2015 Lampiran I).")
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    branch_office = models.ForeignKey(
        "regions.BranchOffice",
        on_delete=models.PROTECT,
        related_name="employers",
        verbose_name=_("branch office"),
    )
    facility_type = models.CharField(
        _("health facility type"), max_length=20, choices=FacilityType.choices, blank=True, default=""
    )
    # PP 49/2020: an employer that qualified for and asked the JP deferral (contributions of Aug 2020 -
    # Jan 2021); billing then charges 1 % of JP for those months (registry/services/relief.py sets it).
    jp_deferral_pp49 = models.BooleanField(_("JP deferral under PP 49/2020"), default=False, db_default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(risk_class__gte=1, risk_class__lte=5), name="employer_risk_class_1_5"
            ),
            models.UniqueConstraint(
                fields=["nib"], condition=~Q(nib=""), name="employer_nib_unique_when_set"
            ),
            models.CheckConstraint(
                condition=Q(size_class__in=["mikro", "kecil", "menengah", "besar"]),
                name="employer_size_class_valid",
            ),
        ]
        indexes = [models.Index(fields=["name"]), models.Index(fields=["region"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.npp})"


class Sponsor(models.Model):
    """A payer for others: a regional budget (APBD), a company's CSR, a donor."""

    class Kind(models.TextChoices):
        APBD = "apbd", _("regional budget (APBD)")
        CSR = "csr", _("corporate social responsibility (CSR)")
        DONOR = "donor", _("donor")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
        help_text=_("For APBD: the region whose budget pays. Otherwise where the sponsor works."),
    )
    employer = models.ForeignKey(
        Employer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sponsorships",
        verbose_name=_("company"),
        help_text=_("For CSR: the company that pays."),
    )
    # The monthly income declared for its members when a roster gives none (rules.md §1.3: BPU
    # contributions are a share of declared income). Empty: the lowest BPU level of the rules tables.
    income_basis = models.PositiveBigIntegerField(
        _("income basis"),
        null=True,
        blank=True,
        help_text=_(
            "Monthly income declared for members whose roster gives none; empty: the lowest BPU level."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sponsor")
        verbose_name_plural = _("sponsors")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "kind"], name="sponsor_name_kind_unique")]

    def __str__(self) -> str:
        return self.name


class Employment(models.Model):
    class Occupation(models.TextChoices):
        MEDIS = "medis", _("medical staff (tenaga medis)")
        KESEHATAN = "kesehatan", _("health worker (tenaga kesehatan)")
        OTHER = "other", _("other")

    class CivilService(models.TextChoices):
        ASN = "ASN", _("civil servant (ASN)")
        NON_ASN = "NON_ASN", _("non civil servant")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="employments")
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="employments")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    # Wage for contributions = upah pokok + tunjangan tetap (rules.md §2.1), whole Rupiah.
    basic_wage = models.BigIntegerField(_("basic wage (upah pokok)"))
    fixed_allowance = models.BigIntegerField(_("fixed allowances (tunjangan tetap)"), default=0)
    occupation = models.CharField(
        _("occupation group"), max_length=10, choices=Occupation.choices, default=Occupation.OTHER
    )
    civil_service = models.CharField(
        _("civil-servant status"), max_length=8, choices=CivilService.choices, default=CivilService.NON_ASN
    )
    # Scope keys (registry/services/scope_keys.py): what an agency's lists filter on, kept by every write.
    person_regency = models.CharField(max_length=5, db_default="", editable=False)
    employer_regency = models.CharField(max_length=5, db_default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        ordering = ["-start_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(basic_wage__gte=0), name="employment_basic_wage_nonneg"),
            models.CheckConstraint(condition=Q(fixed_allowance__gte=0), name="employment_allowance_nonneg"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="employment_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["person", "employer"],
                condition=Q(end_date__isnull=True),
                name="employment_one_open_per_employer",
            ),
        ]
        indexes = [
            models.Index(fields=["person_regency"], name="employment_person_regency"),
            models.Index(fields=["employer_regency"], name="employment_employer_regency"),
            # The list's order (newest start first): a first page reads the index's head, not a sort of
            # every job in scope.
            models.Index(fields=["-start_date", "id"], name="employment_list_order"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.employer_id}"

    @property
    def monthly_wage(self) -> int:
        return self.basic_wage + self.fixed_allowance


class WageHistory(models.Model):
    """One wage of an employment and the month it starts in; it holds until the next row's month.

    Kept by `registry/services/wages.py` (employment writes and the roster import); the JP average indexed
    wage (PP 45/2015) reads the whole history."""

    employment = models.ForeignKey(Employment, on_delete=models.CASCADE, related_name="wages")
    # The first day of the month the wage starts in.
    start_month = models.DateField(_("from month"))
    basic_wage = models.BigIntegerField(_("basic wage (upah pokok)"))
    fixed_allowance = models.BigIntegerField(_("fixed allowances (tunjangan tetap)"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("wage history")
        verbose_name_plural = _("wage history")
        ordering = ["employment_id", "start_month"]
        constraints = [
            models.UniqueConstraint(fields=["employment", "start_month"], name="wage_history_one_per_month"),
            models.CheckConstraint(condition=Q(basic_wage__gte=0), name="wage_history_basic_nonneg"),
            models.CheckConstraint(condition=Q(fixed_allowance__gte=0), name="wage_history_allowance_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.employment_id} from {self.start_month:%Y-%m}"

    @property
    def monthly_wage(self) -> int:
        return self.basic_wage + self.fixed_allowance


class Membership(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        INACTIVE = "inactive", _("non-active")
        ENDED = "ended", _("ended")

    class PayerKind(models.TextChoices):
        EMPLOYER = "employer", _("employer")
        SELF = "self", _("self")
        SPONSOR = "sponsor", _("sponsor")
        GOVERNMENT = "government", _("government (APBN)")

    class BpuSector(models.TextChoices):
        TRANSPORT = "transport", _("transport (ojek, drivers, couriers)")
        OTHER = "other", _("other informal work")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    kpj = models.CharField(_("KPJ number"), max_length=11)  # unique by a constraint in Meta, as Person.nik
    segment = models.CharField(_("segment"), max_length=5, choices=Segment.choices)
    # One column per programme: billing and coverage filter on them in SQL, and the database can refuse
    # a programme the segment may not hold.
    jkk = models.BooleanField("JKK", default=True)
    jkm = models.BooleanField("JKM", default=True)
    jht = models.BooleanField("JHT", default=False)
    jp = models.BooleanField("JP", default=False)
    jkp = models.BooleanField("JKP", default=False)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    payer_kind = models.CharField(_("payer"), max_length=10, choices=PayerKind.choices)
    employer = models.ForeignKey(
        Employer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("employer"),
        db_index=False,  # the index (employer, status) serves it
    )
    employment = models.ForeignKey(
        Employment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("employment"),
    )
    sponsor = models.ForeignKey(
        Sponsor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("sponsor"),
        db_index=False,  # the index (sponsor, status) serves it
    )
    declared_income = models.BigIntegerField(_("declared income (BPU)"), null=True, blank=True)
    bpu_sector = models.CharField(
        _("BPU sector"), max_length=10, choices=BpuSector.choices, blank=True, default=""
    )
    # Jakon: the project's contract value (rules.md §3.1, contribution by bracket); PMI: the work contract's
    # length in months (§3.2). Both are paid once for the contract, billed in the membership's first month.
    contract_value = models.BigIntegerField(_("contract value (Jakon)"), null=True, blank=True)
    contract_months = models.PositiveSmallIntegerField(
        _("contract length in months (PMI)"), null=True, blank=True
    )
    # PMI (Permenaker 4/2023 Pasal 18, rules.md §3.2): the optional JHT amount the worker chose (billed each
    # month), and whether the worker goes on their own (perseorangan): only one placed through an agency
    # pays the pre-placement protection (Pasal 18 ayat 1 huruf a; ayat 2 names no such fee).
    pmi_jht_amount = models.PositiveIntegerField(_("JHT amount chosen (PMI)"), null=True, blank=True)
    pmi_individual = models.BooleanField(
        _("individual migrant worker (no placement agency)"), default=False, db_default=False
    )
    # Scope keys, as on Employment ('' for a membership without an employer).
    person_regency = models.CharField(max_length=5, db_default="", editable=False)
    employer_regency = models.CharField(max_length=5, db_default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    PROGRAM_FIELDS = ("jkk", "jkm", "jht", "jp", "jkp")

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-start_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kpj"], name="membership_kpj_unique"),
            models.CheckConstraint(
                condition=Q(segment__in=["PU", "BPU", "JAKON", "PMI"]), name="membership_segment_valid"
            ),
            models.CheckConstraint(condition=Q(jp=False) | Q(segment="PU"), name="membership_jp_only_pu"),
            models.CheckConstraint(condition=Q(jkp=False) | Q(segment="PU"), name="membership_jkp_only_pu"),
            models.CheckConstraint(
                condition=Q(jht=False) | ~Q(segment="JAKON"), name="membership_no_jht_jakon"
            ),
            models.CheckConstraint(
                condition=Q(jkk=True) | Q(jkm=True) | Q(jht=True), name="membership_has_a_programme"
            ),
            models.CheckConstraint(
                condition=~Q(payer_kind="employer") | Q(employer__isnull=False),
                name="membership_employer_payer_named",
            ),
            models.CheckConstraint(
                condition=~Q(payer_kind="sponsor") | Q(sponsor__isnull=False),
                name="membership_sponsor_payer_named",
            ),
            models.CheckConstraint(
                condition=~Q(segment="PU") | Q(employer__isnull=False), name="membership_pu_has_employer"
            ),
            models.CheckConstraint(
                # isnull=False spelled out: in SQL, NULL > 0 is unknown, and a CHECK lets unknown pass.
                condition=~Q(segment="BPU")
                | (Q(declared_income__isnull=False, declared_income__gt=0) & ~Q(bpu_sector="")),
                name="membership_bpu_income_and_sector",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["person", "segment"],
                condition=Q(status="active") & Q(employer__isnull=True),
                name="membership_one_active_per_segment_without_employer",
            ),
            models.UniqueConstraint(
                fields=["person", "employer"],
                condition=Q(status="active") & Q(employer__isnull=False),
                name="membership_one_active_per_employer",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "segment"]),
            models.Index(fields=["employer", "status"]),
            models.Index(fields=["sponsor", "status"]),
            models.Index(fields=["person_regency"], name="membership_person_regency"),
            models.Index(fields=["employer_regency"], name="membership_employer_regency"),
            models.Index(fields=["-start_date", "id"], name="membership_list_order"),
        ]

    def __str__(self) -> str:
        return f"{self.kpj} {self.segment}"

    @property
    def programs(self) -> list[str]:
        return [f.upper() for f in self.PROGRAM_FIELDS if getattr(self, f)]


class PersonAudience(models.Model):
    """Who sees a person besides the national admin, one row per viewer key (accounts.scope.AudienceKind:
    `b:<branch office id>`, `a:<regency>`, `h:<regency>`, `e:<employer id>`, `s:<sponsor id>`). Derived from
    the registry rows and kept by every write path (registry/services/scope_keys.py), so a branch officer's
    million persons are one range of the (key, person) primary key, in person order, and one range of
    (key, full_name, person) in the person list's order."""

    pk = models.CompositePrimaryKey("key", "person")
    key = models.CharField(max_length=16)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="audiences")
    # The person's name, copied so that a key's persons are one index range in the person list's order
    # (full name, id): a page of an employer's 50,000 workers reads 21 index entries, not 50,000 persons.
    full_name = models.CharField(max_length=160, db_default="", editable=False)

    class Meta:
        verbose_name = _("person audience")
        verbose_name_plural = _("person audiences")
        indexes = [models.Index(fields=["key", "full_name", "person"], name="personaudience_list_order")]

    def __str__(self) -> str:
        return f"{self.key} {self.person_id}"
