"""What a sponsor's money buys and for how long (issue 15).

- `FundedPeriod`: one budget of one sponsor: its source (APBN, APBD, APBDes, CSR, donor, zakat), the budget
  document, the amount in whole Rupiah, the first and last month it pays for, the programmes it pays (JKK +
  JKM always, JHT optional), the declared income its members are billed on and a cap on members. The
  periods of one sponsor do not overlap (services/funding.py), so a bill of month M draws on the one period
  that covers M.
- `FundingAlert`: one alert per funded period, threshold (90/60/30 days) and what ends (the money or the
  period): unique, so the daily job raises each once, and records whom it e-mailed.
- `SponsorVillage`: a village (desa/kelurahan, a 13-character Kemendagri code from the region data) that
  pays through its village fund (APBDes); the sponsor's region is the village's district, so scope by region
  keeps one regency's villages from another's.
- `TargetList` / `TargetRow`: a sponsor's candidate list (a DTKS extract) and the class of each row after
  matching against the registry (services/target_lists.py).
- `CoverEnding`: what was decided for a member whose sponsored cover ends (renew, move, convert, end), and
  what the follow-up 3, 6 and 12 months later finds.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

PERIOD_REGEX = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


class FundedPeriod(models.Model):
    class Source(models.TextChoices):
        APBN = "apbn", _("state budget (APBN)")
        APBD_PROVINCE = "apbd_province", _("provincial budget (APBD)")
        APBD_REGENCY = "apbd_regency", _("regency or city budget (APBD)")
        APBDES = "apbdes", _("village fund (APBDes)")
        CSR = "csr", _("corporate social responsibility (CSR)")
        DONOR = "donor", _("donor")
        ZAKAT = "zakat", _("zakat")

    sponsor = models.ForeignKey(
        "registry.Sponsor", on_delete=models.PROTECT, related_name="funded_periods", verbose_name=_("sponsor")
    )
    source = models.CharField(_("source of funds"), max_length=16, choices=Source.choices)
    document = models.CharField(_("budget document"), max_length=200)
    amount = models.BigIntegerField(_("amount"))
    first_month = models.CharField(_("first month"), max_length=7)
    last_month = models.CharField(_("last month"), max_length=7)
    jht = models.BooleanField(_("pays JHT"), default=False)
    declared_income = models.BigIntegerField(_("declared income"))
    member_cap = models.PositiveIntegerField(_("member cap"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("funded period")
        verbose_name_plural = _("funded periods")
        ordering = ["sponsor", "first_month"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="fundedperiod_amount_nonneg"),
            models.CheckConstraint(condition=Q(declared_income__gt=0), name="fundedperiod_income_positive"),
            models.CheckConstraint(condition=Q(member_cap__gt=0), name="fundedperiod_cap_positive"),
            models.CheckConstraint(
                condition=Q(last_month__gte=F("first_month")), name="fundedperiod_last_after_first"
            ),
            models.UniqueConstraint(fields=["sponsor", "first_month"], name="fundedperiod_one_start"),
        ]

    def __str__(self) -> str:
        return f"{self.sponsor_id} {self.first_month}..{self.last_month}"

    def covers(self, period: str) -> bool:
        return self.first_month <= period <= self.last_month


class FundingAlert(models.Model):
    class Ends(models.TextChoices):
        MONEY = "money", _("the money")
        PERIOD = "period", _("the funded period")

    funded_period = models.ForeignKey(FundedPeriod, on_delete=models.CASCADE, related_name="alerts")
    threshold_days = models.PositiveSmallIntegerField(_("days before"))
    ends = models.CharField(_("what ends"), max_length=8, choices=Ends.choices)
    ends_on = models.DateField(_("ends on"))
    emailed_to = models.JSONField(_("e-mailed to"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("funding alert")
        verbose_name_plural = _("funding alerts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["funded_period", "threshold_days", "ends"], name="fundingalert_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funded_period_id} {self.ends} {self.threshold_days}d"


class SponsorVillage(models.Model):
    sponsor = models.OneToOneField(
        "registry.Sponsor", on_delete=models.PROTECT, related_name="village", primary_key=True
    )
    code = models.CharField(_("village code"), max_length=13, unique=True)
    name = models.CharField(_("village"), max_length=120)
    regency = models.CharField(_("regency code"), max_length=5, db_index=True)

    class Meta:
        verbose_name = _("village sponsor")
        verbose_name_plural = _("village sponsors")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MatchClass(models.TextChoices):
    THIS_SPONSOR = "this_sponsor", _("covered by this sponsor")
    OTHER_SPONSOR = "other_sponsor", _("covered by another sponsor")
    WAGE_EARNER = "wage_earner", _("covered as a wage earner")
    SELF_PAID = "self_paid", _("covered as self-paid")
    NOT_COVERED = "not_covered", _("not covered")
    INVALID = "invalid", _("invalid NIK")
    DUPLICATE = "duplicate", _("listed twice")


class TargetList(models.Model):
    sponsor = models.ForeignKey("registry.Sponsor", on_delete=models.PROTECT, related_name="target_lists")
    file_name = models.CharField(_("file"), max_length=255)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    enrolled = models.PositiveIntegerField(_("enrolled"), default=0)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("target list")
        verbose_name_plural = _("target lists")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.sponsor_id} {self.file_name}"


class TargetRow(models.Model):
    target_list = models.ForeignKey(TargetList, on_delete=models.CASCADE, related_name="target_rows")
    line = models.PositiveIntegerField(_("line"))
    nik = models.CharField("NIK", max_length=32)
    name = models.CharField(_("name"), max_length=200, blank=True, default="")
    address = models.CharField(_("address"), max_length=300, blank=True, default="")
    decile = models.PositiveSmallIntegerField(_("welfare decile"), null=True, blank=True)
    klass = models.CharField(_("class"), max_length=16, choices=MatchClass.choices, blank=True, default="")
    # The match's pointer to the registry person, written a million rows at a time. No database constraint:
    # checking it at commit would lock every matched person's row (FOR KEY SHARE), the slowest step of a
    # match (bench/sponsorship.py); Django's SET_NULL still clears it when a person is deleted.
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    other_sponsor = models.ForeignKey(
        "registry.Sponsor", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    enrolled = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("target row")
        verbose_name_plural = _("target rows")
        ordering = ["target_list", "line"]
        constraints = [models.UniqueConstraint(fields=["target_list", "line"], name="targetrow_one_per_line")]
        indexes = [models.Index(fields=["target_list", "klass"], name="targetrow_list_class")]

    def __str__(self) -> str:
        return f"{self.target_list_id}:{self.line} {self.klass}"


class CoverEnding(models.Model):
    class Action(models.TextChoices):
        RENEW = "renew", _("renewed into the next funded period")
        MOVE = "move", _("moved to another sponsor")
        CONVERT = "convert", _("converted to self-paid")
        END = "end", _("ended")

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for the other sponsor")
        DONE = "done", _("done")
        DECLINED = "declined", _("declined by the other sponsor")

    membership = models.ForeignKey(
        "registry.Membership", on_delete=models.PROTECT, related_name="cover_endings"
    )
    sponsor = models.ForeignKey("registry.Sponsor", on_delete=models.PROTECT, related_name="cover_endings")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    ended_month = models.CharField(_("last sponsored month"), max_length=7)
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    new_membership = models.ForeignKey(
        "registry.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_sponsor = models.ForeignKey(
        "registry.Sponsor", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A move waits for the other sponsor: pending until it accepts (done) or declines (declined).
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.DONE)
    # When the decision took effect in the registry (services/endings.py: the month after the last
    # sponsored one): a conversion or an accepted move changes the payer only once the sponsor's months
    # are over, so the sponsor's last bill is still the sponsor's.
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    # The follow-up (services/endings_follow.py): still active 3, 6 and 12 months after the last
    # sponsored month; empty until that month has passed.
    active_3 = models.BooleanField(_("active 3 months later"), null=True, blank=True)
    active_6 = models.BooleanField(_("active 6 months later"), null=True, blank=True)
    active_12 = models.BooleanField(_("active 12 months later"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("end of sponsored cover")
        verbose_name_plural = _("ends of sponsored cover")
        ordering = ["-ended_month", "id"]
        indexes = [
            models.Index(fields=["sponsor", "ended_month"], name="coverending_sponsor_month"),
            models.Index(fields=["to_sponsor", "state"], name="coverending_to_sponsor"),
        ]
        constraints = [
            # One decision per membership and last sponsored month (a declined move may be decided again).
            models.UniqueConstraint(
                fields=["membership", "ended_month"],
                condition=~Q(state="declined"),
                name="coverending_one_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.action} {self.ended_month}"


class BillFlag(models.Model):
    """A sponsor's bill of one month that its funding does not cover, found before the bill is issued
    (services/bill_check.py, run ahead of the monthly billing): no funded period covers the month, the
    bill is beyond the money left, or the cohort is beyond the period's cap."""

    class Reason(models.TextChoices):
        NO_PERIOD = "no_period", _("no funded period covers this month")
        BEYOND_MONEY = "beyond_money", _("the bill is beyond the money left")
        OVER_CAP = "over_cap", _("more members than the cap")

    sponsor = models.ForeignKey("registry.Sponsor", on_delete=models.CASCADE, related_name="bill_flags")
    period = models.CharField(_("period"), max_length=7)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    members = models.PositiveIntegerField(_("members"))
    amount = models.BigIntegerField(_("bill forecast"))
    available = models.BigIntegerField(_("money left"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bill flag")
        verbose_name_plural = _("bill flags")
        ordering = ["-period", "sponsor"]
        constraints = [
            models.UniqueConstraint(fields=["sponsor", "period", "reason"], name="billflag_once"),
        ]

    def __str__(self) -> str:
        return f"{self.sponsor_id} {self.period} {self.reason}"


class ArrearsLetter(models.Model):
    """A letter to a village (or any sponsor) more than three months in arrears (issue 15); one per
    sponsor and month of issue, so the monthly run does not write it twice."""

    sponsor = models.ForeignKey("registry.Sponsor", on_delete=models.PROTECT, related_name="arrears_letters")
    month = models.CharField(_("month of issue"), max_length=7)
    as_of = models.DateField(_("as of"))
    months_in_arrears = models.PositiveSmallIntegerField(_("months in arrears"))
    outstanding = models.BigIntegerField(_("outstanding"))
    oldest_period = models.CharField(_("oldest unpaid period"), max_length=7)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("arrears letter")
        verbose_name_plural = _("arrears letters")
        ordering = ["-as_of", "sponsor"]
        constraints = [
            models.UniqueConstraint(fields=["sponsor", "month"], name="arrearsletter_once_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.sponsor_id} {self.month}"


class SponsorAgreement(models.Model):
    """What a sponsor's agreement with the branch office grants (issue 15): `full_data` lets the sponsor's
    export show its members' full NIK; without it the NIK is masked. Set by the office, audited."""

    sponsor = models.OneToOneField(
        "registry.Sponsor", on_delete=models.CASCADE, related_name="agreement", primary_key=True
    )
    full_data = models.BooleanField(_("full data granted"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sponsor agreement")
        verbose_name_plural = _("sponsor agreements")

    def __str__(self) -> str:
        return f"{self.sponsor_id} full={self.full_data}"


class MemberMessage(models.Model):
    """A message to a member about their own cover, shown on their own page (/me/): today the conversion to
    self-paid after a sponsor's cover ends, with the first month they pay and its amount."""

    class Kind(models.TextChoices):
        CONVERTED = "converted", _("now self-paid")

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    sponsor_name = models.CharField(_("sponsor"), max_length=200)
    first_month = models.CharField(_("first month"), max_length=7)
    amount = models.BigIntegerField(_("amount"))
    virtual_account = models.CharField(_("virtual account"), max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("member message")
        verbose_name_plural = _("member messages")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "-created_at"], name="membermessage_person")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.first_month}"
