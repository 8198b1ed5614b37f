"""Village funds (sponsors per village, arrears with ageing, the regency roll-up, letters past three
months, scope between regencies) and one payer per person per month (overlaps reported with the amount
billed twice)."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from cakupan.contributions.arrears import months_late
from cakupan.contributions.models import Bill, PayerAccount
from cakupan.contributions.services.payments import payment_record
from cakupan.core.errors import InvalidInput
from cakupan.registry import services
from cakupan.sponsorship.models import ArrearsLetter, SponsorVillage
from cakupan.sponsorship.selectors import overlaps
from cakupan.sponsorship.selectors_villages import village_arrears
from cakupan.sponsorship.services.funding import funded_period_create
from cakupan.sponsorship.services.villages import letters_issue, village_sponsor_register
from cakupan.sponsorship.tests.factories import PRICE, apbd_sponsor, bill_months, person, sponsored

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 7, 20)


def villages(world: Any) -> dict[str, Any]:
    behind = village_sponsor_register(actor=world.branch_malang, village="35.07.01.2001")  # Tulungrejo
    paying = village_sponsor_register(actor=world.branch_malang, village="35.07.02.2005")  # Pagak
    elsewhere = village_sponsor_register(actor=world.branch_bekasi, village="32.16.01.2001")  # Sagara Makmur
    for serial, sponsor in enumerate((behind, paying, elsewhere)):
        funded_period_create(
            actor=world.admin,
            sponsor=sponsor,
            source="apbdes",
            document=f"APBDes 2026/{serial}",
            amount=12 * PRICE,
            first_month="2026-01",
            last_month="2026-12",
            declared_income=1_000_000,
            member_cap=5,
        )
        sponsored(world.admin, sponsor, 10 + serial)
    bill_months("2026-01", "2026-02", "2026-03", "2026-04", "2026-05")
    account = PayerAccount.objects.get(kind="sponsor", sponsor=paying)
    payment_record(
        actor=world.admin,
        account=account,
        amount=5 * PRICE,
        paid_on="2026-06-10",
        reference="SP2D-DESA",
        source="page",
    )
    return {"behind": behind, "paying": paying, "elsewhere": elsewhere}


def test_village_sponsors_from_the_region_list(world: Any) -> None:
    v = villages(world)
    row = SponsorVillage.objects.get(sponsor=v["behind"])
    assert (row.code, row.name, row.regency) == ("35.07.01.2001", "Tulungrejo", "35.07")
    assert v["behind"].region_id == "35.07.01"
    assert v["behind"].kind == "apbd"
    with pytest.raises(InvalidInput):  # twice
        village_sponsor_register(actor=world.admin, village="35.07.01.2001")
    with pytest.raises(InvalidInput):  # a district is not a village
        village_sponsor_register(actor=world.admin, village="35.07.01")


def test_arrears_ageing_rollup_and_letters(world: Any) -> None:
    v = villages(world)
    oldest = Bill.objects.filter(account__sponsor=v["behind"]).order_by("period").first()
    assert oldest is not None
    months = months_late(oldest.due_date, AS_OF)  # January's bill, due on 15 January: 7 months
    assert months == 7
    report = village_arrears(user=world.branch_malang, regency="35.07", as_of=AS_OF)
    assert (report["villages"], report["in_arrears"], report["outstanding"], report["letters_due"]) == (
        2,
        1,
        5 * PRICE,
        1,
    )
    assert report["ages"]["7-12"] == {"villages": 1, "outstanding": 5 * PRICE}
    rows = {r["code"]: r for r in report["rows"]}
    assert rows["35.07.01.2001"]["oldest_period"] == "2026-01"
    assert rows["35.07.01.2001"]["unpaid_bills"] == 5
    assert rows["35.07.02.2005"]["outstanding"] == 0
    letters = letters_issue(actor=world.branch_malang, regency="35.07", as_of=AS_OF)
    assert [(lt.sponsor_id, lt.months_in_arrears, lt.outstanding) for lt in letters] == [
        (v["behind"].pk, 7, 5 * PRICE)
    ]
    assert letters_issue(actor=world.branch_malang, regency="35.07", as_of=AS_OF) == []  # once a month
    # Three months late is not yet "more than three": no letter on 10 April for the January bill.
    assert village_arrears(user=world.admin, regency="35.07", as_of=dt.date(2026, 4, 10))["letters_due"] == 0
    assert ArrearsLetter.objects.count() == 1


def test_the_arrears_page_a_page_at_a_time(world: Any, monkeypatch: Any) -> None:
    """Keyset pages on the village code; the roll-up covers every village whatever the page."""
    v = villages(world)
    first = village_arrears(user=world.branch_malang, regency="35.07", as_of=AS_OF, limit=1)
    assert [r["code"] for r in first["rows"]] == ["35.07.01.2001"]
    assert first["next"] == "35.07.01.2001"
    second = village_arrears(
        user=world.branch_malang, regency="35.07", as_of=AS_OF, after=first["next"], limit=1
    )
    assert [r["code"] for r in second["rows"]] == ["35.07.02.2005"]
    assert second["next"] is None
    for page in (first, second):
        assert (page["villages"], page["in_arrears"], page["outstanding"], page["letters_due"]) == (
            2,
            1,
            5 * PRICE,
            1,
        )
    assert first["rows"][0]["outstanding"] == 5 * PRICE
    assert first["rows"][0]["sponsor"] == v["behind"].pk
    everything = village_arrears(user=world.branch_malang, regency="35.07", as_of=AS_OF)
    assert [r["code"] for r in everything["rows"]] == ["35.07.01.2001", "35.07.02.2005"]
    assert everything["next"] is None
    # The page itself: the first page and the link to the next one.
    from django.test import Client

    from cakupan.sponsorship import views

    monkeypatch.setattr(views, "VILLAGES_PAGE", 1)
    client = Client()
    client.force_login(world.branch_malang)
    html = client.get("/sponsorship/villages/35.07/").content.decode()
    assert "Tulungrejo" in html
    assert "Pagak" not in html
    assert 'href="?after=35.07.01.2001" rel="next"' in html
    html = client.get("/sponsorship/villages/35.07/?after=35.07.01.2001").content.decode()
    assert "Pagak" in html
    assert "Tulungrejo" not in html
    assert 'rel="next"' not in html


def test_villages_of_one_regency_invisible_to_another(world: Any) -> None:
    villages(world)
    assert village_arrears(user=world.branch_bekasi, regency="35.07", as_of=AS_OF)["villages"] == 0
    assert village_arrears(user=world.branch_malang, regency="32.16", as_of=AS_OF)["villages"] == 0
    assert village_arrears(user=world.branch_bekasi, regency="32.16", as_of=AS_OF)["villages"] == 1
    assert letters_issue(actor=world.branch_bekasi, regency="35.07", as_of=AS_OF) == []
    api = APIClient()
    api.force_authenticate(world.branch_bekasi)
    assert api.get("/api/v1/villages/35.07/arrears/").json()["villages"] == 0
    bad = api.get("/api/v1/villages/3507/arrears/")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "regency"


def test_overlap_per_month_with_amount_billed_twice(world: Any) -> None:
    city = apbd_sponsor(world.admin, "APBD Kota Contoh")
    province = apbd_sponsor(world.admin, "APBD Provinsi Contoh", region="35.73")
    moved = person(world.admin, 40)
    first = services.membership_enrol(
        actor=world.admin,
        person=moved,
        segment="BPU",
        programs=["JKK", "JKM"],
        start_date=dt.date(2026, 1, 1),
        payer_kind="sponsor",
        sponsor=city,
        declared_income=1_000_000,
        bpu_sector="other",
    )
    services.membership_end(actor=world.admin, membership=first, end_date=dt.date(2026, 2, 10))
    services.membership_enrol(
        actor=world.admin,
        person=moved,
        segment="BPU",
        programs=["JKK", "JKM"],
        start_date=dt.date(2026, 2, 11),
        payer_kind="sponsor",
        sponsor=province,
        declared_income=1_000_000,
        bpu_sector="other",
    )
    sponsored(world.admin, city, 41)  # paid by the city only
    bill_months("2026-01", "2026-02", "2026-03")
    feb = overlaps(user=world.admin, period="2026-02")
    assert (feb["persons"], feb["amount_twice"]) == (1, PRICE)
    assert feb["payers"] == [
        {"payers": ["APBD Kota Contoh", "APBD Provinsi Contoh"], "persons": 1, "amount_twice": PRICE}
    ]
    assert overlaps(user=world.admin, period="2026-01")["persons"] == 0
    assert overlaps(user=world.admin, period="2026-03")["persons"] == 0
    assert overlaps(user=world.sponsor_user, period="2026-02")["persons"] == 0  # the CSR is not involved
    assert overlaps(user=world.branch_bekasi, period="2026-02")["persons"] == 0
    out = io.StringIO()
    with pytest.raises(SystemExit) as code:
        call_command("sponsors", "overlaps", "--period", "Feb", "--json", stdout=out)
    assert code.value.code == 2
    assert json.loads(out.getvalue())["errors"][0]["field"] == "period"
