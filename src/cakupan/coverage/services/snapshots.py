"""Building the monthly coverage snapshot: one INSERT ... SELECT ... GROUP BY per level, and one of every
health facility's staff (coverage/facilities.py; the health view of a province or of Indonesia reads it).

Counting rule (the last day D of the period): a membership counts when start_date <= D and (end_date is
null or end_date >= D), and its status is active, or ended with an end date (it was active until then, so
past periods stay right after it ends). Non-active memberships (arrears, PP 44/2015 Pasal 38 ff.) do not
count. A membership counts once, in the region of its employer when it has one (where the work is), else
in the region where the person lives (BPU, sponsored and migrant workers).

Sector key: the employer's health facility type when it has one; else who pays for a sponsored member
("vulnerable-apbd" for a regional budget, "csr", "donor"); else "other".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import SYSTEM, Perm, require
from cakupan.core.audit import audit_record
from cakupan.core.errors import InvalidInput
from cakupan.core.sqlnames import quoted, table
from cakupan.coverage.facilities import COUNTS, facility_counts_sql
from cakupan.coverage.models import CoverageSnapshot, FacilitySnapshot, SnapshotBuild
from cakupan.registry.models import Employer, Membership, Person, Sponsor
from cakupan.rules.period import Period

SECTOR_APBD = "vulnerable-apbd"
SECTOR_CSR = "csr"
SECTOR_DONOR = "donor"
SECTOR_OTHER = "other"


def period_parse(value: Any, field: str = "period") -> str:
    text = str(value or "").strip()
    try:
        return str(Period.parse(text))
    except ValueError:
        raise InvalidInput.single(field, _("Enter a month as YYYY-MM.")) from None


def period_last_day(period: str) -> dt.date:
    return Period.parse(period).last_day


def _table(model: Any) -> str:
    return connection.ops.quote_name(table(model))


def _regency_sql() -> str:
    snap, m, p, e, s = (_table(x) for x in (CoverageSnapshot, Membership, Person, Employer, Sponsor))
    active, ended = quoted(Membership.Status.ACTIVE), quoted(Membership.Status.ENDED)
    apbd, csr, donor = (quoted(kind) for kind in (Sponsor.Kind.APBD, Sponsor.Kind.CSR, Sponsor.Kind.DONOR))
    # Table names come from the models' metadata and sector keys are constants: nothing user-supplied.
    return f"""
        INSERT INTO {snap} (period, level, region_id, segment, sector, active, built_at)
        SELECT %s, 2, SUBSTR(COALESCE(e.region_id, p.address_region_id), 1, 5), m.segment,
               CASE WHEN e.facility_type IS NOT NULL AND e.facility_type <> '' THEN e.facility_type
                    WHEN s.kind = {apbd} THEN '{SECTOR_APBD}'
                    WHEN s.kind = {csr} THEN '{SECTOR_CSR}'
                    WHEN s.kind = {donor} THEN '{SECTOR_DONOR}'
                    ELSE '{SECTOR_OTHER}' END,
               COUNT(*), %s
        FROM {m} m
        JOIN {p} p ON p.id = m.person_id
        LEFT JOIN {e} e ON e.id = m.employer_id
        LEFT JOIN {s} s ON s.id = m.sponsor_id
        WHERE m.start_date <= %s
          AND (m.end_date IS NULL OR m.end_date >= %s)
          AND (m.status = {active} OR (m.status = {ended} AND m.end_date IS NOT NULL))
        GROUP BY 3, 4, 5
    """  # noqa: S608


def _province_sql() -> str:
    snap = _table(CoverageSnapshot)
    return f"""
        INSERT INTO {snap} (period, level, region_id, segment, sector, active, built_at)
        SELECT period, 1, SUBSTR(region_id, 1, 2), segment, sector, SUM(active), %s
        FROM {snap}
        WHERE period = %s AND level = 2
        GROUP BY period, SUBSTR(region_id, 1, 2), segment, sector
    """  # noqa: S608


def _facilities_sql() -> str:
    """Every health facility's staff on the day (coverage/facilities.py), one row each."""
    snap, e = _table(FacilitySnapshot), _table(Employer)
    counts = ", ".join(COUNTS)
    return f"""
        INSERT INTO {snap} (period, built_at, employer_id, facility_type, {counts})
        SELECT %s, %s, c.employer_id, c.facility_type, {", ".join(f"c.{k}" for k in COUNTS)}
        FROM ({facility_counts_sql(f"SELECT id FROM {e}")}) c
    """  # noqa: S608


