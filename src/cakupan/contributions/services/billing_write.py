"""The writes of one billing chunk: payer accounts, bills and bill lines, each a constant number of queries.

Accounts and bills are created with `ignore_conflicts` on their unique keys and read back, lines are
inserted with ON CONFLICT DO NOTHING on UNIQUE(bill, membership): a chunk replayed after a crash or by a
second run adds nothing. On PostgreSQL a chunk whose members have no line yet for the period is streamed
with COPY (no per-row statement); SQLite and replays take the portable INSERT path.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from cakupan.contributions.models import (
    PARTY_COLUMNS,
    PROGRAM_COLUMNS,
    Bill,
    BillingRun,
    BillLine,
    PayerAccount,
)
from cakupan.contributions.services.billing_dates import due_date_for, virtual_account_for
from cakupan.rules.period import Period

PayerKey = tuple[str, int | None]
LINE_COLUMNS = ("bill_id", "membership_id", "base", *PROGRAM_COLUMNS, *PARTY_COLUMNS, "amount")
GOVERNMENT: PayerKey = ("government", None)
_FK = {"employer": "employer_id", "self": "person_id", "sponsor": "sponsor_id"}


def accounts_ensure(keys: Iterable[PayerKey]) -> dict[PayerKey, int]:
    """The account id of every payer, creating the missing accounts."""
    wanted = set(keys)

    def read() -> dict[PayerKey, int]:
        query = Q(pk__in=[])
        for kind, column in _FK.items():
            ids = [pid for k, pid in wanted if k == kind]
            if ids:
                query |= Q(kind=kind, **{f"{column}__in": ids})
        if GOVERNMENT in wanted:
            query |= Q(kind="government")
        found: dict[PayerKey, int] = {}
        for kind, employer, person, sponsor, pk in PayerAccount.objects.filter(query).values_list(
            "kind", "employer_id", "person_id", "sponsor_id", "pk"
        ):
            found[(kind, employer or person or sponsor)] = pk
        return found

    found = read()
    missing = wanted - found.keys()
    if missing:
        PayerAccount.objects.bulk_create(
            [
                PayerAccount(
                    kind=kind,
                    virtual_account=virtual_account_for(kind=kind, payer_id=pid),
                    **({_FK[kind]: pid} if kind in _FK else {}),
                )
                for kind, pid in sorted(missing, key=lambda k: (k[0], k[1] or 0))
            ],
            ignore_conflicts=True,
        )
        found = read()
    return found


def bills_ensure(accounts: dict[PayerKey, int], *, period: Period, run: BillingRun) -> dict[PayerKey, int]:
    """The bill id of every payer for the period, creating the missing bills (totals come at the end)."""
    by_account = {pk: key for key, pk in accounts.items()}

    def read() -> dict[PayerKey, int]:
        rows = Bill.objects.filter(period=str(period), account_id__in=list(by_account)).values_list(
            "account_id", "pk"
        )
        return {by_account[account]: pk for account, pk in rows}

    found = read()
    missing = accounts.keys() - found.keys()
    if missing:
        Bill.objects.bulk_create(
            [
                Bill(
                    account_id=accounts[key],
                    period=str(period),
                    due_date=due_date_for(period=period, payer_kind=key[0]),
                    run=run,
                )
                for key in sorted(missing, key=lambda k: (k[0], k[1] or 0))
            ],
            ignore_conflicts=True,
        )
        found = read()
    return found


def _copy(rows: Sequence[tuple[int, ...]]) -> None:
    """Stream the rows into the bill-line table with PostgreSQL COPY (text format; all values integers)."""
    buffer = io.StringIO()
    buffer.writelines("\t".join(map(str, row)) + "\n" for row in rows)
    table = BillLine._meta.db_table
    with connection.cursor() as cursor:
        raw: Any = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({', '.join(LINE_COLUMNS)}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())


def _insert(rows: Sequence[tuple[int, ...]]) -> None:
    table = BillLine._meta.db_table
    marks = ", ".join(["%s"] * len(LINE_COLUMNS))
    sql = f"INSERT INTO {table} ({', '.join(LINE_COLUMNS)}) VALUES ({marks}) ON CONFLICT DO NOTHING"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def lines_insert(rows: Sequence[tuple[int, ...]], *, period: Period, first: int, last: int) -> None:
    """Insert a chunk's lines; rows already there (a replayed chunk) are left alone."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        replay = BillLine.objects.filter(
            bill__period=str(period), membership_id__gte=first, membership_id__lte=last
        ).exists()
        if not replay:
            try:
                with transaction.atomic():
                    _copy(rows)
                return
            except IntegrityError:
                pass  # a concurrent run got there first: take the conflict-tolerant path
    _insert(rows)
