"""The monthly billing run: one bill per payer and period, with a line per member (docs/design.md, Billing).

Who pays (rules.md §2-§3, §7): the employer for its PU and Jakon members (every party share of the
employer's contribution and the worker's deduction), the participant for a self-paying BPU member, the
sponsor (APBD, CSR, donor) for a sponsored one, and the state budget (one government account) for the JKP
government share of PU members (PP 37/2021 Pasal 11) and for APBN-funded BPU members.

Members billed for a period: status active or ended, started by the month's last day and not ended before
its first day. The run reads members in id order, CHUNK_SIZE at a time; each chunk is priced by the rules
core (billing_assess.py) and written in its own transaction together with the run's cursor and counts
(billing_write.py), so a killed run resumes from its last finished chunk, and a second run of a finished
period adds nothing. Bill totals are recomputed from the lines, set-based, at the end.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from cakupan.contributions.models import Bill, BillingRun, BillLine
from cakupan.contributions.services.billing_assess import MEMBER_FIELDS, Priced, price_members
from cakupan.contributions.services.billing_write import (
    GOVERNMENT,
    accounts_ensure,
    bills_ensure,
    lines_insert,
)
from cakupan.contributions.services.payments import allocate_credit_all
from cakupan.core.errors import InvalidInput
from cakupan.registry.models import Employment, Membership
from cakupan.rules.contributions import contribution_tables
from cakupan.rules.period import Period

CHUNK_SIZE = 20_000
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


def members_billable(period: Period) -> QuerySet[Membership]:
    return Membership.objects.filter(
        status__in=[Membership.Status.ACTIVE, Membership.Status.ENDED],
        start_date__lte=period.last_day,
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=period.first_day))


def billing_run_prepare(*, period: Any, actor: Any = None) -> BillingRun:
    """Check the period and record a queued run (for a job to execute)."""
    parsed = period_parse(period)
    user = actor if getattr(actor, "pk", None) is not None else None
    return BillingRun.objects.create(
        period=str(parsed), actor=user, parameters={"period": str(parsed), "chunk_size": CHUNK_SIZE}
    )


def _fallback_wages(rows: list[tuple[Any, ...]], period: Period) -> dict[tuple[int, int], int]:
    """Wages of PU members whose membership names no employment: the person's employment with the
    membership's employer covering the month (the latest started wins). One query per chunk."""
    wanted = [(r[10], r[8]) for r in rows if r[1] == "PU" and r[13] is None and r[8] is not None]
    if not wanted:
        return {}
    found: dict[tuple[int, int], int] = {}
    rows_e = (
        Employment.objects.filter(
            person_id__in={p for p, _ in wanted},
            employer_id__in={e for _, e in wanted},
            start_date__lte=period.last_day,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.first_day))
        .order_by("start_date", "id")
        .values_list("person_id", "employer_id", "basic_wage", "fixed_allowance")
    )
    for person, employer, basic, allowance in rows_e:
        found[(person, employer)] = basic + allowance
    return found


def _chunk(
    rows: list[tuple[Any, ...]],
    *,
    period: Period,
    run: BillingRun,
    rules: Any,
    cache: dict[tuple[Any, ...], Priced],
    counts: dict[str, Any],
) -> None:
    priced, skipped = price_members(
        rows, rules=rules, cache=cache, fallback_wages=_fallback_wages(rows, period)
    )
    payers = {key for _, key, _, payer, _ in priced if payer is not None}
    if any(gov is not None for *_, gov in priced):
        payers.add(GOVERNMENT)
    bills = bills_ensure(accounts_ensure(payers), period=period, run=run)
    government_bill = bills.get(GOVERNMENT)
    lines: list[tuple[int, ...]] = []
    for membership_id, key, base, payer, government in priced:
        if payer is not None:
            lines.append((bills[key], membership_id, base, *payer))
        if government is not None:
            assert government_bill is not None
            lines.append((government_bill, membership_id, base, *government))
    lines_insert(lines, period=period, first=rows[0][0], last=rows[-1][0])
    counts["members"] += len(rows)
    counts["assessed"] += len(priced)
    counts["skipped"] += len(skipped)
    reasons = Counter(counts["skipped_reasons"])
    reasons.update(reason for _, reason in skipped)
    counts["skipped_reasons"] = dict(reasons)
    if skipped and len(counts["skipped_examples"]) < 20:
        counts["skipped_examples"] += [[pk, reason] for pk, reason in skipped[:5]]
    run.cursor = rows[-1][0]
    BillingRun.objects.filter(pk=run.pk).update(cursor=run.cursor, counts=counts)


