from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", _("national administrator")
    BRANCH_STAFF = "branch_staff", _("branch office staff")
    AGENCY = "agency", _("partner agency")
    EMPLOYER_HR = "employer_hr", _("employer HR")
    SPONSOR = "sponsor", _("sponsor")
    WORKER = "worker", _("worker")
    AGENT = "agent", _("field agent")


class User(AbstractUser):
    """A user with exactly one role, and the one object that role is scoped to."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    branch_office = models.ForeignKey(
        "regions.BranchOffice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("branch office"),
    )
    agency = models.ForeignKey(
        "partners.PartnerAgency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("partner agency"),
    )
    employer = models.ForeignKey(
        "registry.Employer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("employer"),
    )
    sponsor = models.ForeignKey(
        "registry.Sponsor",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sponsor"),
    )
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("own person record"),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Each role names the object it is scoped to, and no other; a broken account sees nothing.
            models.CheckConstraint(
                condition=(
                    Q(role="national_admin")
                    | Q(role="branch_staff", branch_office__isnull=False)
                    | Q(role="agency", agency__isnull=False)
                    | Q(role="employer_hr", employer__isnull=False)
                    | Q(role="sponsor", sponsor__isnull=False)
                    | Q(role="worker", person__isnull=False)
                    | Q(role="agent", branch_office__isnull=False)
                ),
                name="user_role_scope_named",
            ),
        ]
