from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerAgency(models.Model):
    """A regional agency that works with the branch: Dinas Kesehatan, Dinas Ketenagakerjaan, a Pemda.

    Its users see workers and employers of its region, limited to its sector (a health agency: health
    facilities), and submit rosters. Agreements, events and KPIs come in a later issue.
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
