"""PP 49/2020 JP deferral repayment in billing, on a real database (SQLite and PostgreSQL).

rules.md §2.7: a qualifying employer paid 1 % of JP for August 2020 - January 2021; the deferred 99 % had to
be repaid, starting by 15 May 2021 and finishing by 15 April 2022. The run bills each relief month's deferred
JP on a bill of its own (kind `pp49_jp_repayment`), due by 15 April 2022 moved to the next working day (Good
Friday: Monday 18 April 2022); payments made before then settle it in instalments; unpaid after it, it is
fined at 0.5 % a month (flagged unconfirmed in the rule table). Figures are worked by hand below.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cakupan.benefits.eligibility.contributions import employer_standing_at
from cakupan.contributions.arrears import late_fine_rate
from cakupan.contributions.models import Bill, BillLine, PayerAccount
from cakupan.contributions.selectors_payments import fine_as_of, statement
from cakupan.contributions.services.billing import billing_run
from cakupan.contributions.services.payments import payment_record
from cakupan.registry.models import Membership
from cakupan.registry.services.relief import employer_jp_deferral_set
from cakupan.rules.contributions import contribution_tables
from cakupan.rules.period import Period

pytestmark = pytest.mark.django_db

D = dt.date
REPAY = Bill.Kind.PP49_JP_REPAYMENT


def _qualify(world: Any) -> Membership:
    employer_jp_deferral_set(actor=world.admin, employer=world.hospital, qualifies=True)
    return Membership.objects.get(person=world.nurse)  # PU since 2020-01, wage 4,500,000, JP held


def _line(member: Membership, period: str, kind: str) -> BillLine:
    # The employer's line (from February 2021 a PU member in JKP also has a line on the government's bill).
    return BillLine.objects.select_related("bill").get(
        membership=member, period=period, bill__kind=kind, bill__account__kind="employer"
    )


def test_pp49_2020_deferred_jp_is_billed_on_its_own_bill_due_by_15_april_2022(world: Any) -> None:
    nurse = _qualify(world)
    assert billing_run(period="2020-09").status == "done"
    now = _line(nurse, "2020-09", Bill.Kind.REGULAR)
    later = _line(nurse, "2020-09", REPAY)
    # JP on 4,500,000 (under the 2020 cap): employer 2 % = 90,000, worker 1 % = 45,000. 1 % of each is due
    # with the month (900 + 450); the rest, 89,100 + 44,550 = 133,650, on the repayment bill.
    assert (now.jp, later.jp) == (1_350, 133_650)
    assert (later.employer_share, later.worker_share, later.amount) == (89_100, 44_550, 133_650)
    assert (later.jkk, later.jkm, later.jht, later.jkp) == (0, 0, 0, 0)
    assert now.jp + later.jp == 135_000  # nothing lost or added by the split
    assert later.bill.account.kind == PayerAccount.Kind.EMPLOYER
    assert later.bill.account_id == now.bill.account_id
    # 15 April 2022 was Good Friday: the next working day, Monday 18 April 2022.
    assert later.bill.due_date == D(2022, 4, 18)
    assert (later.bill.amount_due, later.bill.members) == (133_650, 1)
    assert now.bill.due_date == D(2020, 10, 30)  # the month itself: the 30th of the following month
    # A second run of the period adds nothing.
    assert billing_run(period="2020-09").status == "done"
    assert Bill.objects.filter(period="2020-09", kind=REPAY).count() == 1
    assert BillLine.objects.filter(membership=nurse, period="2020-09").count() == 2


def test_pp49_2020_no_repayment_bill_outside_the_relief_months_or_without_the_mark(world: Any) -> None:
    nurse = Membership.objects.get(person=world.nurse)
    assert billing_run(period="2020-10").status == "done"  # the hospital is not marked
    assert not Bill.objects.filter(kind=REPAY).exists()
    assert _line(nurse, "2020-10", Bill.Kind.REGULAR).jp == 135_000
    _qualify(world)
    for period in ("2020-07", "2021-02"):  # before and after PP 49/2020: JP in full, nothing deferred
        assert billing_run(period=period).status == "done"
    assert not Bill.objects.filter(kind=REPAY).exists()
    assert _line(nurse, "2021-02", Bill.Kind.REGULAR).jp == 135_000


def test_pp49_2020_repayment_fine_arrears_and_instalments(world: Any) -> None:
    nurse = _qualify(world)
    for period in ("2020-08", "2020-09"):
        assert billing_run(period=period).status == "done"
    account = PayerAccount.objects.get(kind="employer", employer=world.hospital)
    regular = Bill.objects.filter(account=account, kind=Bill.Kind.REGULAR).order_by("period")
    repayments = Bill.objects.filter(account=account, kind=REPAY).order_by("period")
    assert [b.amount_due for b in repayments] == [133_650, 133_650]
    # The regular bills are paid on time; an instalment of 100,000 in May 2021 goes to the oldest due bill
    # still open, the August repayment (both repayments fall due on the same day, August's first).
    payment_record(
        actor=world.admin,
        account=account,
        amount=sum(b.amount_due for b in regular),
        paid_on=D(2020, 9, 30),  # the August bill's due date: nothing late
        reference="REG-1",
        source="page",
    )
    payment_record(
        actor=world.admin,
        account=account,
        amount=100_000,
        paid_on=D(2021, 5, 14),
        reference="CIC-1",
        source="page",
    )
    august, september = repayments
    assert fine_as_of(august, D(2022, 4, 18)) == 0  # not late on its due date
    # One day late: one started month at 0.5 % of what is still unpaid (33,650 and 133,650).
    assert fine_as_of(august, D(2022, 4, 19)) == 168  # 168.25
    assert fine_as_of(september, D(2022, 4, 19)) == 668  # 668.25
    assert fine_as_of(september, D(2022, 6, 1)) == 2 * 668
    # The rate is the table's, flagged unconfirmed: rules.md §2.7 gives the repayment no fine of its own.
    relief = contribution_tables().for_period(Period.parse("2020-09")).relief
    assert relief is not None
    assert relief.jp_repay_late_fine_percent_per_month.source.confidence == "unconfirmed"
    assert late_fine_rate("2020-09", REPAY) == Decimal("0.005")
    # Arrears: before the deadline the deferral is not arrears; more than 3 months after it, it is.
    early = employer_standing_at(employer=world.hospital, on=D(2022, 4, 1))
    assert early is not None
    assert not early.behind
    behind = employer_standing_at(employer=world.hospital, on=D(2022, 7, 19))
    assert behind is not None
    assert behind.behind
    assert (behind.oldest_due, behind.unpaid_bills) == (D(2022, 4, 18), 2)
    # The statement shows both kinds; the balance is the unpaid repayment plus its fines.
    sheet = statement(account=account, as_of=D(2022, 4, 19))
    assert sheet["balance"] == (133_650 - 100_000) + 133_650 + 168 + 668
    assert nurse.pk in BillLine.objects.filter(bill__in=repayments).values_list("membership_id", flat=True)


def test_pp49_2020_repayment_bill_is_named_on_the_statement_and_its_page_in_indonesian(world: Any) -> None:
    _qualify(world)
    assert billing_run(period="2020-09").status == "done"
    account = PayerAccount.objects.get(kind="employer", employer=world.hospital)
    repayment = Bill.objects.get(account=account, kind=REPAY)
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(world.admin)
    label = "pelunasan iuran JP yang ditunda (PP 49/2020)"
    sheet = client.get(reverse("contributions:account_statement", args=[account.pk])).text
    assert sheet.count(label) == 1  # the repayment only, not the month's regular bill
    page = client.get(reverse("contributions:bill_detail", args=[repayment.pk])).text
    assert label in page
    assert "18 April 2022" in page
