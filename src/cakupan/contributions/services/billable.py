"""Which memberships are billed for a period, defined once for the ORM and for raw SQL.

A membership is billed for a month (rules.md §2-§3) when its status is active or ended (an ended one is
billed for the months it was active; a non-active one, in arrears, is not: PP 44/2015 Pasal 38 ff.), it
started by the month's last day and did not end before its first day. The billing run counts with the Q
(`members_billable`) and takes its chunks with the SQL condition (billing_sql.py); a test runs both on a
varied registry and compares the rows.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from cakupan.core.sqlnames import column, quoted_list
from cakupan.registry.models import Membership
from cakupan.rules.period import Period

BILLED_STATUSES = (Membership.Status.ACTIVE, Membership.Status.ENDED)


def billable_q(period: Period) -> Q:
    return Q(status__in=BILLED_STATUSES, start_date__lte=period.last_day) & (
        Q(end_date__isnull=True) | Q(end_date__gte=period.first_day)
    )


def members_billable(period: Period) -> QuerySet[Membership]:
    return Membership.objects.filter(billable_q(period))


def billable_sql(alias: str) -> str:
    """The same condition on the memberships aliased `alias`; its parameters are `billable_params`."""
    status, start, end = (column(Membership, f) for f in ("status", "start_date", "end_date"))
    return (
        f"{alias}.{status} IN {quoted_list(*BILLED_STATUSES)} AND {alias}.{start} <= %s "
        f"AND ({alias}.{end} IS NULL OR {alias}.{end} >= %s)"
    )


def billable_params(*, first_day: dt.date, last_day: dt.date) -> list[dt.date]:
    return [last_day, first_day]
