"""Bills and payments for eligibility tests, made directly (billing has its own tests), plus members made
through the registry services so the real invariants run."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cakupan.contributions.models import Allocation, Bill, BillLine, PayerAccount, Payment
from cakupan.registry import services
from cakupan.registry.models import Employer, Membership, Person
from cakupan.registry.nik import nik_compose
from cakupan.rules.period import Period

LINE = {"jkk": 10_000, "jkm": 10_000, "jht": 40_000, "jp": 40_000, "jkp": 0}


def periods(first: str, count: int) -> list[str]:
    start = Period.parse(first)
    return [str(start.shift(i)) for i in range(count)]


def employer_account(employer: Employer) -> PayerAccount:
    account, _ = PayerAccount.objects.get_or_create(
        kind="employer", employer=employer, defaults={"virtual_account": f"88{employer.pk:08d}"}
    )
    return account


def bill(membership: Membership, period: str, **line: int) -> Bill:
    """One month billed to the membership's employer, due the 15th of the next month, left unpaid."""
    assert membership.employer is not None
    account = employer_account(membership.employer)
    p = Period.parse(period)
    due = p.shift(1).first_day.replace(day=15)
    parts = {**LINE, **line}
    if membership.jp is False:
        parts["jp"] = 0
    amount = sum(parts.values())
    made, _ = Bill.objects.get_or_create(
        account=account, period=period, defaults={"due_date": due, "amount_due": 0, "members": 0}
    )
    BillLine.objects.create(
        bill=made, membership=membership, period=made.period, employer_share=amount, amount=amount, **parts
    )
    made.amount_due += amount
    made.members += 1
    made.save(update_fields=["amount_due", "members"])
    return made


def pay(made: Bill, paid_on: dt.date | None = None) -> None:
    day = paid_on or made.due_date
    payment = Payment.objects.create(
        account=made.account,
        amount=made.amount_due,
        paid_on=day,
        reference=f"REF-{made.pk}-{day}",
        source="api",
    )
    Allocation.objects.create(payment=payment, bill=made, amount=made.amount_due)


def paid_months(membership: Membership, months: list[str]) -> None:
    for period in months:
        pay(bill(membership, period))


def pu_member(
    actor: Any,
    employer: Employer,
    serial: int,
    *,
    born: dt.date = dt.date(1990, 1, 1),
    start: dt.date = dt.date(2021, 3, 1),
    programs: tuple[str, ...] = ("JKK", "JKM", "JHT", "JP", "JKP"),
    citizenship: str = "WNI",
    wage: int = 4_000_000,
) -> Membership:
    nik = nik_compose(district_code="32.16.01", birth_date=born, sex="L", serial=500 + serial)
    person: Person = services.person_register(
        actor=actor,
        nik=nik,
        full_name=f"Pekerja Uji {serial}",
        birth_date=born,
        sex="L",
        address_region="32.16.01",
        citizenship=citizenship,
    )
    employment = services.employment_start(
        actor=actor,
        person=person,
        employer=employer,
        start_date=start,
        basic_wage=wage,
        fixed_allowance=250_000,
    )
    return services.membership_enrol(
        actor=actor,
        person=person,
        segment="PU",
        programs=list(programs),
        start_date=start,
        payer_kind="employer",
        employer=employer,
        employment=employment,
    )
