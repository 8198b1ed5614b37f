"""The funnel against a hand-built case, per event and grouped; the KPI function; scope of pages and
selectors; the command line's and API's contracts."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from cakupan.accounts.permissions import SYSTEM
from cakupan.contributions.models import Bill, PayerAccount
from cakupan.contributions.services.billing import billing_run
from cakupan.contributions.services.payments import payment_record
from cakupan.outreach import funnel
from cakupan.outreach.kpis import event_conversions
from cakupan.outreach.models import SignUp
from cakupan.outreach.services.convert import signups_convert
from cakupan.outreach.services.signups import signup_record_paper
from cakupan.outreach.tests.helpers import market_event, signed_up, worker
from cakupan.partners.kpis import definition
from cakupan.partners.kpis.catalogue import EVENT_CONVERSIONS
from cakupan.partners.kpis.compute import agreement_kpis_compute
from cakupan.partners.models import KpiValue, PartnerAgency
from cakupan.partners.tests.factories import agreement
from cakupan.partners.tests.test_kpis import kpi
from cakupan.registry import services

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 1)


def _case(world: Any) -> Any:
    """Five sign-ups: four valid, one paper form with a NIK whose serial is 0000. The four become members
    from February 2026; A and B pay February's bill; D's membership ends in March. On 1 June 2026 (three
    months after 1 March): 5 sign-ups, 4 valid, 4 members, 2 paid, 2 still active (C is active but never paid:
    a funnel's step counts only those who passed the one before)."""
    event = market_event(world.branch_malang)
    signed_up(event, 1, 2, 3, 4)
    paper = {**worker(5), "nik": worker(5)["nik"][:12] + "0000"}
    assert not signup_record_paper(actor=world.branch_malang, event=event, data=paper).signup.nik_valid
    signups_convert(actor=world.branch_malang, event=event, start_date=dt.date(2026, 2, 1))
    billing_run(period="2026-02")
    for serial in (1, 2):
        signup = SignUp.objects.select_related("person").get(event=event, nik=worker(serial)["nik"])
        account = PayerAccount.objects.get(kind="self", person=signup.person)
        bill = Bill.objects.get(account=account, period="2026-02")
        payment_record(
            actor=world.admin,
            account=account,
            amount=bill.amount_due,
            paid_on="2026-02-10",
            reference=f"TRF-{serial}",
            source="page",
        )
    d = SignUp.objects.select_related("membership").get(event=event, nik=worker(4)["nik"])
    assert d.membership is not None
    services.membership_end(actor=world.admin, membership=d.membership, end_date=dt.date(2026, 3, 31))
    return event


def test_funnel_hand_built(world: Any) -> None:
    event = _case(world)
    row = funnel.event_funnel(event=event, today=TODAY)
    assert row.as_dict() == {"signups": 5, "valid_nik": 4, "members": 4, "paid_first": 2, "active_3m": 2}
    # Before three months have passed since the start, nobody counts as still active.
    assert funnel.event_funnel(event=event, today=dt.date(2026, 4, 30)).active_3m == 0
    # Grouped: a second event of another audience, with one sign-up and nothing else.
    other = market_event(world.branch_malang, name="Sosialisasi Nelayan Sendangbiru", audience="fishers")
    signed_up(other, 9)
    rows = {r.key: r for r in funnel.funnel_by(user=world.branch_malang, by="audience", today=TODAY)}
    assert rows["market_traders"].as_dict() == row.as_dict()
    assert rows["fishers"].as_dict() == {
        "signups": 1,
        "valid_nik": 1,
        "members": 0,
        "paid_first": 0,
        "active_3m": 0,
    }
    by_staff = funnel.funnel_by(user=world.admin, by="staff", today=TODAY)
    assert [(r.label, r.signups) for r in by_staff] == [("staf_malang", 6)]
    by_month = funnel.funnel_by(user=world.admin, by="month", today=TODAY)
    assert [(r.key, r.members) for r in by_month] == [(dt.date(2026, 1, 1), 4)]
    # Another office sees nothing of these events.
    assert funnel.funnel_by(user=world.branch_bekasi, by="event", today=TODAY) == []
    # The agreements' KPI: members from sign-ups at events held in the window, in the regions.
    assert event_conversions(region_codes=["35.07"], start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31)) == 4
    assert event_conversions(region_codes=["35.73"], start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31)) == 0
    assert (
        event_conversions(region_codes=["35.07"], start=dt.date(2026, 2, 1), end=dt.date(2026, 12, 31)) == 0
    )
    # The command line's contract.
    out = StringIO()
    call_command("outreach", "funnel", event.code, "--json", stdout=out)
    got = json.loads(out.getvalue())
    assert set(got) == {"event", "signups", "valid_nik", "members", "paid_first", "active_3m"}
    assert (got["event"], got["signups"], got["members"]) == (event.code, 5, 4)


