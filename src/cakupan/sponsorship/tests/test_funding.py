"""Funded periods: created and amended through the services, each audited; overlaps and bad input refused
with nothing written; bills draw on the period they fall in; the check before billing flags a bill beyond
the money, the period or the cap."""

from __future__ import annotations

from typing import Any

import pytest

from cakupan.accounts.permissions import SYSTEM
from cakupan.core.errors import Forbidden, InvalidInput, NotInScope
from cakupan.core.models import AuditEvent
from cakupan.sponsorship.models import BillFlag, FundedPeriod
from cakupan.sponsorship.selectors import funded_period_covering
from cakupan.sponsorship.services.bill_check import bill_check
from cakupan.sponsorship.services.funding import funded_period_amend, funded_period_create
from cakupan.sponsorship.tests.factories import PRICE, apbd_sponsor, bill_months, sponsored

pytestmark = pytest.mark.django_db

GOOD = {
    "source": "apbd_regency",
    "document": "DPA 1.02.0001/2026",
    "amount": 1_000_000,
    "first_month": "2026-01",
    "last_month": "2026-12",
    "declared_income": 1_000_000,
    "member_cap": 10,
}


def fund(actor: Any, sponsor: Any, **over: Any) -> FundedPeriod:
    return funded_period_create(actor=actor, sponsor=sponsor, **{**GOOD, **over})


def test_create_is_audited_and_covers_its_months(world: Any) -> None:
    sponsor = apbd_sponsor(world.admin)
    fp = fund(world.branch_malang, sponsor)
    event = AuditEvent.objects.get(entity="sponsorship.fundedperiod", entity_id=str(fp.pk))
    assert event.action == "create"
    assert event.actor == world.branch_malang
    assert event.changes["amount"] == 1_000_000
    assert funded_period_covering(sponsor.pk, "2026-06") == fp
    assert funded_period_covering(sponsor.pk, "2027-01") is None
    nxt = fund(world.admin, sponsor, first_month="2027-01", last_month="2027-06", amount=500_000)
    assert funded_period_covering(sponsor.pk, "2027-01") == nxt


def test_bad_input_and_overlap_write_nothing(world: Any) -> None:
    sponsor = apbd_sponsor(world.admin)
    with pytest.raises(InvalidInput) as bad:
        fund(
            world.admin,
            sponsor,
            source="lottery",
            amount=-5,
            first_month="2026-13",
            member_cap=0,
            document=" ",
        )
    fields = {e.field for e in bad.value.errors}
    assert fields == {"source", "amount", "first_month", "member_cap", "document"}
    fund(world.admin, sponsor)
    with pytest.raises(InvalidInput) as clash:
        fund(world.admin, sponsor, first_month="2026-06", last_month="2027-03")
    assert clash.value.errors[0].field == "first_month"
    assert "2026-01" in str(clash.value.errors[0].message)
    with pytest.raises(InvalidInput) as backwards:
        fund(world.admin, sponsor, first_month="2028-05", last_month="2028-01")
    assert backwards.value.errors[0].field == "last_month"
    assert FundedPeriod.objects.filter(sponsor=sponsor).count() == 1


def test_scope_and_permission(world: Any) -> None:
    sponsor = apbd_sponsor(world.admin)
    with pytest.raises(NotInScope):  # Bekasi's office does not see a Kota Malang sponsor
        fund(world.branch_bekasi, sponsor)
    with pytest.raises(Forbidden):  # a sponsor does not fund itself through the office's service
        fund(world.sponsor_user, world.sponsor)
    assert not FundedPeriod.objects.exists()


def test_amendment_audited_with_reason_and_not_below_billed(world: Any) -> None:
    sponsor = apbd_sponsor(world.admin)
    fp = fund(world.admin, sponsor)
    sponsored(world.admin, sponsor, 1)
    sponsored(world.admin, sponsor, 2)
    bill_months("2026-01", "2026-02")  # 2 members x Rp16,800 x 2 months = Rp67,200
    with pytest.raises(InvalidInput) as why:
        funded_period_amend(actor=world.admin, funded_period=fp, reason="", amount=2_000_000)
    assert why.value.errors[0].field == "reason"
    with pytest.raises(InvalidInput) as low:
        funded_period_amend(actor=world.admin, funded_period=fp, reason="revisi APBD-P", amount=60_000)
    assert low.value.errors[0].field == "amount"
    assert "67.200" in str(low.value.errors[0].message)
    with pytest.raises(InvalidInput) as fixed:
        funded_period_amend(actor=world.admin, funded_period=fp, reason="x", sponsor=world.sponsor.pk)
    assert fixed.value.errors[0].field == "sponsor"
    amended = funded_period_amend(
        actor=world.admin, funded_period=fp, reason="revisi APBD-P", amount=2_000_000, last_month="2027-03"
    )
    assert (amended.amount, amended.last_month) == (2_000_000, "2027-03")
    event = AuditEvent.objects.get(entity="sponsorship.fundedperiod", action="amend")
    assert event.changes == {
        "amount": [1_000_000, 2_000_000],
        "last_month": ["2026-12", "2027-03"],
        "reason": "revisi APBD-P",
    }
    assert 2 * 2 * PRICE == 67_200


def test_check_flags_before_billing(world: Any) -> None:
    money = apbd_sponsor(world.admin, "APBD Uang Habis")
    fund(world.admin, money, amount=3 * PRICE * 2)  # two members, three months
    for serial in (1, 2):
        sponsored(world.admin, money, serial)
    capped = apbd_sponsor(world.admin, "APBD Kuota Kecil")
    fund(world.admin, capped, member_cap=1, amount=100_000_000)
    for serial in (3, 4):
        sponsored(world.admin, capped, serial)
    unfunded = apbd_sponsor(world.admin, "APBD Tanpa Anggaran")
    sponsored(world.admin, unfunded, 5)
    bill_months("2026-01", "2026-02", "2026-03")
    flags = {(f.sponsor_id, f.reason) for f in bill_check(period="2026-04", actor=SYSTEM)}
    assert (money.pk, BillFlag.Reason.BEYOND_MONEY) in flags  # Rp100,800 billed of Rp100,800
    assert (capped.pk, BillFlag.Reason.OVER_CAP) in flags
    assert (capped.pk, BillFlag.Reason.BEYOND_MONEY) not in flags
    assert (unfunded.pk, BillFlag.Reason.NO_PERIOD) in flags
    assert (world.sponsor.pk, BillFlag.Reason.NO_PERIOD) in flags  # the CSR has no funded period
    beyond = BillFlag.objects.get(sponsor=money, period="2026-04", reason="beyond_money")
    assert (beyond.members, beyond.amount, beyond.available) == (2, 2 * PRICE, 0)
    # The third month still fit: no flag for March.
    assert not {f.reason for f in bill_check(period="2026-03", actor=SYSTEM) if f.sponsor_id == money.pk}
    # A rerun replaces the month's flags instead of adding to them.
    bill_check(period="2026-04", actor=SYSTEM)
    assert BillFlag.objects.filter(period="2026-04").count() == len(flags)
    with pytest.raises(InvalidInput):
        bill_check(period="April", actor=SYSTEM)
