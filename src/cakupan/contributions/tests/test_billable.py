""" "Billable" is defined once (services/billable.py): the billing run counts with its Q and takes its chunks
with its SQL condition. Both select the same memberships on a registry that has every status and every
start and end around the month's edges."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.db import connection

from cakupan.contributions.services.billable import billable_params, billable_sql, members_billable
from cakupan.contributions.tests.factories import bpu_member_make
from cakupan.core.sqlnames import table
from cakupan.registry.models import Membership
from cakupan.rules.period import Period

pytestmark = pytest.mark.django_db

D = dt.date
STARTS = (D(2024, 1, 1), D(2025, 4, 1), D(2025, 4, 30), D(2025, 5, 1))
ENDS = (None, D(2025, 3, 31), D(2025, 4, 1), D(2025, 4, 30), D(2025, 5, 1), D(2025, 6, 30))
PERIODS = ("2025-03", "2025-04", "2025-05", "2025-06", "2025-07")


def varied_registry(actor: Any) -> int:
    """One membership per (status, start, end) with the end not before the start."""
    combos = [
        (status, start, end)
        for status, start, end in itertools.product(Membership.Status, STARTS, ENDS)
        if end is None or end >= start
    ]
    for serial, (status, start, end) in enumerate(combos):
        member = bpu_member_make(actor, serial, income=2_000_000)
        Membership.objects.filter(pk=member.pk).update(status=status, start_date=start, end_date=end)
    return len(combos)


def sql_ids(period: Period) -> set[int]:
    condition = billable_sql("m")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT m.id FROM {table(Membership)} m WHERE {condition}",  # noqa: S608 - model names
            billable_params(first_day=period.first_day, last_day=period.last_day),
        )
        return {row[0] for row in cursor.fetchall()}


def test_the_sql_and_the_orm_bill_the_same_memberships(world: Any) -> None:
    made = varied_registry(world.admin)
    assert made > 50
    for text in PERIODS:
        period = Period.parse(text)
        orm = set(members_billable(period).values_list("pk", flat=True))
        assert orm == sql_ids(period), text
        assert 0 < len(orm) < Membership.objects.count(), text  # each period bills some, leaves some out
    # The edges, by hand: ended the day before the month is not billed, ended on its first day is.
    april = Period.parse("2025-04")
    billed = members_billable(april)
    assert not billed.filter(start_date=D(2024, 1, 1), end_date=D(2025, 3, 31)).exists()
    assert billed.filter(status="ended", start_date=D(2024, 1, 1), end_date=D(2025, 4, 1)).exists()
    assert not billed.filter(status="inactive").exists()
    assert not billed.filter(start_date=D(2025, 5, 1)).exists()
