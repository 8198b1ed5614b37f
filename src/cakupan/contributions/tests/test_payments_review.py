"""Payment amounts bounded like the calculators (at most Rp 10^15) on every path, and payments that would
leave a credit larger than a year of the payer's bills held for review: not allocated until released, never if
rejected; each decision audited; on the service, the statement import, the API and the page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cakupan.contributions.models import Allocation, Payment
from cakupan.contributions.selectors_payments import statement
from cakupan.contributions.services.payment_review import payment_reject, payment_release
from cakupan.contributions.services.payments import MAX_AMOUNT, payment_record
from cakupan.contributions.services.statement_import import statement_import
from cakupan.contributions.tests.payment_fixtures import account_make, bill_make
from cakupan.core.errors import InvalidInput
from cakupan.core.models import AuditEvent
from cakupan.rules.contributions.inputs import MAX_RUPIAH
from cakupan.rules.period import Period

pytestmark = pytest.mark.django_db
VA = "8810000000000001"
ATTACK = 9_999_999_999_999_999


@pytest.fixture
def account(world: Any) -> Any:
    """A payer with a year of bills: Rp 1,000,000 in each of the last two months (Rp 2,000,000)."""
    acc = account_make(va=VA, employer=world.hospital)
    this = Period.of(timezone.localdate())
    bill_make(acc, str(this.shift(-2)), 1_000_000)
    bill_make(acc, str(this.shift(-1)), 1_000_000)
    return acc


def pay(world: Any, account: Any, amount: Any, ref: str) -> Payment:
    return payment_record(
        actor=world.branch_malang,
        account=account,
        amount=amount,
        paid_on=timezone.localdate(),
        reference=ref,
        source="page",
    )


def test_the_bound_is_the_calculators() -> None:
    assert MAX_AMOUNT == MAX_RUPIAH == 10**15


def test_an_amount_above_10_15_is_a_field_error_writing_nothing(world: Any, account: Any) -> None:
    for amount in (ATTACK, MAX_AMOUNT + 1):
        with pytest.raises(InvalidInput) as exc:
            pay(world, account, amount, f"R{amount}")
        assert [e.field for e in exc.value.errors] == ["amount"]
    assert not Payment.objects.exists()
    assert pay(world, account, MAX_AMOUNT, "MAX").status == "held"  # the bound itself is an amount


def test_a_statement_line_above_the_bound_is_rejected(world: Any, account: Any) -> None:
    today = timezone.localdate().isoformat()
    csv = f"virtual_account,amount,date,reference\n{VA},{ATTACK},{today},X1\n{VA},500000,{today},X2\n"
    report = statement_import(actor=world.admin, content=csv.encode())
    assert [r["line"] for r in report.rejected] == [2]
    assert list(Payment.objects.values_list("reference", flat=True)) == ["X2"]


def test_a_payment_within_a_year_of_bills_is_accepted_and_allocated(world: Any, account: Any) -> None:
    payment = pay(world, account, 2_000_000 + 2_000_000, "OK")  # settles both bills, credit = the year
    assert payment.status == "accepted"
    assert sum(Allocation.objects.values_list("amount", flat=True)) == 2_000_000


def test_a_larger_credit_is_held_not_allocated_and_shown(world: Any, account: Any) -> None:
    payment = pay(world, account, 2_000_000 + 2_000_001, "BIG")
    assert payment.status == "held"
    assert not Allocation.objects.exists()
    st = statement(account=account, as_of=timezone.localdate())
    assert (st["paid"], st["credit"], st["held"], st["outstanding"]) == (0, 0, 4_000_001, 2_000_000)
    assert AuditEvent.objects.get(action="payment.record").changes["status"] == "held"


def test_without_bills_the_floor_applies(world: Any, settings: Any) -> None:
    settings.CAKUPAN_PAYMENT_HOLD_FLOOR = 5_000_000
    empty = account_make(va="8810000000000009", employer=world.factory)
    assert pay(world, empty, 5_000_000, "A").status == "accepted"
    assert pay(world, empty, 1, "B").status == "held"  # the credit would pass the floor


def test_release_allocates_and_is_audited(world: Any, account: Any) -> None:
    payment = pay(world, account, 50_000_000, "BIG")
    made = payment_release(actor=world.branch_malang, payment=payment, note="confirmed with the bank")
    payment.refresh_from_db()
    assert payment.status == "accepted"
    assert payment.reviewed_by_id == world.branch_malang.pk
    assert sum(a.amount for a in made) == 2_000_000
    event = AuditEvent.objects.get(action="payment.release")
    assert (event.actor_id, event.entity_id) == (world.branch_malang.pk, str(payment.pk))
    assert statement(account=account, as_of=timezone.localdate())["credit"] == 48_000_000
    with pytest.raises(InvalidInput):  # decided once
        payment_reject(actor=world.branch_malang, payment=payment, note="late")


def test_reject_needs_a_reason_and_never_allocates(world: Any, account: Any) -> None:
    payment = pay(world, account, 50_000_000, "BIG")
    with pytest.raises(InvalidInput) as exc:
        payment_reject(actor=world.branch_malang, payment=payment, note=" ")
    assert exc.value.errors[0].field == "note"
    payment_reject(actor=world.branch_malang, payment=payment, note="typing error")
    assert payment.status == "rejected"
    # A later small payment is judged without the rejected one and settles the bills.
    assert pay(world, account, 2_000_000, "SMALL").status == "accepted"
    assert sum(Allocation.objects.values_list("amount", flat=True)) == 2_000_000
    assert AuditEvent.objects.filter(action="payment.reject").count() == 1


def test_other_roles_may_not_release(world: Any, account: Any) -> None:
    payment = pay(world, account, 50_000_000, "BIG")
    with pytest.raises(PermissionDenied):
        payment_release(actor=world.hr_hospital, payment=payment)
    payment.refresh_from_db()
    assert payment.status == "held"


def test_statement_import_holds_per_account_in_line_order(world: Any, account: Any) -> None:
    day = timezone.localdate().isoformat()
    csv = (
        "virtual_account,amount,date,reference\n"
        f"{VA},3000000,{day},L1\n"  # settles 2,000,000, credit 1,000,000: accepted
        f"{VA},2000000,{day},L2\n"  # credit would be 3,000,000 > the year's 2,000,000: held
        f"{VA},1000000,{day},L3\n"  # credit 2,000,000: accepted
    )
    report = statement_import(actor=world.admin, content=csv.encode())
    assert report.held == 1
    assert dict(Payment.objects.values_list("reference", "status")) == {
        "L1": "accepted",
        "L2": "held",
        "L3": "accepted",
    }


def test_api_field_error_hold_and_release(world: Any, account: Any) -> None:
    api = APIClient()
    api.force_authenticate(world.branch_malang)
    body = {"account": account.pk, "paid_on": timezone.localdate().isoformat(), "reference": "API1"}
    response = api.post(reverse("api-payment-create"), {**body, "amount": ATTACK}, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["amount"]
    response = api.post(reverse("api-payment-create"), {**body, "amount": 90_000_000}, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "held"
    pk = response.json()["id"]
    statement_json = api.get(reverse("api-payer-statement", args=[account.pk])).json()
    assert statement_json["held"] == 90_000_000
    assert statement_json["payments"][0]["status"] == "held"
    hr = APIClient()
    hr.force_authenticate(world.hr_hospital)
    assert hr.post(reverse("api-payment-release", args=[pk]), {}, format="json").status_code == 403
    response = api.post(reverse("api-payment-release", args=[pk]), {"note": "ok"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"


def test_page_bounds_the_field_and_rejects_from_the_statement(world: Any, account: Any) -> None:
    client = Client()
    client.force_login(world.branch_malang)
    url = reverse("contributions:payment_create", args=[account.pk])
    form = {"amount": str(ATTACK), "paid_on": timezone.localdate().isoformat(), "reference": "P1"}
    response = client.post(url, form)
    assert response.status_code == 400
    assert "amount" in response.context["form"].errors
    assert client.post(url, {**form, "amount": "90000000"}).status_code == 302
    payment = Payment.objects.get(reference="P1")
    page = client.get(reverse("contributions:account_statement", args=[account.pk]))
    assert reverse("contributions:payment_reject", args=[payment.pk]).encode() in page.content
    client.post(reverse("contributions:payment_reject", args=[payment.pk]), {"note": "salah ketik"})
    payment.refresh_from_db()
    assert (payment.status, payment.review_note) == ("rejected", "salah ketik")
