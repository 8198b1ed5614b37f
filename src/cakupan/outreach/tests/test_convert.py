"""Turning sign-ups into BPU memberships in bulk: new persons and self-paid memberships, a person already
covered linked and not enrolled twice, a person of another office's area left alone, a sponsor without
money refused at the field, a sponsor's capacity respected, and a query count that does not grow with N."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cakupan.core.errors import Forbidden, InvalidInput, NotInScope
from cakupan.core.models import AuditEvent
from cakupan.outreach.models import SignUp
from cakupan.outreach.services.convert import signups_convert
from cakupan.outreach.services.signups import signup_submit
from cakupan.outreach.tests.helpers import market_event, signed_up, worker
from cakupan.registry import services
from cakupan.registry.models import Membership, Person
from cakupan.registry.selectors import person_list
from cakupan.sponsorship.services.funding import funded_period_create

pytestmark = pytest.mark.django_db
START = dt.date(2026, 2, 1)


def test_self_paid_conversion(world: Any) -> None:
    event = market_event(world.branch_malang, audience="ride_hailing")
    signed_up(event, 1, 2, 3)
    # Worker 3 is registered already and self-paying in BPU: linked, not enrolled again.
    three = worker(3)
    person = services.person_register(
        actor=world.admin,
        nik=three["nik"],
        full_name=three["full_name"],
        birth_date=dt.date.fromisoformat(three["birth_date"]),
        sex="L",
        address_region="35.07.02",
    )
    # Declared above the lowest level and living elsewhere in the regency: the sign-up changes neither.
    services.membership_enrol(
        actor=world.admin,
        person=person,
        segment="BPU",
        programs=["JKK", "JKM"],
        start_date=dt.date(2025, 1, 1),
        payer_kind="self",
        declared_income=2_500_000,
        bpu_sector="other",
    )
    result = signups_convert(actor=world.branch_malang, event=event, start_date=START)
    assert (result.converted, result.new_persons, result.already_covered, result.outside) == (2, 2, 1, 0)
    rows = {s.nik: s for s in SignUp.objects.filter(event=event).select_related("membership", "person")}
    for serial in (1, 2):
        signup = rows[worker(serial)["nik"]]
        m = signup.membership
        assert m is not None
        assert signup.person is not None
        assert (m.segment, m.payer_kind, m.jkk, m.jkm, m.jht, m.start_date) == (
            "BPU",
            "self",
            True,
            True,
            False,
            START,
        )
        assert m.bpu_sector == "transport"  # ride-hailing drivers: PP 50/2025's transport sector
        assert m.declared_income == 1_000_000
        assert len(m.kpj) == 11
        # A sign-up gives no address: a new person lives in the event's regency until corrected.
        assert signup.person.address_region_id == "35.07"
        assert signup.person.full_name == worker(serial)["full_name"]
        # The scope keys were refreshed: the office sees the new person at once.
        assert person_list(user=world.branch_malang).filter(pk=signup.person.pk).exists()
        assert m.person_regency == "35.07"
    assert rows[three["nik"]].membership is None
    assert rows[three["nik"]].person_id == person.pk
    assert Membership.objects.filter(person=person).count() == 1
    person.refresh_from_db()
    assert person.address_region_id == "35.07.02"
    assert Membership.objects.get(person=person).declared_income == 2_500_000
    assert AuditEvent.objects.filter(action="convert", entity="outreach.event").count() == 1
    # Again: nothing left to convert, nothing written.
    again = signups_convert(actor=world.branch_malang, event=event, start_date=START)
    assert again.converted == 0
    assert Membership.objects.filter(segment="BPU", payer_kind="self").count() == 3


def test_refusals_scope_and_outside_persons(world: Any) -> None:
    event = market_event(world.branch_malang)
    signed_up(event, 1)
    # A NIK registered to someone living in Bekasi: not the Malang office's to enrol.
    outsider = worker(7)
    services.person_register(
        actor=world.admin,
        nik=outsider["nik"],
        full_name="Warga Bekasi",
        birth_date=dt.date.fromisoformat(outsider["birth_date"]),
        sex="L",
        address_region="32.16.01",
    )
    signup_submit(event=event, data=outsider)
    with pytest.raises(InvalidInput) as bad:
        signups_convert(actor=world.branch_malang, event=event, start_date="2026-02-15")
    assert [e.field for e in bad.value.errors] == ["start_date"]
    with pytest.raises(InvalidInput) as bad:
        signups_convert(actor=world.branch_malang, event=event, payer="sponsor", sponsor=world.sponsor.pk)
    assert [e.field for e in bad.value.errors] == ["sponsor"]  # a sponsor with no funded period: no money
    with pytest.raises(NotInScope):
        signups_convert(actor=world.branch_bekasi, event=event)
    with pytest.raises(Forbidden):
        signups_convert(actor=world.agency_health_malang, event=event)
    result = signups_convert(actor=world.branch_malang, event=event, start_date=START)
    assert (result.converted, result.outside) == (1, 1)
    assert Person.objects.filter(nik=outsider["nik"]).get().memberships.count() == 0


def test_sponsor_capacity(world: Any) -> None:
    event = market_event(world.branch_malang)
    signed_up(event, 1, 2, 3)
    sponsor = services.sponsor_register(
        actor=world.admin, name="APBD Kab. Contoh", kind="apbd", region="35.07"
    )
    # Money for two members for the rest of the period: 2 x Rp16.800 x 11 months (Feb-Dec).
    funded_period_create(
        actor=world.admin,
        sponsor=sponsor,
        source="apbd_regency",
        document="DPA 2026",
        amount=2 * 16_800 * 11,
        first_month="2026-02",
        last_month="2026-12",
        declared_income=1_000_000,
        member_cap=10,
    )
    result = signups_convert(
        actor=world.branch_malang, event=event, payer="sponsor", sponsor=sponsor.pk, start_date=START
    )
    assert (result.converted, result.waiting) == (2, 1)
    members = Membership.objects.filter(sponsor=sponsor)
    assert members.count() == 2
    assert {m.payer_kind for m in members} == {"sponsor"}


def test_another_payer_refuses_and_is_named(world: Any) -> None:
    """A worker a sponsor already pays for signs up: the roster's rule refuses a self-paid membership and
    names the sponsor; the sign-up points at the person, with no membership."""
    event = market_event(world.branch_malang, region="35.73.01")
    driver = world.driver
    signup_submit(
        event=event,
        data={
            "nik": driver.nik,
            "full_name": driver.full_name,
            "birth_date": driver.birth_date.isoformat(),
            "sex": driver.sex,
            "phone": "081299990000",
            "occupation": "ojek",
            "consent": True,
        },
    )
    signed_up(event, 1)
    result = signups_convert(actor=world.branch_malang, event=event, start_date=START)
    assert (result.converted, result.refused, result.already_covered, result.rejected) == (1, 1, 0, 0)
    assert result.refused_by == ((world.sponsor.name, 1),)
    assert result.as_dict()["refused_by"] == [{"sponsor": world.sponsor.name, "count": 1}]
    signup = SignUp.objects.get(event=event, nik=driver.nik)
    assert (signup.person_id, signup.membership_id) == (driver.pk, None)
    assert list(Membership.objects.filter(person=driver).values_list("pk", flat=True)) == [
        world.driver_membership.pk
    ]


def test_a_registered_person_elsewhere_whose_details_agree_is_enrolled(world: Any) -> None:
    """Changed with the one rule (a roster's): a person registered in another office's area whose name,
    birth date and sex agree with the sign-up is linked and enrolled, as a roster row would be; their
    registered address stays (the office of their area keeps it). Before, the conversion left every such
    person to the other office."""
    event = market_event(world.branch_malang)
    same = worker(8)
    person = services.person_register(
        actor=world.admin,
        nik=same["nik"],
        full_name=same["full_name"],
        birth_date=dt.date.fromisoformat(same["birth_date"]),
        sex="L",
        address_region="32.16.01",
    )
    signup_submit(event=event, data=same)
    result = signups_convert(actor=world.branch_malang, event=event, start_date=START)
    assert (result.converted, result.new_persons, result.outside) == (1, 0, 0)
    signup = SignUp.objects.select_related("membership").get(event=event, nik=same["nik"])
    assert signup.person_id == person.pk
    assert signup.membership is not None
    assert signup.membership.payer_kind == "self"
    person.refresh_from_db()
    assert person.address_region_id == "32.16.01"


def _queries(world: Any, n: int, offset: int, **payer: Any) -> int:
    event = market_event(world.branch_malang, name=f"Acara {offset}")
    signed_up(event, *range(offset, offset + n))
    with CaptureQueriesContext(connection) as ctx:
        result = signups_convert(actor=world.branch_malang, event=event, start_date=START, **payer)
    assert result.converted == n
    assert SignUp.objects.filter(event=event, membership__isnull=False).count() == n
    return len(ctx.captured_queries)


def test_query_count_constant(world: Any) -> None:
    assert _queries(world, 10, 1000) == _queries(world, 200, 2000)


def test_query_count_constant_for_a_sponsor(world: Any) -> None:
    """The sponsor's capacity is applied with a dry run of the same import: constant too."""
    sponsor = services.sponsor_register(actor=world.admin, name="APBD Kab. Uji", kind="apbd", region="35.07")
    funded_period_create(
        actor=world.admin,
        sponsor=sponsor,
        source="apbd_regency",
        document="DPA 2026",
        amount=1_000 * 16_800 * 11,
        first_month="2026-02",
        last_month="2026-12",
        declared_income=1_000_000,
        member_cap=1_000,
    )
    few = _queries(world, 10, 1000, payer="sponsor", sponsor=sponsor.pk)
    assert few == _queries(world, 200, 2000, payer="sponsor", sponsor=sponsor.pk)
