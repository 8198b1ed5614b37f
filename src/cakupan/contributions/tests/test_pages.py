"""Pages, API and exports of contributions: scope for every role (including refusals), payments through
page and API, bank statement upload, XLSX read back with formula cells neutralised."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import polars as pl
import pytest
from django.test import Client

from cakupan.contributions.exports import workbook
from cakupan.contributions.models import Payment
from cakupan.contributions.tests.payment_fixtures import account_make, bill_make
from cakupan.core.spreadsheet import neutralise


@pytest.fixture
def accts(world: Any) -> dict[str, Any]:
    out = {
        "hospital": account_make(va="8810000000000001", employer=world.hospital),
        "factory": account_make(va="8810000000000002", employer=world.factory),
        "sponsor": account_make(kind="sponsor", va="8830000000000001", sponsor=world.sponsor),
        "nurse": account_make(kind="self", va="8820000000000001", person=world.nurse),
        "government": account_make(kind="government", va="8840000000000000"),
    }
    for account in out.values():
        bill_make(account, "2025-01", 100_000, due=dt.date(2025, 2, 17))
    return out


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# Which accounts each role sees (accounts.scope): the rest must answer 404.
VISIBLE = {
    "admin": {"hospital", "factory", "sponsor", "nurse", "government"},
    "branch_malang": {"hospital", "sponsor", "nurse"},
    "branch_bekasi": {"factory"},
    "agency_health_malang": {"hospital"},
    "agency_labour_bekasi": {"factory"},
    "hr_hospital": {"hospital"},
    "hr_factory": {"factory"},
    "sponsor_user": {"sponsor"},
    "worker_user": {"nurse"},
}


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_scope_on_pages_and_api(world: Any, accts: dict[str, Any], role: str) -> None:
    client = client_for(getattr(world, role))
    listed = client.get("/contributions/")
    assert listed.status_code == 200
    for name, account in accts.items():
        seen = name in VISIBLE[role]
        assert (account.virtual_account in listed.content.decode()) is seen, name
        page = client.get(f"/contributions/accounts/{account.pk}/")
        assert page.status_code == (200 if seen else 404), name
        api = client.get(f"/api/v1/payer-accounts/{account.pk}/statement/")
        assert api.status_code == (200 if seen else 404), name
        xlsx = client.get(f"/contributions/accounts/{account.pk}/statement.xlsx")
        assert xlsx.status_code == (200 if seen else 404), name
        bill = account.bills.get()
        assert client.get(f"/contributions/bills/{bill.pk}/").status_code == (200 if seen else 404)
    bills = client.get("/api/v1/bills/").json()
    assert {b["virtual_account"] for b in bills["results"]} == {
        accts[n].virtual_account for n in VISIBLE[role]
    }


def test_statement_api_shape(world: Any, accts: dict[str, Any]) -> None:
    client = client_for(world.hr_hospital)
    data = client.get(f"/api/v1/payer-accounts/{accts['hospital'].pk}/statement/?as_of=2025-03-18").json()
    assert (data["outstanding"], data["fines"], data["balance"]) == (100_000, 4_000, 104_000)
    assert data["standing"]["behind"] is False
    assert (
        client.get(f"/api/v1/payer-accounts/{accts['hospital'].pk}/statement/?as_of=nope").json()["errors"][
            0
        ]["field"]
        == "as_of"
    )


def test_payment_api(world: Any, accts: dict[str, Any]) -> None:
    staff = client_for(world.branch_malang)
    body = {"account": accts["hospital"].pk, "amount": 150_000, "paid_on": "2025-02-01", "reference": "API-1"}
    created = staff.post("/api/v1/payments/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["allocations"] == [
        {"bill": accts["hospital"].bills.get().pk, "period": "2025-01", "amount": 100_000}
    ]
    again = staff.post("/api/v1/payments/", body, content_type="application/json")
    assert again.status_code == 400
    assert again.json()["errors"][0]["field"] == "reference"
    bad = staff.post(
        "/api/v1/payments/",
        {"account": accts["hospital"].pk, "amount": "ten", "paid_on": "2025-02-30"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    # The input serializer answers first: the missing reference is named.
    assert {e["field"] for e in bad.json()["errors"]} == {"reference"}
    outside = staff.post(
        "/api/v1/payments/", {**body, "account": accts["factory"].pk}, content_type="application/json"
    )
    assert outside.status_code == 404
    for role in ("hr_hospital", "agency_health_malang", "sponsor_user", "worker_user"):
        refused = client_for(getattr(world, role)).post(
            "/api/v1/payments/", {**body, "reference": "X"}, content_type="application/json"
        )
        assert refused.status_code == 403, role
    assert Payment.objects.count() == 1


def test_payment_api_field_errors(world: Any, accts: dict[str, Any]) -> None:
    client = client_for(world.admin)
    body = {"account": accts["hospital"].pk, "amount": -1, "paid_on": "2025-02-30", "reference": "R"}
    response = client.post("/api/v1/payments/", body, content_type="application/json")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"amount", "paid_on"}
    assert Payment.objects.count() == 0


def test_payment_page(world: Any, accts: dict[str, Any]) -> None:
    staff = client_for(world.branch_malang)
    url = f"/contributions/accounts/{accts['hospital'].pk}/pay/"
    assert staff.get(url).status_code == 200
    bad = staff.post(url, {"amount": "0", "paid_on": "2025-02-01", "reference": "P"})
    assert bad.status_code == 400
    ok = staff.post(url, {"amount": "40000", "paid_on": "2025-02-01", "reference": "P"})
    assert ok.status_code == 302
    assert Payment.objects.get().source == "page"
    page = staff.get(f"/contributions/accounts/{accts['hospital'].pk}/").content.decode()
    assert "Rp60.000" in page  # outstanding
    assert staff.get(f"/contributions/accounts/{accts['factory'].pk}/pay/").status_code == 404
    assert client_for(world.hr_hospital).get(url).status_code == 403
    assert client_for(world.worker_user).post(url, {"amount": "1"}).status_code == 403


def test_statement_upload_page(world: Any, accts: dict[str, Any]) -> None:
    staff = client_for(world.branch_malang)
    csv = (
        b"virtual_account,amount,date,reference\n"
        b"8810000000000001,100000,2025-02-01,B1\n"
        b"8810000000000002,100000,2025-02-01,B2\n"  # the factory: outside Malang's scope
    )
    # In English (the language switch's cookie): the reason asserted below is the msgid, and Bahasa
    # Indonesia is the default language.
    staff.cookies["django_language"] = "en"
    response = staff.post("/contributions/import/", {"file": io.BytesIO(csv)})
    assert response.status_code == 200
    assert response.context["report"]["recorded"] == 1
    assert response.context["report"]["rejected"][0]["reason"] == "unknown virtual account"
    bad = staff.post("/contributions/import/", {"file": io.BytesIO(b"a,b\n1,2\n")})
    assert bad.status_code == 400
    assert "file" in bad.context["form"].errors
    assert client_for(world.sponsor_user).get("/contributions/import/").status_code == 403


def test_arrears_page_roles(world: Any, accts: dict[str, Any]) -> None:
    page = client_for(world.branch_malang).get("/contributions/arrears/?as_of=2025-06-01")
    assert page.status_code == 200
    assert "Kantor Cabang Malang" in page.content.decode()
    assert "PT Pabrik Contoh" not in page.content.decode()
    for role in ("hr_hospital", "sponsor_user", "worker_user"):
        assert client_for(getattr(world, role)).get("/contributions/arrears/").status_code == 403


def test_billing_start_page_is_national_only(world: Any) -> None:
    assert client_for(world.branch_malang).get("/contributions/billing/").status_code == 403
    admin = client_for(world.admin)
    bad = admin.post("/contributions/billing/", {"period": "2025-13"})
    assert bad.status_code == 400
    assert "period" in bad.context["form"].errors


def read_xlsx(content: bytes, sheet: str) -> pl.DataFrame:
    return pl.read_excel(io.BytesIO(content), sheet_name=sheet, engine="calamine")


def test_exports_read_back_and_formulas_neutralised(world: Any, accts: dict[str, Any]) -> None:
    world.hospital.name = '=HYPERLINK("http://x")'
    world.hospital.save()
    admin = client_for(world.admin)
    bills = admin.get("/contributions/bills/export.xlsx")
    assert bills.status_code == 200
    frame = read_xlsx(bills.content, "bills")
    assert frame.height == 5
    assert frame["amount_due"].to_list() == [100_000] * 5
    payers = set(frame["payer"].to_list())
    assert '\'=HYPERLINK("http://x") (NPP00001)' in payers
    assert not any(str(p).startswith(("=", "+", "-", "@")) for p in payers)
    statement = admin.get(f"/contributions/accounts/{accts['hospital'].pk}/statement.xlsx?as_of=2025-03-18")
    summary = dict(read_xlsx(statement.content, "summary").iter_rows())
    assert summary["fines"] == "4000"  # a mixed text/number column reads back as text
    arrears = admin.get("/contributions/arrears/export.xlsx?as_of=2025-06-01")
    assert read_xlsx(arrears.content, "payers").height == 5
    # The branch staff's export holds only its scope.
    mine = client_for(world.branch_bekasi).get("/contributions/bills/export.xlsx")
    assert read_xlsx(mine.content, "bills")["virtual_account"].to_list() == ["8810000000000002"]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise(text: str) -> None:
    assert neutralise(text) == "'" + text
    frame = pl.read_excel(
        io.BytesIO(workbook([("s", ["v"], [[text], ["plain"], [-5]])])), sheet_name="s", engine="calamine"
    )
    assert frame["v"].to_list()[0] == "'" + text
    assert neutralise("plain") == "plain"
    assert neutralise(-5) == -5
