"""The monthly partitions of bill lines on PostgreSQL (docs/design.md, "Bill lines partitioned by period").

The table is partitioned by LIST on `period` ("YYYY-MM", the bill's) since migration 0005: one partition a
month, named contributions_billline_YYYY_MM, and a default one for a month that has none yet. The billing
run makes its month's partition and the next one before it writes (`partitions_ensure`), so the default stays
empty in operation; a line written to a month without one (a line made by hand) is moved into it when it is
made. An old month is detached (`bill_lines_detach`): its partition becomes a table of its own, outside every
query of bill lines, to dump (pg_dump -t) and drop. A detach takes a moment whatever the size of the month,
where a DELETE of 40 M lines would write them all to the WAL and leave the table to vacuum. On SQLite there is
one table and nothing to do.
"""

# ruff: noqa: S608 - SQL text built from the model's table name and a parsed period; values are parameters

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from cakupan.accounts.permissions import Perm, require
from cakupan.contributions.models import BillLine
from cakupan.core.audit import audit_record
from cakupan.core.db import deferred_checks_now
from cakupan.core.errors import InvalidInput
from cakupan.core.sqlnames import table
from cakupan.rules.period import Period

TABLE = table(BillLine)
DEFAULT = f"{TABLE}_default"


def partition_name(period: Period) -> str:
    return f"{TABLE}_{str(period).replace('-', '_')}"


def partitioned() -> bool:
    """Whether this database partitions bill lines (PostgreSQL after migration 0005)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABLE])
        return cursor.fetchone() is not None


def partitions() -> dict[str, str]:
    """The attached partitions: period ("YYYY-MM", or "default") → table name."""
    if not partitioned():
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        rows = cursor.fetchall()
    # A bound reads FOR VALUES IN ('2025-04'), or DEFAULT.
    return {(bound.split("'")[1] if "'" in bound else "default"): name for name, bound in rows}


@transaction.atomic
def partitions_ensure(period: Period, *, ahead: int = 1) -> list[str]:
    """The partitions of `period` and the `ahead` months after it, made when missing; returns those made.

    A month's lines already in the default partition move into its new partition: the partition is made
    as a table of its own, filled from the default, then attached (attaching checks the default holds none
    of its month, which the move has ensured)."""
    if not partitioned():
        return []
    made: list[str] = []
    existing = partitions()
    if all(str(period.shift(n)) in existing for n in range(ahead + 1)):
        return made
    deferred_checks_now()  # a table with pending foreign-key checks cannot be altered
    for month in (period.shift(n) for n in range(ahead + 1)):
        if str(month) in existing:
            continue
        name = partition_name(month)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
            cursor.execute(
                f"WITH moved AS (DELETE FROM {DEFAULT} WHERE period = %s RETURNING *) "
                f"INSERT INTO {name} SELECT * FROM moved",
                [str(month)],
            )
            cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES IN ('{month}')")
        made.append(name)
    return made


@transaction.atomic
def bill_lines_detach(*, actor: Any, period: Any) -> dict[str, Any]:
    """Detach an old month's bill lines: its partition becomes the table returned, kept for the archive
    (`pg_dump -t <table>`, then DROP TABLE). The month's bills stay, with their totals."""
    require(actor, Perm.BILLING_RUN)
    try:
        month = Period.parse(str(period))
    except ValueError:
        raise InvalidInput.single("period", "Must be a month written YYYY-MM, e.g. 2025-04.") from None
    name = partitions().get(str(month))
    if name is None:
        raise InvalidInput.single("period", f"No partition of bill lines holds {month}.")
    if month >= Period.of(timezone.localdate()):
        raise InvalidInput.single("period", "Only a month before the current one can be detached.")
    deferred_checks_now()  # a table with pending foreign-key checks cannot be altered
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {name}")
        (lines,) = cursor.fetchone()
        cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {name}")
    result = {"period": str(month), "table": name, "lines": lines}
    audit_record(
        actor=actor,
        action="billing.lines_detach",
        entity="contributions.billline",
        entity_id=str(month),
        changes=result,
    )
    return result