def test_scope_pages_and_cli(world: Any) -> None:
    agency = PartnerAgency.objects.get(name="Dinas Kesehatan Kota Malang")
    event = market_event(world.branch_malang, region="35.73.01", partner=agency.pk, audience="health_workers")
    signed_up(event, 1)
    bekasi = market_event(world.branch_bekasi, region="32.16.01", name="Sosialisasi Cikarang")
    out = StringIO()
    call_command("outreach", "events", "--region", "35.73", "--json", stdout=out)
    listed = json.loads(out.getvalue())
    assert listed == [
        {
            "code": event.code,
            "name": event.name,
            "region": "35.73.01",
            "date": "2026-01-15",
            "audience": "health_workers",
        }
    ]
    out = StringIO()
    call_command("outreach", "events", "--json", stdout=out)
    assert {e["code"] for e in json.loads(out.getvalue())} == {event.code, bekasi.code}
    with pytest.raises(SystemExit) as code:
        call_command("outreach", "events", "--region", "35;07", "--json", stdout=StringIO())
    assert code.value.code == 2

    def client(user: Any) -> Client:
        c = Client(HTTP_ACCEPT_LANGUAGE="id")
        c.force_login(user)
        return c

    staff = client(world.branch_malang)
    listing = staff.get("/outreach/")
    assert listing.status_code == 200
    assert event.name in listing.content.decode()
    assert "Sosialisasi Cikarang" not in listing.content.decode()
    detail = staff.get(f"/outreach/{event.code}/").content.decode()
    assert worker(1)["nik"] in detail  # the office calls the worker back: the NIK in full
    assert staff.get(f"/outreach/{bekasi.code}/").status_code == 404
    # The partner agency sees its own event read-only, NIK masked; not the others; may not convert.
    partner = client(world.agency_health_malang)
    page = partner.get(f"/outreach/{event.code}/").content.decode()
    assert worker(1)["nik"] not in page
    assert worker(1)["nik"][:4] + "********" in page
    assert partner.get(f"/outreach/{bekasi.code}/").status_code == 404
    assert partner.post(f"/outreach/{event.code}/convert/", {"payer": "self"}).status_code == 403
    assert client(world.worker_user).get("/outreach/").status_code == 403
    pdf = staff.get(f"/outreach/{event.code}/poster.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    converted = staff.post(f"/outreach/{event.code}/convert/", {"payer": "self", "start_date": "2026-02-01"})
    assert converted.status_code == 200
    assert SignUp.objects.get(event=event).membership is not None
    assert SYSTEM is not None


def test_the_agreements_event_conversions_kpi(world: Any) -> None:
    """The catalogue's "event conversions" is outreach's definition (registered at start-up): the four
    members of the hand-built case count for an agreement of Kab. Malang in force when the event was held,
    not for one that took effect after it, nor for another regency's."""
    found = definition(EVENT_CONVERSIONS)
    assert found is not None
    assert not found.placeholder
    _case(world)
    in_force = agreement(
        world.branch_malang, number="01/PKS/KAB/2026", region="35.07", valid_from=dt.date(2026, 1, 1)
    )
    later = agreement(
        world.branch_malang, number="02/PKS/KAB/2026", region="35.07", valid_from=dt.date(2026, 2, 1)
    )
    city = agreement(
        world.branch_malang, number="03/PKS/KOTA/2026", region="35.73", valid_from=dt.date(2026, 1, 1)
    )
    kpis = {
        a.number: kpi(a, EVENT_CONVERSIONS, by=world.branch_malang, target=10)
        for a in (in_force, later, city)
    }
    agreement_kpis_compute(actor=SYSTEM, period="2026-03")
    values = {n: KpiValue.objects.get(agreement_kpi=k, period="2026-03").value for n, k in kpis.items()}
    assert values == {"01/PKS/KAB/2026": 4, "02/PKS/KAB/2026": 0, "03/PKS/KOTA/2026": 0}