@transaction.atomic
def snapshot_build(*, period: str, actor: Any = SYSTEM) -> dict[str, Any]:
    """(Re)build the snapshot of one period: the old rows of the period are replaced, in one transaction.
    Run by cron and the command line (actor SYSTEM) or by a national administrator."""
    require(actor, Perm.SNAPSHOT_BUILD)
    period = period_parse(period)
    day = period_last_day(period)
    now = timezone.now()
    deleted, _detail = CoverageSnapshot.objects.filter(period=period).delete()
    FacilitySnapshot.objects.filter(period=period).delete()
    with connection.cursor() as cursor:
        cursor.execute(_regency_sql(), [period, now, day, day])
        regency_rows = cursor.rowcount
        cursor.execute(_province_sql(), [now, period])
        province_rows = cursor.rowcount
        cursor.execute(_facilities_sql(), [period, now, day, day, day, day])
        facility_rows = cursor.rowcount
    active = sum(CoverageSnapshot.objects.filter(period=period, level=1).values_list("active", flat=True))
    SnapshotBuild.objects.update_or_create(
        period=period, defaults={"built_at": now, "rows": regency_rows + province_rows, "active": active}
    )
    audit_record(
        actor=actor,
        action="coverage.snapshot_build",
        entity="coverage.coveragesnapshot",
        entity_id=period,
        changes={
            "replaced_rows": deleted,
            "regency_rows": regency_rows,
            "province_rows": province_rows,
            "facility_rows": facility_rows,
            "active": active,
        },
    )
    return {
        "period": period,
        "regency_rows": regency_rows,
        "province_rows": province_rows,
        "facility_rows": facility_rows,
        "active": active,
        "replaced_rows": deleted,
    }


def _month_after(period: str) -> str:
    return str(Period.parse(period).shift(1))


def snapshot_due_periods(*, today: dt.date | None = None) -> list[str]:
    """The months a scheduled run must build: from the last built one up to last month.

    The last built month is built again when its build ran before the month was over (its figures were
    partial); with nothing built yet, only last month is due (older months: `--period`, one by one).
    """
    today = today or timezone.localdate()
    last_month = f"{today.year - (today.month == 1):04d}-{(today.month - 2) % 12 + 1:02d}"
    last = SnapshotBuild.objects.order_by("-period").first()
    if last is None:
        return [last_month]
    built_on = timezone.localdate(last.built_at)
    period = last.period if built_on <= period_last_day(last.period) else _month_after(last.period)
    due: list[str] = []
    while period <= last_month:
        due.append(period)
        period = _month_after(period)
    return due


def snapshot_due(*, actor: Any = SYSTEM, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Build every due month, oldest first, each in its own transaction. Idempotent: a second run builds
    nothing (so cron may run it daily)."""
    require(actor, Perm.SNAPSHOT_BUILD)
    return [snapshot_build(period=p, actor=actor) for p in snapshot_due_periods(today=today)]


JOB_KIND = "coverage_snapshot"


def snapshot_job(*, job: Any, parameters: dict[str, Any], actor: Any) -> dict[str, Any]:
    """The jobs kind: parameters {"period": "YYYY-MM"} builds that month, {"due": true} the due months."""
    from cakupan.jobs.services import job_log, job_progress

    require(actor, Perm.SNAPSHOT_BUILD)
    due = bool(parameters.get("due"))
    periods = snapshot_due_periods() if due else [period_parse(parameters.get("period"))]
    job_progress(job, done=0, total=len(periods))
    built = []
    for n, period in enumerate(periods, start=1):
        result = snapshot_build(period=period, actor=actor)
        job_log(job, f"{period}: {result['active']} active, {result['regency_rows']} regency rows")
        job_progress(job, done=n)
        built.append(result)
    return {"built": [b["period"] for b in built]}
