"""The homes as work queues (web/queues.py): each role sees the work waiting for it as counts, each count
links to the list showing exactly those rows, people are greeted by name, and the worker's own page shows
their contributions by month, the JHT estimate and JP months. Real billing runs and payments through the
services; counts come from the cache in a constant number of queries."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cakupan.accounts.models import Role, User
from cakupan.accounts.permissions import SYSTEM
from cakupan.benefits.services.claims import claim_submit
from cakupan.contributions.models import Bill
from cakupan.contributions.services.billing import billing_run
from cakupan.contributions.services.payments import payment_record
from cakupan.core.models import CachedFigures
from cakupan.registry.models import Membership
from cakupan.rules.period import add_months
from cakupan.web.queues import home_refresh


def queues(response: Any) -> dict[str, int]:
    return {item["name"]: item["value"] for item in response.context["queues"]}


def months_back(n: int) -> str:
    return f"{add_months(timezone.localdate().replace(day=1), -n):%Y-%m}"


def bill_months(*months_ago: int) -> None:
    for n in months_ago:
        billing_run(period=months_back(n), actor=SYSTEM)


def test_branch_staff_see_claims_to_verify_and_employers_long_in_arrears(world: Any, as_user: Any) -> None:
    claim_submit(
        actor=world.worker_user,
        person=world.nurse.pk,
        benefit="JKM",
        event_date=dt.date(2024, 6, 1),
        claimant_kind="worker",
        details={"children": 2},
    )
    bill_months(5, 4, 1)  # the hospital pays nothing: its oldest bill fell due four months ago
    client = as_user(world.branch_malang)
    response = client.get(reverse("home"))
    found = queues(response)
    assert found["claims_to_verify"] == 1
    assert found["claims_to_approve"] == 0
    assert found["employers_in_arrears"] == 1  # the hospital (Malang); the Bekasi factory has no member
    assert found["held_rows"] == 0
    assert found["sponsored_ending"] == 0
    assert "bills_to_pay" not in found  # a branch office does not pay bills
    # The counts link to the lists that show those rows.
    links = {item["name"]: item["url"] for item in response.context["queues"]}
    claims_page = client.get(links["claims_to_verify"])
    assert claims_page.status_code == 200
    assert len(claims_page.context["claims"]) == 1
    arrears = client.get(links["employers_in_arrears"])
    behind = [
        r["payer"]
        for r in arrears.context["payers"]
        if r["account"].kind == "employer" and r["standing"].behind
    ]
    assert behind == [str(world.hospital)]
    # Bekasi's office sees neither the Malang claim nor the Malang hospital.
    other = queues(as_user(world.branch_bekasi).get(reverse("home")))
    assert (other["claims_to_verify"], other["employers_in_arrears"]) == (0, 0)


def test_paying_the_old_bills_takes_the_employer_off_the_queue(world: Any, as_user: Any) -> None:
    bill_months(5, 4)
    client = as_user(world.branch_malang)
    assert queues(client.get(reverse("home")))["employers_in_arrears"] == 1
    for bill in Bill.objects.filter(account__employer=world.hospital).order_by("period"):
        payment_record(
            actor=world.admin,
            account=bill.account,
            amount=bill.amount_due,
            paid_on=bill.due_date,
            reference=f"BANK-{bill.period}",
            source="page",
        )
    for key in _keys():  # the page reads the cache until the scheduled refresh recounts it
        home_refresh(key)
    assert queues(client.get(reverse("home")))["employers_in_arrears"] == 0


def test_sponsor_sees_its_bills_and_members_ending_and_the_link_lists_them(world: Any, as_user: Any) -> None:
    ending = timezone.localdate() + dt.timedelta(days=30)
    Membership.objects.filter(pk=world.driver_membership.pk).update(end_date=ending)
    bill_months(2, 1, 0)
    client = as_user(world.sponsor_user)
    response = client.get(reverse("home"))
    found = queues(response)
    assert found["sponsored_ending"] == 1
    assert found["bills_to_pay"] == 3  # none paid
    assert found["bills_overdue"] >= 1  # BPU bills fall due on the 15th of their own month
    assert found["claims_open"] == 0
    links = {item["name"]: item["url"] for item in response.context["queues"]}
    ending_page = client.get(links["sponsored_ending"])
    assert ending_page.status_code == 200
    assert world.driver_membership.kpj in ending_page.text
    statement = client.get(links["bills_to_pay"])
    assert statement.status_code == 200
    # A membership ending later than the queue's window is not in it.
    Membership.objects.filter(pk=world.driver_membership.pk).update(end_date=ending + dt.timedelta(days=90))
    for key in _keys():
        home_refresh(key)
    assert queues(client.get(reverse("home")))["sponsored_ending"] == 0
    assert world.driver_membership.kpj not in client.get(links["sponsored_ending"]).text


def _keys() -> list[str]:
    return list(CachedFigures.objects.values_list("key", flat=True))


def test_employer_hr_sees_its_bills_and_its_last_roster(world: Any, as_user: Any) -> None:
    bill_months(1)
    response = as_user(world.hr_hospital).get(reverse("home"))
    found = queues(response)
    assert found["bills_to_pay"] == 1
    assert found["claims_open"] == 0
    assert response.context["last_roster"] is None  # none uploaded


def test_people_are_greeted_by_name(world: Any, as_user: Any) -> None:
    world.branch_malang.first_name, world.branch_malang.last_name = "Rina", "Wulandari"
    world.branch_malang.save()
    assert "Selamat datang, Rina Wulandari" in as_user(world.branch_malang).get(reverse("home")).text
    assert "Selamat datang, Ners Contoh" in as_user(world.worker_user).get(reverse("home")).text
    assert "Selamat datang, hr_rs" in as_user(world.hr_hospital).get(reverse("home")).text  # no name known


def test_home_queues_cost_a_constant_number_of_queries(world: Any, as_user: Any) -> None:
    client = as_user(world.branch_malang)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    bill_months(5, 4, 3, 2)
    # Three open claims (one per benefit: a second open claim of a benefit is refused).
    for n, (benefit, details) in enumerate(
        [("JKM", {"children": 2}), ("JKK_DEATH", {"children": 2}), ("JHT", {"claim_reason": "RESIGNATION"})]
    ):
        claim_submit(
            actor=world.worker_user,
            person=world.nurse.pk,
            benefit=benefit,
            event_date=dt.date(2024, 6, 1 + n),
            claimant_kind="worker",
            details=details,
        )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("home"))
    assert len(many.captured_queries) == len(few.captured_queries)
    assert not any("COUNT(" in q["sql"].upper() for q in many.captured_queries)


def test_worker_sees_contributions_by_month_jht_estimate_and_jp_months(world: Any, as_user: Any) -> None:
    bill_months(3, 2, 1)
    bills = list(Bill.objects.filter(account__employer=world.hospital).order_by("period"))
    for bill in bills[:2]:  # the last month is unpaid
        payment_record(
            actor=world.admin,
            account=bill.account,
            amount=bill.amount_due,
            paid_on=bill.due_date,
            reference=f"BANK-{bill.period}",
            source="page",
        )
    client = as_user(world.worker_user)
    home = client.get(reverse("home"))
    own = home.context["own"]
    # Wage 4,500,000: JHT 3.7 % + 2 % = 166,500 + 90,000 a month; two months paid, no full year yet.
    assert own.history.jht.balance == 2 * (166_500 + 90_000)
    assert own.history.jp_months == 2
    assert own.latest.period == months_back(1)
    assert reverse("own_record") in home.text
    page = client.get(reverse("own_record"))
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.text)
    assert "Rp513.000" in text  # the estimate
    assert "perkiraan" in text.lower()  # marked as an estimate
    assert text.count("state-paid") == 2
    assert "RS Contoh Sehat" in text  # who paid: the employer
    # Other roles have no own page; the worker sees only their own record.
    assert as_user(world.branch_malang).get(reverse("own_record")).status_code == 403


def test_a_worker_without_jht_is_told_so_instead_of_a_zero_balance(world: Any, as_user: Any) -> None:
    driver = User.objects.create_user(username="ojol", password="pw", role=Role.WORKER, person=world.driver)
    bill_months(1)
    home = as_user(driver).get(reverse("home"))
    assert home.context["own"].has_jht is False
    assert "Anda belum terdaftar dalam JHT" in home.text
    page = as_user(driver).get(reverse("own_record"))
    assert 'id="jht"' not in page.text
    assert "CSR RS Contoh Sehat" in page.text  # the sponsor paid for the month
