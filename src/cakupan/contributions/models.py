"""Monthly billing of contributions (iuran). Names here are stable: the payments work builds on them.

- `PayerAccount` (contributions_payeraccount): one per payer. `kind` is employer | self | sponsor |
  government and names exactly one of `employer` / `person` / `sponsor` (none for the single government
  account); `virtual_account` is the bank virtual-account number that bank statements will quote.
- `BillingRun` (contributions_billingrun): the monthly run for `period` ("YYYY-MM"): `status` queued |
  running | done | failed (billing's own: a bill of a run not done is hidden, and an active run holds its
  period), `parameters`, `counts` (members, bills, lines, new_lines, skipped and skipped_reasons), `cursor`
  (last membership id finished, for resuming), `duration_seconds` (over its resumes), `pid`/`host` (the
  process holding it). Its `job` records the latest execution: log, start and end are the job's
  (services/billing_jobs.py). At most one run of a period is queued or running (a conditional
  unique constraint); a run whose process died is resumed by the next start (services/billing_claim.py).
- `Bill` (contributions_bill): what one payer owes for one period: `amount_due` (whole Rupiah), `members`,
  `due_date`, `kind` (regular, or `pp49_jp_repayment`: the JP a qualifying employer deferred under PP 49/2020
  for that month, due by 15 April 2022, rules.md §2.7); UNIQUE(account, period, kind). Totals are
  recomputed from the lines, set-based, at the end of a run, so readers take `Bill.objects.completed()` (or
  `bill_completed("bill__")` from lines): a bill of a run not yet done is hidden, never shown with 0 due.
- `BillLine` (contributions_billline): one row per member per bill, UNIQUE(bill, membership), with the
  bill's `period` copied (PostgreSQL partitions the table by it: services/billing_partitions.py), and one
  BIGINT column per programme (`jkk` … `jkp`) and per party (`employer_share` … `sponsor_share`) of the
  part this payer pays; `amount` is their total (check constraints: programme sum = party sum = amount).
  A PU member in JKP has two lines: the employer's bill (JKK, JKM, JHT, JP) and the government's (JKP).
  Why this shape and not a row per programme: docs/design.md, "Billing".
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

PROGRAM_COLUMNS = ("jkk", "jkm", "jht", "jp", "jkp")
PARTY_COLUMNS = ("employer_share", "worker_share", "government_share", "sponsor_share")


class PayerAccount(models.Model):
    class Kind(models.TextChoices):
        EMPLOYER = "employer", _("employer")
        SELF = "self", _("self-paying participant")
        SPONSOR = "sponsor", _("sponsor")
        GOVERNMENT = "government", _("government (APBN)")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    employer = models.ForeignKey(
        "registry.Employer", null=True, blank=True, on_delete=models.PROTECT, related_name="payer_accounts"
    )
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="payer_accounts"
    )
    sponsor = models.ForeignKey(
        "registry.Sponsor", null=True, blank=True, on_delete=models.PROTECT, related_name="payer_accounts"
    )
    virtual_account = models.CharField(_("virtual account"), max_length=20, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payer account")
        verbose_name_plural = _("payer accounts")
        ordering = ["kind", "id"]
        indexes = [models.Index(fields=["kind", "id"], name="payeraccount_list_order")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="employer", employer__isnull=False, person__isnull=True, sponsor__isnull=True)
                    | Q(kind="self", employer__isnull=True, person__isnull=False, sponsor__isnull=True)
                    | Q(kind="sponsor", employer__isnull=True, person__isnull=True, sponsor__isnull=False)
                    | Q(kind="government", employer__isnull=True, person__isnull=True, sponsor__isnull=True)
                ),
                name="payeraccount_one_payer_by_kind",
            ),
            models.UniqueConstraint(
                fields=["employer"], condition=Q(kind="employer"), name="payeraccount_one_per_employer"
            ),
            models.UniqueConstraint(
                fields=["person"], condition=Q(kind="self"), name="payeraccount_one_per_person"
            ),
            models.UniqueConstraint(
                fields=["sponsor"], condition=Q(kind="sponsor"), name="payeraccount_one_per_sponsor"
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind="government"), name="payeraccount_one_government"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.virtual_account}"


class PayerAccountAudience(models.Model):
    """Who sees a payer account besides the national admin and the payer: one row per viewer key, the
    keys of registry.PersonAudience (`b:<branch office id>`, `a:<regency>`, `h:<regency>`), as
    accounts.scope.Scope.payer_accounts decides (an employer's account by the employer's region, office
    and facility type, a sponsor's by its region, a self-paying person's by where they live). Kept by
    contributions/services/account_keys.py, which follows every refresh of the registry's scope keys. The
    account's kind is copied so that a key's accounts are one index range in the list's order."""

    pk = models.CompositePrimaryKey("key", "account")
    key = models.CharField(max_length=16)
    account = models.ForeignKey(PayerAccount, on_delete=models.CASCADE, related_name="audiences")
    kind = models.CharField(max_length=10, choices=PayerAccount.Kind.choices, editable=False)

    class Meta:
        verbose_name = _("payer account audience")
        verbose_name_plural = _("payer account audiences")
        indexes = [models.Index(fields=["key", "kind", "account"], name="payeraccountaudience_order")]

    def __str__(self) -> str:
        return f"{self.key} {self.account_id}"


class BillingRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    period = models.CharField(_("period"), max_length=7, help_text=_("Contribution month, YYYY-MM."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    cursor = models.BigIntegerField(_("last membership done"), default=0)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="billing_runs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    duration_seconds = models.FloatField(_("duration (s)"), null=True, blank=True)
    # The process running it (billing_claim.py): a run whose process is gone may be taken over and
    # resumed; one whose process lives holds its period.
    pid = models.IntegerField(_("process id"), null=True, blank=True)
    host = models.CharField(_("host"), max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="billingrun_status_valid",
            ),
            # Two processes cannot both start a period: the second INSERT fails, even when both checked first.
            models.UniqueConstraint(
                fields=["period"],
                condition=Q(status__in=["queued", "running"]),
                name="billingrun_one_active_per_period",
            ),
        ]
        indexes = [models.Index(fields=["period", "status"])]

    def __str__(self) -> str:
        return f"{self.period} ({self.status})"


def bill_completed(prefix: str = "") -> Q:
    """Bills whose billing run has finished (or that no run wrote); `prefix` reaches them from another
    model ("bill__"). A run writes its bills first and their totals last, so until it completes a bill
    shows 0 due: every reader of bills and bill lines filters with this."""
    return Q(**{f"{prefix}run__isnull": True}) | Q(**{f"{prefix}run__status": BillingRun.Status.DONE})


class BillQuerySet(models.QuerySet["Bill"]):
    def completed(self) -> "BillQuerySet":
        return self.filter(bill_completed())


class Bill(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", _("contributions")
        # PP 49/2020: the 99 % of JP a qualifying employer deferred for a month of August 2020 - January
        # 2021, billed on its own (its own due date: the repayment deadline), rules.md §2.7.
        PP49_JP_REPAYMENT = "pp49_jp_repayment", _("PP 49/2020 JP repayment")

    account = models.ForeignKey(PayerAccount, on_delete=models.PROTECT, related_name="bills")
    period = models.CharField(_("period"), max_length=7)
    due_date = models.DateField(_("due date"))
    amount_due = models.BigIntegerField(_("amount due"), default=0)
    members = models.IntegerField(_("members"), default=0)
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.REGULAR, db_default=Kind.REGULAR
    )
    run = models.ForeignKey(
        BillingRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="bills"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BillQuerySet.as_manager()

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        ordering = ["-period", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "period", "kind"], name="bill_one_per_account_period_kind"
            ),
            models.CheckConstraint(condition=Q(amount_due__gte=0), name="bill_amount_nonneg"),
            models.CheckConstraint(condition=Q(members__gte=0), name="bill_members_nonneg"),
        ]
        indexes = [models.Index(fields=["period", "due_date"])]

    def __str__(self) -> str:
        return f"{self.period} {self.account_id}: {self.amount_due}"


class BillLine(models.Model):
    # No separate index on bill: UNIQUE(bill, membership) leads with it.
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="lines", db_index=False)
    membership = models.ForeignKey("registry.Membership", on_delete=models.PROTECT, related_name="bill_lines")
    # The bill's period, copied: on PostgreSQL the table is partitioned by it (one partition a month,
    # docs/design.md "Bill lines partitioned by period"), so it is part of the keys below and of the
    # primary key there (id, period); the model keeps `id` as its key (ids come from one sequence).
    period = models.CharField(_("period"), max_length=7)
    base = models.BigIntegerField(_("contribution base"), null=True, blank=True)
    jkk = models.BigIntegerField("JKK", default=0)
    jkm = models.BigIntegerField("JKM", default=0)
    jht = models.BigIntegerField("JHT", default=0)
    jp = models.BigIntegerField("JP", default=0)
    jkp = models.BigIntegerField("JKP", default=0)
    employer_share = models.BigIntegerField(_("employer share"), default=0)
    worker_share = models.BigIntegerField(_("worker share"), default=0)
    government_share = models.BigIntegerField(_("government share"), default=0)
    sponsor_share = models.BigIntegerField(_("sponsor share"), default=0)
    amount = models.BigIntegerField(_("amount"), default=0)

    class Meta:
        verbose_name = _("bill line")
        verbose_name_plural = _("bill lines")
        ordering = ["bill", "membership"]
        constraints = [
            # The period adds nothing (a bill has one) but a unique key of a partitioned table must hold it.
            models.UniqueConstraint(fields=["bill", "membership", "period"], name="billline_one_per_member"),
            models.CheckConstraint(
                condition=Q(amount=F("jkk") + F("jkm") + F("jht") + F("jp") + F("jkp")),
                name="billline_amount_is_programmes",
            ),
            models.CheckConstraint(
                condition=Q(
                    amount=F("employer_share")
                    + F("worker_share")
                    + F("government_share")
                    + F("sponsor_share")
                ),
                name="billline_amount_is_parties",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="billline_amount_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.bill_id}/{self.membership_id}: {self.amount}"


from cakupan.contributions.models_payments import *  # noqa: E402, F403
