"""The payer accounts and bills of a billing chunk, each a constant number of queries.

Accounts and bills are created with `ignore_conflicts` on their unique keys and read back, so a chunk
replayed after a crash or by a second run adds nothing. The lines are written by billing_sql.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from cakupan.contributions.models import (
    Bill,
    BillingRun,
    PayerAccount,
)
from cakupan.contributions.services.account_keys import account_keys_refresh
from cakupan.contributions.services.billing_dates import due_date_for, virtual_account_for
from cakupan.rules.period import Period

PayerKey = tuple[str, int | None]
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
        # Who sees the new accounts (contributions.PayerAccountAudience), as for every other account.
        account_keys_refresh(found[key] for key in missing if key in found)
    return found


def bills_ensure(
    accounts: dict[PayerKey, int],
    *,
    period: Period,
    run: BillingRun,
    kind: str = Bill.Kind.REGULAR,
    due_on: dt.date | None = None,
) -> dict[PayerKey, int]:
    """The bill id of every payer for the period, creating the missing bills (totals come at the end). A
    bill of another `kind` than regular (a PP 49/2020 JP repayment) falls due on `due_on`."""
    by_account = {pk: key for key, pk in accounts.items()}

    def read() -> dict[PayerKey, int]:
        rows = Bill.objects.filter(
            period=str(period), kind=kind, account_id__in=list(by_account)
        ).values_list("account_id", "pk")
        return {by_account[account]: pk for account, pk in rows}

    found = read()
    missing = accounts.keys() - found.keys()
    if missing:
        due = {
            payer: due_on or due_date_for(period=period, payer_kind=payer)
            for payer in {key[0] for key in missing}
        }
        Bill.objects.bulk_create(
            [
                Bill(
                    account_id=accounts[key],
                    period=str(period),
                    due_date=due[key[0]],
                    kind=kind,
                    run=run,
                )
                for key in sorted(missing, key=lambda k: (k[0], k[1] or 0))
            ],
            ignore_conflicts=True,
        )
        found = read()
        # Who sees the new accounts (contributions.PayerAccountAudience), as for every other account.
        account_keys_refresh(found[key] for key in missing if key in found)
    return found
