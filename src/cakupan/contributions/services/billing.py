"""The monthly billing run: one bill per payer and period, with a line per member (docs/design.md, Billing).

Who pays (rules.md §2-§3, §7): the employer for its PU and Jakon members (every party share of the
employer's contribution and the worker's deduction), the participant for a self-paying BPU member, the
sponsor (APBD, CSR, donor) for a sponsored one, and the state budget (one government account) for the JKP
government share of PU members (PP 37/2021 Pasal 11) and for APBN-funded BPU members.

Members billed for a period: status active or ended, started by the month's last day and not ended before
its first day. The run takes members in id order, CHUNK_SIZE at a time; each chunk's distinct inputs are
priced by the rules core (billing_assess.py) and its lines written set-based (billing_sql.py) in its own
transaction together with the run's cursor and counts, so a killed run resumes from its last finished
chunk, and a second run of a finished period adds nothing. Bill totals are recomputed from the lines,
set-based, at the end, in the transaction that marks the run done and records its one audit event: until
then its bills are hidden from every reader (Bill.objects.completed). One process at a time runs a period:
a second start is refused while the first lives, and takes over a run whose process died (billing_claim.py).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from cakupan.accounts.permissions import SYSTEM, Perm, require
from cakupan.contributions.models import Bill, BillingRun, BillLine
from cakupan.contributions.services import billing_sql
from cakupan.contributions.services.billable import members_billable
from cakupan.contributions.services.billing_assess import Part, Priced, PriceKey, price_keys
from cakupan.contributions.services.billing_claim import run_claim, run_for_period
from cakupan.contributions.services.billing_dates import working_day_on_or_after
from cakupan.contributions.services.billing_jobs import run_job_end, run_job_ensure
from cakupan.contributions.services.billing_partitions import partitions_ensure
from cakupan.contributions.services.billing_write import GOVERNMENT, PayerKey, accounts_ensure, bills_ensure
from cakupan.contributions.services.payments import allocate_credit_all
from cakupan.core.audit import audit_record
from cakupan.core.errors import InvalidInput
from cakupan.core.sqlnames import table
from cakupan.jobs.services import job_log
from cakupan.registry.services.memberships import memberships_end_due
from cakupan.rules.contributions import contribution_tables
from cakupan.rules.period import Period

_AUDITED = (
    "members",
    "assessed",
    "skipped",
    "bills",
    "lines",
    "new_bills",
    "new_lines",
    "amount_due",
)
CHUNK_SIZE = 200_000  # members per transaction: only prices travel, so memory does not grow with it
CACHE_LIMIT = 500_000  # distinct calculator inputs kept between chunks (memory bound)
Progress = Callable[[int, int], None]


def period_parse(value: Any) -> Period:
    """A contribution month from "YYYY-MM" or the date of its 1st; InvalidInput otherwise."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        if value.day != 1:
            raise InvalidInput.single("period", "A period date must be the 1st of the month.")
        period = Period.of(value)
    else:
        parsed: Period | None = None
        try:
            parsed = Period.parse(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None:
            raise InvalidInput.single("period", "Must be a month written YYYY-MM, e.g. 2025-04.")
        period = parsed
    earliest = min(contribution_tables().segment_starts().values())
    if period.last_day < earliest:
        raise InvalidInput.single("period", f"The contribution tables start in {earliest:%Y-%m}.")
    return period


def billing_run_prepare(*, period: Any, actor: Any = SYSTEM) -> BillingRun:
    """Check the period and give the run a job should execute: the period's unfinished run (to resume) or a
    new queued one; InvalidInput on "period" while a live process runs the period (billing_claim.py)."""
    require(actor, Perm.BILLING_RUN)
    parsed = period_parse(period)
    return run_for_period(period=parsed, actor=actor, parameters=_parameters(parsed), claim=False)


def _parameters(period: Period) -> dict[str, Any]:
    return {"period": str(period), "chunk_size": CHUNK_SIZE}


class _Prices:
    """The prices of a run: every distinct calculator input met so far, priced once by the rules core and
    stored in the connection's price table (billing_sql.py)."""

    def __init__(self, rules: Any) -> None:
        self.rules = rules
        self.known: dict[billing_sql.KeyRow, Priced] = {}
        billing_sql.tables_reset()

    def ensure(self, key_rows: list[billing_sql.KeyRow]) -> None:
        new = [row for row in key_rows if row not in self.known]
        if not new:
            return
        if len(self.known) + len(new) > CACHE_LIMIT:
            self.known.clear()
            billing_sql.price_table_clear()
            new = key_rows
        keys = {row: billing_sql.price_key(row) for row in new}
        cache: dict[PriceKey, Priced] = {}
        deferred: dict[PriceKey, Part] = {}
        price_keys(set(keys.values()), rules=self.rules, cache=cache, deferred=deferred)
        entries = [(row, _nothing_due(key, cache[key])) for row, key in keys.items()]
        billing_sql.prices_store(
            entries, {row: deferred[key] for row, key in keys.items() if key in deferred}
        )
        self.known.update(entries)


def _nothing_due(key: PriceKey, priced: Priced) -> Priced:
    if not isinstance(priced, str) and priced[1] is None and priced[2] is None:
        return f"{key[0]} amount: nothing due."
    return priced


def _chunk(
    chunk: billing_sql.Chunk, *, period: Period, run: BillingRun, prices: _Prices, counts: dict[str, Any]
) -> None:
    billing_sql.chunk_fill(chunk)
    keys = billing_sql.chunk_keys()
    prices.ensure([row for row, _, _ in keys])
    payers: set[PayerKey] = set(billing_sql.chunk_payers())
    reasons = Counter(counts["skipped_reasons"])
    for row, members, first in keys:
        priced = prices.known[row]
        counts["members"] += members
        if isinstance(priced, str):
            counts["skipped"] += members
            reasons[priced] += members
            if len(counts["skipped_examples"]) < 20:
                counts["skipped_examples"].append([first, priced])
            continue
        counts["assessed"] += members
        if priced[2] is not None:
            payers.add(GOVERNMENT)
    counts["skipped_reasons"] = dict(reasons)
    bills = bills_ensure(accounts_ensure(payers), period=period, run=run)
    deferring = billing_sql.chunk_deferring_employers()
    if deferring:
        # PP 49/2020: the JP these employers deferred this month, billed on its own and due by the
        # repayment deadline (rules.md §2.7); payments made before it settle it in instalments.
        employers = accounts_ensure(("employer", pk) for pk in deferring)
        bills_ensure(
            employers, period=period, run=run, kind=Bill.Kind.PP49_JP_REPAYMENT, due_on=_repay_due(period)
        )
    replay = BillLine.objects.filter(
        period=str(period), membership_id__gt=chunk.low, membership_id__lte=chunk.high
    ).exists()
    billing_sql.chunk_lines_insert(period=str(period), government_bill=bills.get(GOVERNMENT), replay=replay)
    run.cursor = chunk.high
    BillingRun.objects.filter(pk=run.pk).update(cursor=run.cursor, counts=counts)


def _repay_due(period: Period) -> dt.date:
    """When the JP deferred under PP 49/2020 for `period` falls due: the rule table's deadline (15 April
    2022), moved to the next working day like every due date (billing_dates.py) [M, our reading]."""
    relief = contribution_tables().for_period(period).relief
    if relief is None:
        raise ValueError(f"No PP 49/2020 relief in {period}, yet JP was deferred.")
    return working_day_on_or_after(relief.jp_repay_by.value)


def _totals(period: Period) -> None:
    """Bill totals from their lines: one grouped pass over the period's lines (an UPDATE … FROM, on both
    databases), then zero for the period's bills without lines."""
    bill, line = table(Bill), table(BillLine)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {bill} SET amount_due = t.total, members = t.n FROM ("  # noqa: S608 - table names
            f"SELECT l.bill_id, SUM(l.amount) AS total, COUNT(*) AS n FROM {line} l "
            f"JOIN {bill} b ON b.id = l.bill_id WHERE l.period = %s AND b.period = %s GROUP BY l.bill_id"
            f") AS t WHERE {bill}.id = t.bill_id",
            [str(period), str(period)],
        )
    Bill.objects.filter(period=str(period)).exclude(
        Exists(BillLine.objects.filter(period=str(period), bill_id=OuterRef("pk")))
    ).update(amount_due=0, members=0)


def _log(run: BillingRun, text: str) -> None:
    """A line of the run's log, which is its job's (the job records the execution: status, log, times)."""
    if run.job is not None:
        job_log(run.job, f"{timezone.now():%Y-%m-%d %H:%M:%S} {text}")


def billing_run(
    *,
    period: Any,
    actor: Any = SYSTEM,  # the monthly cron and `cakupan billing run`; a page's job passes its user
    progress: Progress | None = None,
    run: BillingRun | None = None,
    chunk_size: int = CHUNK_SIZE,
    stop_after_chunks: int | None = None,
) -> BillingRun:
    """Bill every billable member of `period`; resumes the period's unfinished run when there is one.

    `progress(done, total)` is called after each chunk. `stop_after_chunks` (tests) returns after that
    many chunks leaving the run as a killed process would: running, cursor at the last finished chunk.
    """
    require(actor, Perm.BILLING_RUN)
    parsed = period_parse(period)
    if run is not None and run.period != str(parsed):
        raise InvalidInput.single("period", "The run is for another period.")
    run = run or run_for_period(period=parsed, actor=actor, parameters=_parameters(parsed), claim=True)
    run_claim(run)
    own_job = run_job_ensure(run, actor=actor)  # the command line's run gets a job of its own
    try:
        run = _execute(
            run, parsed, actor=actor, progress=progress, chunk_size=chunk_size, stop=stop_after_chunks
        )
    except Exception as exc:
        run_job_end(run, own=own_job, error=exc)
        raise
    run_job_end(run, own=own_job, error=None)
    return run


def _execute(
    run: BillingRun,
    parsed: Period,
    *,
    actor: Any,
    progress: Progress | None,
    chunk_size: int,
    stop: int | None,
) -> BillingRun:
    # Scheduled ends that have come are ends now (the billed months read the dates, not the status).
    memberships_end_due(actor=actor)
    resumed = run.cursor > 0
    began = time.monotonic()
    counts: dict[str, Any] = {"members": 0, "assessed": 0, "skipped": 0, "skipped_reasons": {}}
    counts["skipped_examples"] = []
    if resumed:
        counts.update({k: v for k, v in run.counts.items() if k in counts})
    members = members_billable(parsed)
    counts["total"] = members.count()
    lines_before = run.counts.get("lines_before") if resumed else None
    if lines_before is None:
        lines_before = BillLine.objects.filter(period=str(parsed)).count()
        bills_before = Bill.objects.filter(period=str(parsed)).count()
    else:
        bills_before = run.counts.get("bills_before", 0)
    counts.update(lines_before=lines_before, bills_before=bills_before)
    _log(
        run,
        f"{'resumed after member ' + str(run.cursor) if resumed else 'started'}: {counts['total']} members",
    )
    rules = contribution_tables().for_period(parsed)
    # Which rule charged the month of a membership starting or ending in it (rules.md has none: flagged).
    proration = rules.proration
    counts["proration"] = (
        {"method": proration.method.value, "confidence": proration.method.source.confidence}
        if proration is not None
        else {"method": "whole_month", "confidence": "unconfirmed"}
    )
    run.status = BillingRun.Status.RUNNING
    run.counts = counts
    run.save(update_fields=["status", "counts"])
    # The month's partition of bill lines and the next month's, before any line is written (PostgreSQL).
    partitions_ensure(parsed)
    prices = _Prices(rules)
    chunks = 0
    try:
        last = False
        while not last:
            high, last = billing_sql.chunk_high(
                first_day=parsed.first_day, last_day=parsed.last_day, after=run.cursor, size=chunk_size
            )
            if high is None:
                break
            chunk = billing_sql.Chunk(
                first_day=parsed.first_day, last_day=parsed.last_day, low=run.cursor, high=high
            )
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    # A chunk lost in a crash is redone by the resume (its cursor is in the same
                    # transaction), so the chunk need not wait for its WAL flush at commit.
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL synchronous_commit TO OFF")
                        # The statements are short and simple; compiling them costs more than it saves.
                        cursor.execute("SET LOCAL jit TO OFF")
                _chunk(chunk, period=parsed, run=run, prices=prices, counts=counts)
            chunks += 1
            if progress is not None:
                progress(counts["members"], counts["total"])
            if stop is not None and chunks >= stop:
                return run
        # One transaction: the totals, the run done and its audit event, so the bills appear (Bill.completed)
        # with their amounts at once, and a kill before this commit leaves them hidden for the resume.
        with transaction.atomic():
            _totals(parsed)
            billing_sql.bills_without_lines_delete(run_id=run.pk, period=str(parsed))
            _finish(run, period=parsed, counts=counts, began=began, actor=actor)
    except Exception as exc:
        _log(run, f"failed after member {run.cursor}: {type(exc).__name__}: {exc}")
        run.status = BillingRun.Status.FAILED
        run.save(update_fields=["status"])
        raise
    billing_sql.tables_drop()
    # Credit left by earlier overpayments settles the new bills at once (oldest first); each account's
    # allocation is its own audited transaction.
    counts["credit_applied"] = allocate_credit_all(actor=actor)
    BillingRun.objects.filter(pk=run.pk).update(counts=counts)
    return run


def _finish(run: BillingRun, *, period: Period, counts: dict[str, Any], began: float, actor: Any) -> None:
    bills = Bill.objects.filter(period=str(period))
    # Bills an earlier, abandoned run of the period created are this run's now: it wrote their lines too.
    bills.filter(run__isnull=False).exclude(run=run).exclude(run__status=BillingRun.Status.DONE).update(
        run=run
    )
    summary = bills.aggregate(n=Count("pk"), due=Coalesce(Sum("amount_due"), 0))
    counts["bills"] = summary["n"]
    counts["amount_due"] = summary["due"]
    counts["lines"] = BillLine.objects.filter(period=str(period)).count()
    counts["new_bills"] = counts["bills"] - counts["bills_before"]
    counts["new_lines"] = counts["lines"] - counts["lines_before"]
    run.counts = counts
    run.status = BillingRun.Status.DONE
    run.duration_seconds = round((run.duration_seconds or 0) + time.monotonic() - began, 3)
    _log(
        run,
        f"done: {counts['members']} members, {counts['new_bills']} new bills, "
        f"{counts['new_lines']} new lines, {counts['skipped']} skipped",
    )
    run.save(update_fields=["counts", "status", "duration_seconds"])
    audit_record(
        actor=actor or run.actor,
        action="billing.run",
        instance=run,
        changes={"period": run.period, **{k: counts[k] for k in _AUDITED if k in counts}},
    )
