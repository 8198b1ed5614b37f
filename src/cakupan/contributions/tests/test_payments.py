"""Payments: allocation oldest bill first, partial payments, overpayment credit and its later use."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cakupan.accounts.permissions import SYSTEM
from cakupan.contributions.models import Allocation, Payment
from cakupan.contributions.selectors_payments import statement
from cakupan.contributions.services.payments import (
    allocate_credit,
    allocate_credit_all,
    payment_record,
)
from cakupan.contributions.tests.payment_fixtures import account_make, bill_make
from cakupan.core.errors import InvalidInput
from cakupan.core.models import AuditEvent

AS_OF = dt.date(2025, 12, 31)


def paid_per_bill(account: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for a in Allocation.objects.filter(payment__account=account).select_related("bill"):
        out[a.bill.period] = out.get(a.bill.period, 0) + a.amount
    return out


@pytest.fixture
def account(world: Any) -> Any:
    return account_make(va="8810000000000001", employer=world.hospital)


def pay(world: Any, account: Any, amount: Any, ref: str, day: Any = dt.date(2025, 6, 1)) -> Payment:
    return payment_record(
        actor=world.admin, account=account, amount=amount, paid_on=day, reference=ref, source="page"
    )


def test_oldest_bill_first_and_partial(world: Any, account: Any) -> None:
    # Created out of order: allocation follows the period, not the id.
    bill_make(account, "2025-03", 300_000)
    bill_make(account, "2025-01", 100_000)
    bill_make(account, "2025-02", 200_000)
    pay(world, account, 250_000, "REF-1")
    assert paid_per_bill(account) == {"2025-01": 100_000, "2025-02": 150_000}
    pay(world, account, 100_000, "REF-2")
    assert paid_per_bill(account) == {"2025-01": 100_000, "2025-02": 200_000, "2025-03": 50_000}
    st = statement(account=account, as_of=AS_OF)
    assert st["outstanding"] == 250_000
    assert st["credit"] == 0
    assert AuditEvent.objects.filter(action="payment.record").count() == 2


def test_overpayment_becomes_credit_used_by_later_bill(world: Any, account: Any) -> None:
    bill_make(account, "2025-01", 100_000)
    pay(world, account, 180_000, "REF-1", day=dt.date(2025, 2, 10))  # before the due date: no fine
    st = statement(account=account, as_of=AS_OF)
    assert (st["outstanding"], st["credit"]) == (0, 80_000)
    later = bill_make(account, "2025-02", 50_000)
    made = allocate_credit(actor=world.admin, account=account)
    assert [(a.bill_id, a.amount) for a in made] == [(later.pk, 50_000)]
    st = statement(account=account, as_of=AS_OF)
    # The credit dates from 10 Feb, before the new bill's due date (15 Mar): no fine either.
    assert (st["outstanding"], st["credit"], st["fines"], st["balance"]) == (0, 30_000, 0, -30_000)
    # Nothing left to settle: running it again moves nothing.
    assert allocate_credit(actor=world.admin, account=account) == []


def test_credit_used_after_billing_for_all_accounts(world: Any, account: Any) -> None:
    other = account_make(va="8810000000000002", employer=world.factory)
    pay(world, account, 70_000, "A")
    pay(world, other, 20_000, "B")
    bill_make(account, "2025-05", 100_000)
    bill_make(other, "2025-05", 10_000)
    assert allocate_credit_all(actor=SYSTEM) == {"accounts": 2, "allocated": 80_000}
    assert paid_per_bill(account) == {"2025-05": 70_000}
    assert paid_per_bill(other) == {"2025-05": 10_000}


def test_new_payment_first_lets_old_credit_settle(world: Any, account: Any) -> None:
    pay(world, account, 60_000, "OLD")  # no bill yet: all credit
    bill_make(account, "2025-01", 100_000)
    pay(world, account, 50_000, "NEW")
    rows = sorted((a.payment.reference, a.amount) for a in Allocation.objects.select_related("payment"))
    assert rows == [("NEW", 40_000), ("OLD", 60_000)]
    assert statement(account=account, as_of=AS_OF)["credit"] == 10_000


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("amount", {"amount": 0}),
        ("amount", {"amount": -5}),
        ("amount", {"amount": "12.5"}),
        ("amount", {"amount": True}),
        ("paid_on", {"paid_on": "2025-13-01"}),
        ("paid_on", {"paid_on": dt.date.today() + dt.timedelta(days=2)}),
        ("reference", {"reference": "  "}),
        ("reference", {"reference": "x" * 65}),
        ("source", {"source": "cash"}),
    ],
)
def test_bad_input_names_field_and_writes_nothing(
    world: Any, account: Any, field: str, kwargs: dict[str, Any]
) -> None:
    args: dict[str, Any] = {"amount": 1000, "paid_on": "2025-01-02", "reference": "R", "source": "api"}
    args.update(kwargs)
    with pytest.raises(InvalidInput) as info:
        payment_record(actor=world.admin, account=account, **args)
    assert [e.field for e in info.value.errors] == [field]
    assert Payment.objects.count() == 0


def test_same_reference_twice_is_refused(world: Any, account: Any) -> None:
    bill_make(account, "2025-01", 100_000)
    pay(world, account, 10_000, "REF-1")
    with pytest.raises(InvalidInput) as info:
        pay(world, account, 10_000, "REF-1")
    assert info.value.errors[0].field == "reference"
    assert Payment.objects.count() == 1
    assert sum(a.amount for a in Allocation.objects.all()) == 10_000
    # The same reference on another account is another payment.
    other = account_make(va="8810000000000002", employer=world.factory)
    pay(world, other, 10_000, "REF-1")
    assert Payment.objects.count() == 2
