"""Billing and payments together: bills made by a real billing run are paid oldest first, and credit left
by an overpayment settles the next run's bill without another payment."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cakupan.contributions.models import Bill, PayerAccount
from cakupan.contributions.selectors_payments import statement
from cakupan.contributions.services.billing import billing_run
from cakupan.contributions.services.payments import payment_record

pytestmark = pytest.mark.django_db


def test_payments_settle_billed_months_and_credit_carries_to_the_next_run(world: Any) -> None:
    billing_run(period="2025-04")
    billing_run(period="2025-05")
    account = PayerAccount.objects.get(kind="employer", employer=world.hospital)
    april, may = Bill.objects.filter(account=account).order_by("period")
    assert april.amount_due == may.amount_due > 0

    # Pays April in full and half of May: oldest first.
    payment_record(
        actor=world.admin,
        account=account,
        amount=april.amount_due + may.amount_due // 2,
        paid_on=dt.date(2025, 6, 10),
        reference="TRX-1",
        source="page",
    )
    # Then overpays: the rest of May plus a whole month more, which stays as credit.
    rest = may.amount_due - may.amount_due // 2
    payment_record(
        actor=world.admin,
        account=account,
        amount=rest + may.amount_due,
        paid_on=dt.date(2025, 6, 12),
        reference="TRX-2",
        source="page",
    )
    before = statement(account=account, as_of=dt.date(2025, 6, 12))
    assert before["credit"] == may.amount_due

    run = billing_run(period="2025-06")
    june = Bill.objects.get(account=account, period="2025-06")
    assert run.counts["credit_applied"]["allocated"] == june.amount_due
    after = statement(account=account, as_of=dt.date(2025, 7, 20))
    assert after["credit"] == 0
    assert [row["bill"].outstanding for row in after["bills"]] == [0, 0, 0]
    assert after["outstanding"] == 0
    # April (due 15 May) was paid on 10 June: one started month late, 2 % of its 429,300 (rules.md §4).
    assert april.amount_due == 429_300
    assert after["fines"] == 8_586
    assert after["balance"] == 8_586
