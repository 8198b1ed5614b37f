"""The API, the claim pages and the public simulator with its PDF, end to end through the test client."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader
from rest_framework.test import APIClient

from cakupan.benefits.models import Claim
from cakupan.benefits.simulator import SimulatorInput, rupiah_text, simulate

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def new_claim(world: Any) -> dict[str, Any]:
    response = api(world.worker_user).post(
        "/api/v1/claims/",
        {
            "person": world.nurse.pk,
            "benefit": "JKM",
            "event_date": "2024-06-01",
            "claimant_kind": "worker",
            "details": {"children": 1},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_api_create_list_retrieve_and_actions(world: Any) -> None:
    body = new_claim(world)
    assert body["status"] == "submitted"
    assert body["assessed_total"] == 42_000_000
    assert [e["status"] for e in body["events"]] == ["submitted"]
    listed = api(world.hr_hospital).get("/api/v1/claims/").json()
    assert [c["id"] for c in listed["results"]] == [body["id"]]
    assert api(world.hr_factory).get("/api/v1/claims/").json()["results"] == []
    # Outside scope: 404, for reading and for acting.
    assert api(world.branch_bekasi).get(f"/api/v1/claims/{body['id']}/").status_code == 404
    assert (
        api(world.branch_bekasi)
        .post(f"/api/v1/claims/{body['id']}/reject/", {"reasons": ["x"]}, format="json")
        .status_code
        == 404
    )
    # A role that never decides claims: 403 whatever the claim (it reveals nothing about it).
    assert (
        api(world.sponsor_user)
        .post(f"/api/v1/claims/{body['id']}/reject/", {"reasons": ["x"]}, format="json")
        .status_code
        == 403
    )
    docs = [d["id"] for d in body["documents"]]
    staff = api(world.branch_malang)
    bad = staff.post(f"/api/v1/claims/{body['id']}/verify/", {"documents_received": "x"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"].startswith("documents_received")
    verified = staff.post(f"/api/v1/claims/{body['id']}/verify/", {"documents_received": docs}, format="json")
    assert verified.json()["status"] == "verified"
    # The verifier cannot approve: 400 with the reason; the national admin can.
    refused = staff.post(f"/api/v1/claims/{body['id']}/approve/", format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "non_field_errors"
    assert api(world.admin).post(f"/api/v1/claims/{body['id']}/approve/").json()["status"] == "approved"
    paid = api(world.admin).post(
        f"/api/v1/claims/{body['id']}/pay/", {"payment_reference": "TRF-9"}, format="json"
    )
    assert paid.status_code == 400
    assert {e["field"] for e in paid.json()["errors"]} == {"paid_on"}


def test_api_create_field_errors(world: Any) -> None:
    response = api(world.worker_user).post(
        "/api/v1/claims/",
        {"person": world.nurse.pk, "benefit": "JKM", "event_date": "2024-13-01"},
        format="json",
    )
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"event_date", "claimant_kind"}
    other = api(world.worker_user).post(
        "/api/v1/claims/",
        {
            "person": world.operator.pk,
            "benefit": "JKM",
            "event_date": "2024-06-01",
            "claimant_kind": "worker",
        },
        format="json",
    )
    assert other.status_code == 400
    assert other.json()["errors"][0]["field"] == "person"
    assert Claim.objects.count() == 0
    assert APIClient().get("/api/v1/claims/").status_code in (401, 403)


def test_claim_pages(world: Any, client: Client) -> None:
    client.force_login(world.branch_malang)
    response = client.post(
        "/benefits/claims/new/",
        {
            "person": world.nurse.nik,
            "event": "death",
            "event_date": "2024-06-01",
            "claimant_kind": "heir",
            "claimant_name": "Ahli Waris",
        },
    )
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/benefits/claims/{claim.pk}/"
    page = client.get(f"/benefits/claims/{claim.pk}/").content.decode()
    assert "42.000.000" in page or "42,000,000" in page
    assert client.get("/benefits/claims/").status_code == 200
    staff = Client()
    staff.force_login(world.branch_malang)
    docs = [str(d) for d in claim.documents.values_list("pk", flat=True)]
    staff.post(f"/benefits/claims/{claim.pk}/verify/", {"document": docs})
    staff.post(f"/benefits/claims/{claim.pk}/approve/")  # the verifier: refused, shown as a message
    assert Claim.objects.get().status == "verified"
    admin = Client()
    admin.force_login(world.admin)
    admin.post(f"/benefits/claims/{claim.pk}/approve/")
    assert Claim.objects.get().status == "approved"
    assert (
        "approved" in client.get("/benefits/notifications/").content.decode().lower() or Claim.objects.get()
    )
    outsider = Client()
    outsider.force_login(world.branch_bekasi)
    assert outsider.get(f"/benefits/claims/{claim.pk}/").status_code == 404
    bad = client.post(
        "/benefits/claims/new/", {"person": world.nurse.nik, "event": "death", "event_date": "x"}
    )
    assert bad.status_code == 400


def test_simulator_amounts_come_from_the_calculators() -> None:
    import datetime as dt

    result = simulate(SimulatorInput("PU", 5_000_000, risk_class=1, children=2), today=dt.date(2026, 1, 15))
    assert result["amounts"]["jkm"] == 42_000_000
    assert result["amounts"]["jkk_death"] == 48 * 5_000_000 + 10_000_000 + 12_000_000
    # PP 82/2019 Lampiran: total permanent disability adds the Rp12,000,000 periodic benefit (rules.md §12.1).
    assert result["amounts"]["disability"] == 56 * 5_000_000 + 12_000_000
    labels = [row[1] for row in result["receives"]]
    assert rupiah_text(18_000_000) in labels  # JKP: 60 % × 6 months of the capped wage (PP 6/2025)
    # The worker pays 2 % JHT (Rp100,000) + 1 % JP (Rp50,000) of Rp5,000,000.
    assert result["pays"][0][1] == rupiah_text(150_000)


def test_simulator_page_is_public_and_pdf_has_the_amounts(client: Client) -> None:
    assert client.get("/benefits/simulator/").status_code == 200
    query = {"segment": "BPU", "amount": "2000000", "sector": "other", "children": "2"}
    page = client.get("/benefits/simulator/", query)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Rp42.000.000" in html
    assert "Rp174.000.000" in html
    bad = client.get("/benefits/simulator/", {"segment": "BPU", "amount": "abc"})
    assert bad.status_code == 400
    pdf = client.get("/benefits/simulator.pdf", query)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for amount in ("Rp42.000.000", "Rp174.000.000", "Rp2.000.000"):
        assert amount in text


def test_simulator_breaks_down_each_programme_and_explains_the_discount() -> None:
    import datetime as dt

    from django.utils import translation

    with translation.override("id"):
        # Transport informal worker in Dec 2026: PP 50/2025 halves JKK and JKM (contributions.toml).
        bpu = simulate(
            SimulatorInput("BPU", 2_000_000, "transport", with_jht=True, years=10), today=dt.date(2026, 12, 7)
        )
        pu = simulate(SimulatorInput("PU", 5_000_000, with_jht=True, years=20), today=dt.date(2026, 12, 7))
        later = simulate(SimulatorInput("BPU", 2_000_000, "transport"), today=dt.date(2027, 6, 1))
    assert [row["discount"] for row in bpu["programmes"]] == [rupiah_text(10_000), rupiah_text(3_400), ""]
    assert "PP 50/2025" in bpu["discount"]
    assert rupiah_text(13_400) in bpu["discount"]
    assert "31 Maret 2027" in bpu["discount"]
    assert later["discount"] == ""  # the discount ended
    # JHT: 2 % of Rp2,000,000 = Rp40,000 a month for 120 months, no returns counted.
    assert bpu["projections"][0][1] == rupiah_text(40_000 * 120)
    assert len(bpu["projections"]) == 1  # no JP for an informal worker
    assert [row["label"] for row in pu["programmes"]] == [
        "Jaminan Kecelakaan Kerja (JKK)",
        "Jaminan Kematian (JKM)",
        "Jaminan Hari Tua (JHT)",
        "Jaminan Pensiun (JP)",
        "Jaminan Kehilangan Pekerjaan (JKP)",
    ]
    # JHT 5.7 % of Rp5,000,000 = Rp285,000 × 240; JP 1 % × 20 years × Rp5,000,000 a month.
    assert [amount for _label, amount, _note in pu["projections"]] == [
        rupiah_text(285_000 * 240),
        rupiah_text(1_000_000),
    ]
    assert pu["discount"] == ""


def test_simulator_asks_each_segment_only_its_fields(client: Client) -> None:
    html = client.get("/benefits/simulator/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert 'data-show-when="segment:BPU"' in html
    assert 'data-show-when="segment:PU"' in html
    # A wage earner's risk class is read; an informal worker's sector and JHT choice are ignored for PU.
    page = client.get(
        "/benefits/simulator/", {"segment": "PU", "amount": "5000000", "sector": "transport", "years": "20"}
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "PP 50/2025" not in text
    assert "Rp68.400.000" in text  # JHT after 20 years
    assert (
        client.get("/benefits/simulator/", {"segment": "PU", "amount": "5000000", "years": "99"}).status_code
        == 400
    )
    pdf = client.get("/benefits/simulator.pdf", {"segment": "PU", "amount": "5000000", "years": "20"})
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) == 1
    assert "Rp68.400.000" in reader.pages[0].extract_text()
