"""One payer per person per month, at import (issue 15 point 5): the persons a roster or target-list
enrolment for one sponsor would give a second payer, with the sponsor already paying for them.

A sponsor "already pays" a person for a month when it holds a membership of theirs, paid by a sponsor (or
by the APBN), begun by that month's last day and not ended before its first day. The import calls this
once per file (one query, whatever the number of NIKs), or inlines `other_payer_sql` in its own SQL (the
COPY path), and rejects those rows naming the sponsor (enrolment reason `membership_other_sponsor`).
"""
# ruff: noqa: S608 - SQL text from model names and choices (core.sqlnames); values are parameters

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cakupan.core.sqlnames import quoted, table
from cakupan.registry.models import Membership, Person, Sponsor
from cakupan.rules.period import Period

APBN = "APBN"  # the name of the state budget as a payer (no sponsor row)


def _paying(first_day: dt.date) -> Q:
    return (
        Q(
            payer_kind__in=[Membership.PayerKind.SPONSOR, Membership.PayerKind.GOVERNMENT],
            start_date__lte=Period.of(first_day).last_day,
        )
        & ~Q(end_date__lt=first_day)
        & ~Q(status=Membership.Status.ENDED, end_date__isnull=True)
    )


class OtherPayer(NamedTuple):
    sponsor_id: int | None  # None: the APBN
    name: str


def other_payers(niks: Iterable[str], *, sponsor_id: int | None, start: dt.date) -> dict[str, OtherPayer]:
    """NIK -> the sponsor (or the APBN) already paying for that person from `start`'s month on, for the
    NIKs another payer than `sponsor_id` pays. One query."""
    wanted = sorted({n for n in niks if n})
    if not wanted:
        return {}
    first_day = start.replace(day=1)
    rows = (
        Membership.objects.filter(_paying(first_day), person__nik__in=wanted)
        .exclude(Q(sponsor_id=sponsor_id) if sponsor_id is not None else Q(pk__in=[]))
        .exclude(status=Membership.Status.INACTIVE)
        .order_by("person__nik", "sponsor__name")
        .values_list("person__nik", "sponsor_id", "sponsor__name")
    )
    found: dict[str, OtherPayer] = {}
    for nik, other_id, name in rows:
        found.setdefault(nik, OtherPayer(other_id, name or APBN))
    return found


def other_payer_sql(nik: str, start: str, sponsor_id: int | None) -> tuple[str, list[Any]]:
    """PostgreSQL (the COPY import path): a scalar subquery giving the name of another payer (sponsor or
    APBN) of the person with NIK `nik` from the month of date `start` on (both SQL expressions of the
    caller's row), or NULL; with its parameters."""
    m, p, s = table(Membership), table(Person), table(Sponsor)
    kinds = ", ".join(quoted(k) for k in (Membership.PayerKind.SPONSOR, Membership.PayerKind.GOVERNMENT))
    sql = f"""(SELECT COALESCE(MIN(s.name), {quoted(APBN)}) FROM {m} om JOIN {p} op ON op.id = om.person_id
        LEFT JOIN {s} s ON s.id = om.sponsor_id
        WHERE op.nik = {nik} AND om.payer_kind IN ({kinds})
        AND om.sponsor_id IS DISTINCT FROM %s::bigint
        AND om.start_date <= (date_trunc('month', {start}) + interval '1 month - 1 day')::date
        AND om.status <> {quoted(Membership.Status.INACTIVE)}
        AND NOT (om.status = {quoted(Membership.Status.ENDED)} AND om.end_date IS NULL)
        AND (om.end_date IS NULL OR om.end_date >= date_trunc('month', {start})::date)
        HAVING COUNT(*) > 0)"""
    return sql, [sponsor_id]


def refusal(name: str) -> str:
    """The row error of a refused person, naming the sponsor that already pays (as the import's reason)."""
    return str(_("Already paid for these months by another sponsor: %(sponsor)s.")) % {"sponsor": name}