def _totals(period: Period) -> None:
    """Bill totals from their lines, in one statement for the whole period."""
    lines = BillLine.objects.filter(bill_id=OuterRef("pk")).order_by().values("bill_id")
    Bill.objects.filter(period=str(period)).update(
        amount_due=Coalesce(Subquery(lines.annotate(s=Sum("amount")).values("s")), Value(0)),
        members=Coalesce(
            Subquery(lines.annotate(n=Count("id")).values("n"), output_field=IntegerField()), Value(0)
        ),
    )


def _resumable(period: Period) -> BillingRun | None:
    return (
        BillingRun.objects.filter(period=str(period), status__in=["running", "failed"])
        .order_by("-created_at", "-id")
        .first()
    )


def _log(run: BillingRun, text: str) -> None:
    run.log = f"{run.log}{timezone.now():%Y-%m-%d %H:%M:%S} {text}\n"


def billing_run(
    *,
    period: Any,
    actor: Any = None,
    progress: Progress | None = None,
    run: BillingRun | None = None,
    chunk_size: int = CHUNK_SIZE,
    stop_after_chunks: int | None = None,
) -> BillingRun:
    """Bill every billable member of `period`; resumes the period's unfinished run when there is one.

    `progress(done, total)` is called after each chunk. `stop_after_chunks` (tests) returns after that
    many chunks leaving the run as a killed process would: running, cursor at the last finished chunk.
    """
    parsed = period_parse(period)
    if run is not None and run.period != str(parsed):
        raise InvalidInput.single("period", "The run is for another period.")
    run = run or _resumable(parsed) or billing_run_prepare(period=parsed.first_day, actor=actor)
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
        lines_before = BillLine.objects.filter(bill__period=str(parsed)).count()
        bills_before = Bill.objects.filter(period=str(parsed)).count()
    else:
        bills_before = run.counts.get("bills_before", 0)
    counts.update(lines_before=lines_before, bills_before=bills_before)
    _log(
        run,
        f"{'resumed after member ' + str(run.cursor) if resumed else 'started'}: {counts['total']} members",
    )
    run.status = BillingRun.Status.RUNNING
    run.started_at = run.started_at or timezone.now()
    run.counts = counts
    run.save(update_fields=["status", "started_at", "counts", "log"])
    rules = contribution_tables().for_period(parsed)
    cache: dict[tuple[Any, ...], Priced] = {}
    chunks = 0
    try:
        while True:
            rows = list(
                members.filter(id__gt=run.cursor).order_by("id").values_list(*MEMBER_FIELDS)[:chunk_size]
            )
            if not rows:
                break
            if len(cache) > CACHE_LIMIT:
                cache.clear()
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    # A chunk lost in a crash is redone by the resume (its cursor is in the same
                    # transaction), so the chunk need not wait for its WAL flush at commit.
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL synchronous_commit TO OFF")
                _chunk(rows, period=parsed, run=run, rules=rules, cache=cache, counts=counts)
            chunks += 1
            if progress is not None:
                progress(counts["members"], counts["total"])
            if stop_after_chunks is not None and chunks >= stop_after_chunks:
                return run
        with transaction.atomic():
            _totals(parsed)
        # Credit left by earlier overpayments settles the new bills at once (oldest first).
        counts["credit_applied"] = allocate_credit_all(actor=actor)
    except Exception as exc:
        _log(run, f"failed after member {run.cursor}: {type(exc).__name__}: {exc}")
        run.status = BillingRun.Status.FAILED
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at", "log"])
        raise
    counts["bills"] = Bill.objects.filter(period=str(parsed)).count()
    counts["lines"] = BillLine.objects.filter(bill__period=str(parsed)).count()
    counts["new_bills"] = counts["bills"] - bills_before
    counts["new_lines"] = counts["lines"] - lines_before
    run.counts = counts
    run.status = BillingRun.Status.DONE
    run.finished_at = timezone.now()
    run.duration_seconds = round((run.duration_seconds or 0) + time.monotonic() - began, 3)
    _log(
        run,
        f"done: {counts['members']} members, {counts['new_bills']} new bills, "
        f"{counts['new_lines']} new lines, {counts['skipped']} skipped",
    )
    run.save(update_fields=["counts", "status", "finished_at", "duration_seconds", "log"])
    return run
