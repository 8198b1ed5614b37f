"""Runway: the contract of `cakupan sponsors runway --json` and /api/v1/sponsors/<id>/runway/, hand-worked
from Rp16,800 a member; alerts at 90/60/30 days, once each, in the product and by e-mail; scope."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from rest_framework.test import APIClient

from cakupan.accounts.models import User
from cakupan.accounts.permissions import SYSTEM
from cakupan.contributions.models import PayerAccount
from cakupan.contributions.services.payments import payment_record
from cakupan.core.errors import NotInScope
from cakupan.sponsorship.models import FundingAlert
from cakupan.sponsorship.selectors import runway
from cakupan.sponsorship.services.alerts import alerts_raise
from cakupan.sponsorship.services.funding import funded_period_create
from cakupan.sponsorship.tests.factories import PRICE, apbd_sponsor, bill_months, sponsored

pytestmark = pytest.mark.django_db
KEYS = [
    "sponsor",
    "period",
    "members",
    "monthly_bill",
    "budget",
    "committed",
    "paid",
    "remaining",
    "months_left",
    "cover_ends",
]


def funded_cohort(world: Any, *, amount: int, members: int = 3, last: str = "2026-12") -> Any:
    sponsor = apbd_sponsor(world.admin)
    funded_period_create(
        actor=world.admin,
        sponsor=sponsor,
        source="apbd_regency",
        document="DPA 2026",
        amount=amount,
        first_month="2026-01",
        last_month=last,
        declared_income=1_000_000,
        member_cap=100,
    )
    for serial in range(members):
        sponsored(world.admin, sponsor, serial)
    return sponsor


def run_command(*args: str) -> tuple[int, dict[str, Any]]:
    out = io.StringIO()
    try:
        call_command("sponsors", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, json.loads(out.getvalue())


def test_runway_contract_hand_worked(world: Any) -> None:
    # Rp500,000 for 3 members at Rp16,800 = Rp50,400 a month: after Jan-Mar (Rp151,200) Rp348,800 is left,
    # 6 more months (Rp302,400), so cover ends September 2026, before the period's December.
    sponsor = funded_cohort(world, amount=500_000)
    bill_months("2026-01", "2026-02", "2026-03")
    account = PayerAccount.objects.get(kind="sponsor", sponsor=sponsor)
    payment_record(
        actor=world.admin,
        account=account,
        amount=100_800,
        paid_on="2026-03-10",
        reference="SP2D-1",
        source="page",
    )
    code, body = run_command("runway", str(sponsor.pk), "--json")
    assert code == 0
    assert list(body) == KEYS
    assert body == {
        "sponsor": sponsor.pk,
        "period": "2026-03",
        "members": 3,
        "monthly_bill": 3 * PRICE,
        "budget": 500_000,
        "committed": 151_200,
        "paid": 100_800,
        "remaining": 348_800,
        "months_left": 6,
        "cover_ends": "2026-09",
    }
    # As of February: one month less billed and Rp50,400 more left, the same end.
    code, feb = run_command("runway", str(sponsor.pk), "--period", "2026-02", "--json")
    assert (feb["committed"], feb["remaining"], feb["months_left"], feb["cover_ends"]) == (
        100_800,
        399_200,
        7,
        "2026-09",
    )
    api = APIClient()
    api.force_authenticate(world.admin)
    answer = api.get(f"/api/v1/sponsors/{sponsor.pk}/runway/")
    assert answer.status_code == 200
    assert answer.json() == body


def test_runway_capped_by_period_and_unfunded(world: Any) -> None:
    sponsor = funded_cohort(world, amount=10_000_000, last="2026-06")
    bill_months("2026-01")
    run = runway(user=world.admin, sponsor_id=sponsor.pk)
    assert run.months_left == (10_000_000 - 3 * PRICE) // (3 * PRICE)  # 197 months of money...
    assert run.cover_ends == "2026-06"  # ...but the period ends in June
    bare = runway(user=world.admin, sponsor_id=world.sponsor.pk, period="2026-01")
    assert (bare.budget, bare.remaining, bare.months_left, bare.cover_ends) == (0, 0, 0, None)


def test_bad_input_and_scope(world: Any) -> None:
    sponsor = funded_cohort(world, amount=500_000)
    code, body = run_command("runway", str(sponsor.pk), "--period", "2026-13", "--json")
    assert code == 2
    assert body["errors"][0]["field"] == "period"
    code, body = run_command("runway", "abc", "--json")
    assert code == 2
    assert body["errors"][0]["field"] == "sponsor"
    api = APIClient()
    api.force_authenticate(world.admin)
    bad = api.get(f"/api/v1/sponsors/{sponsor.pk}/runway/?period=2026-1")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "period"
    # A sponsor sees only its own runway; another regency's office none of this one.
    api.force_authenticate(world.sponsor_user)
    assert api.get(f"/api/v1/sponsors/{sponsor.pk}/runway/").status_code == 404
    assert api.get(f"/api/v1/sponsors/{world.sponsor.pk}/runway/").status_code == 200
    with pytest.raises(NotInScope):
        runway(user=world.branch_bekasi, sponsor_id=sponsor.pk)
    assert runway(user=world.branch_malang, sponsor_id=sponsor.pk).budget == 500_000


def test_alerts_90_60_30_once_each_with_mail(world: Any) -> None:
    sponsor = funded_cohort(world, amount=500_000)  # money ends September 2026 (above)
    bill_months("2026-01", "2026-02", "2026-03")
    world.sponsor_user.email = "csr@example.id"
    world.sponsor_user.save()
    User.objects.filter(pk=world.branch_malang.pk).update(email="staf@malang.example.id")
    User.objects.filter(pk=world.branch_bekasi.pk).update(email="staf@bekasi.example.id")
    User.objects.create_user(
        username="apbd", password="x", role="sponsor", sponsor=sponsor, email="apbd@x.id"
    )
    assert alerts_raise(actor=SYSTEM, today=dt.date(2026, 6, 1)) == []  # 121 days before 30 September
    first = alerts_raise(actor=SYSTEM, today=dt.date(2026, 7, 3))  # 89 days
    assert [(r.alert.ends, r.alert.threshold_days, r.alert.ends_on) for r in first] == [
        ("money", 90, dt.date(2026, 9, 30))
    ]
    assert mail.outbox[-1].to == ["apbd@x.id", "staf@malang.example.id"]  # not the CSR, not Bekasi
    assert "30 September 2026" in mail.outbox[-1].subject  # Indonesian, one date format
    assert "berakhir" in mail.outbox[-1].body
    assert alerts_raise(actor=SYSTEM, today=dt.date(2026, 7, 4)) == []  # raised once
    assert [r.alert.threshold_days for r in alerts_raise(actor=SYSTEM, today=dt.date(2026, 8, 5))] == [60]
    # 31 August: 30 days before the money ends, and 122 before the period's end (no alert for that yet).
    assert [
        (r.alert.ends, r.alert.threshold_days) for r in alerts_raise(actor=SYSTEM, today=dt.date(2026, 8, 31))
    ] == [("money", 30)]
    assert FundingAlert.objects.filter(funded_period__sponsor=sponsor).count() == 3
    assert len(mail.outbox) == 3
    code, body = run_command("alerts", "--date", "2026-09-01", "--json")
    assert code == 0
    assert body == {"alerts": []}
