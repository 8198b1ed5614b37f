"""Bill lines partitioned by period (PostgreSQL; services/billing_partitions.py): the billing run writes into
its month's partition, a month's lines written before its partition existed move into it, and an old month
detaches into a table of its own while the current month's lines, bills and reruns keep working. SQLite
keeps one table: the same runs, nothing to detach."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from cakupan.contributions.models import Bill, BillLine
from cakupan.contributions.selectors_payments import bill_lines
from cakupan.contributions.services.billing import billing_run
from cakupan.contributions.services.billing_partitions import (
    DEFAULT,
    bill_lines_detach,
    partition_name,
    partitions,
    partitions_ensure,
)
from cakupan.core.errors import InvalidInput
from cakupan.rules.period import Period

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions: PostgreSQL only")
MARCH, APRIL = Period(2025, 3), Period(2025, 4)


def rows_in(table: str, period: Period | None = None) -> int:
    with connection.cursor() as cursor:
        if period is None:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - a partition's name
        else:
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE period = %s", [str(period)])  # noqa: S608
        return int(cursor.fetchone()[0])


def test_every_line_carries_its_bills_period(world: Any) -> None:
    billing_run(period=str(MARCH))
    billing_run(period=str(APRIL))
    lines = BillLine.objects.select_related("bill")
    assert lines.count() > 0
    assert all(line.period == line.bill.period for line in lines)


@postgresql_only
def test_billing_writes_into_the_months_partition_and_an_old_month_detaches(world: Any) -> None:
    billing_run(period=str(MARCH))
    billing_run(period=str(APRIL))
    made = partitions()
    assert {str(MARCH), str(APRIL), str(APRIL.shift(1)), "default"} <= set(made)
    march_lines = BillLine.objects.filter(period=str(MARCH)).count()
    april_lines = BillLine.objects.filter(period=str(APRIL)).count()
    assert march_lines > 0
    assert april_lines > 0
    assert rows_in(partition_name(APRIL)) == april_lines
    assert rows_in(partition_name(MARCH)) == march_lines
    assert rows_in(DEFAULT) == 0

    out = io.StringIO()
    call_command("billing", "detach", "--period", str(MARCH), stdout=out)
    detached = json.loads(out.getvalue())
    assert detached == {"period": str(MARCH), "table": partition_name(MARCH), "lines": march_lines}
    assert str(MARCH) not in partitions()
    assert not BillLine.objects.filter(period=str(MARCH)).exists()
    assert rows_in(partition_name(MARCH)) == march_lines  # kept, to dump and drop
    # The current month's lines, their bills and a rerun are as before.
    assert BillLine.objects.filter(period=str(APRIL)).count() == april_lines
    bill = Bill.objects.completed().filter(period=str(APRIL)).order_by("pk").first()
    assert bill is not None
    assert list(bill_lines(bill))
    rerun = billing_run(period=str(APRIL))
    assert rerun.counts["new_lines"] == 0
    with pytest.raises(InvalidInput) as caught:
        bill_lines_detach(actor=world.admin, period=str(MARCH))
    assert caught.value.as_dict()["errors"][0]["field"] == "period"


@postgresql_only
def test_lines_of_a_month_without_a_partition_move_into_it_when_it_is_made(world: Any) -> None:
    billing_run(period=str(APRIL))
    line = BillLine.objects.filter(period=str(APRIL)).first()
    assert line is not None
    june = Period(2025, 6)
    bill = Bill.objects.create(account=line.bill.account, period=str(june), due_date=line.bill.due_date)
    BillLine.objects.create(bill=bill, membership=line.membership, period=str(june))
    assert rows_in(DEFAULT, june) == 1
    assert partitions_ensure(june, ahead=0) == [partition_name(june)]
    assert rows_in(DEFAULT) == 0
    assert rows_in(partition_name(june)) == 1
    assert partitions_ensure(june, ahead=0) == []


def test_a_month_without_its_own_partition_is_not_detached(world: Any) -> None:
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("billing", "detach", "--period", "2024-01", stdout=out)
    assert exited.value.code == 2
    assert json.loads(out.getvalue())["errors"][0]["field"] == "period"
    with pytest.raises(InvalidInput) as caught:
        bill_lines_detach(actor=world.admin, period="2024-01")
    assert caught.value.as_dict()["errors"][0]["field"] == "period"
    with pytest.raises(InvalidInput):
        bill_lines_detach(actor=world.admin, period="2024-13")
