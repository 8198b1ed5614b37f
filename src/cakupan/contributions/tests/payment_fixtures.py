"""Payer accounts and bills made directly (the billing run has its own tests), for payment tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cakupan.contributions.models import Bill, PayerAccount
from cakupan.contributions.services.account_keys import account_keys_refresh


def account_make(*, kind: str = "employer", va: str, **payer: Any) -> PayerAccount:
    """An account with its audience keys, as billing makes them (billing_write.accounts_ensure)."""
    account = PayerAccount.objects.create(kind=kind, virtual_account=va, **payer)
    account_keys_refresh([account.pk])
    return account


def bill_make(account: PayerAccount, period: str, amount: int, due: dt.date | None = None) -> Bill:
    """A bill for `period` ("YYYY-MM"), due on the 15th of the next month unless `due` is given."""
    year, month = int(period[:4]), int(period[5:])
    if due is None:
        due = dt.date(year + month // 12, month % 12 + 1, 15)
    return Bill.objects.create(account=account, period=period, due_date=due, amount_due=amount, members=1)
