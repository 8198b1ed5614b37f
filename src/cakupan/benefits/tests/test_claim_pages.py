"""The claim pages as a member, branch staff, employer HR and the national admin use them: a member files
their own claim by plain event with only the fields it needs, errors at the field in Indonesian; staff
file for others by NIK or KPJ and for heirs; the timeline and the four-eyes button."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from cakupan.benefits.claim_events import EVENTS, events_for
from cakupan.benefits.models import Claim
from cakupan.rules.benefits import default_tables

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(user)
    return client


def field_block(html: str, name: str) -> str:
    """The `<div class="field">` holding the input `name` (web/partials/field.html)."""
    found = re.search(
        rf'<div class="field[^"]*"[^>]*>(?:(?!<div class="field).)*?name="{name}".*?</div>', html, re.S
    )
    assert found, f"no field {name}"
    return found.group(0)


def test_a_member_is_asked_only_what_their_claim_needs(world: Any) -> None:
    page = signed_in(world.worker_user).get("/benefits/claims/new/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="person"' not in html
    assert "Orang (id)" not in html
    assert 'name="claimant_kind"' not in html
    assert 'name="event" value="resigned"' in html
    assert 'name="event" value="accident_unable"' in html
    assert 'name="event" value="death"' not in html  # a member files for themself, alive
    assert "Saya mengundurkan diri dari pekerjaan" in html
    assert 'data-show-when="event:accident_unable"' in field_block(html, "months_unable")
    # The documents of every event offered, in Indonesian.
    assert "Kartu peserta (KPJ)" in html
    assert "Participant card" not in html


def test_a_missing_detail_is_an_indonesian_error_at_its_field(world: Any) -> None:
    client = signed_in(world.worker_user)
    response = client.post("/benefits/claims/new/", {"event": "accident_unable", "event_date": "2025-09-01"})
    assert response.status_code == 400
    html = response.content.decode()
    block = field_block(html, "months_unable")
    assert "has-error" in block
    assert "Wajib diisi untuk klaim ini." in block
    assert Claim.objects.count() == 0
    bad_date = client.post("/benefits/claims/new/", {"event": "resigned", "event_date": "2025-13-01"})
    assert "has-error" in field_block(bad_date.content.decode(), "event_date")
    future = client.post("/benefits/claims/new/", {"event": "resigned", "event_date": "2999-01-01"})
    block = field_block(future.content.decode(), "event_date")
    assert "Tanggal tidak boleh di masa depan." in block
    assert Claim.objects.count() == 0


def test_a_member_files_a_jht_claim_and_follows_it(world: Any) -> None:
    client = signed_in(world.worker_user)
    response = client.post("/benefits/claims/new/", {"event": "resigned", "event_date": "2025-10-31"})
    assert response.status_code == 302, response.content.decode()[:3000]
    claim = Claim.objects.get()
    assert (claim.person, claim.benefit, claim.claimant_kind) == (world.nurse, "JHT", "worker")
    assert claim.details == {"claim_reason": "RESIGNATION"}
    assert claim.assessment["eligible"] is True
    assert claim.assessed_total > 0  # the balance projected from the wage on record
    html = client.get(f"/benefits/claims/{claim.pk}/").content.decode()
    assert 'aria-current="step"' in html
    assert "Diajukan" in html
    assert "Dokumen diperiksa" in html
    assert "Surat pengunduran diri" in html  # the JHT resignation checklist, in Indonesian
    assert "claim-approve" not in html

    staff = signed_in(world.branch_malang)
    docs = [str(d) for d in claim.documents.values_list("pk", flat=True)]
    staff.post(f"/benefits/claims/{claim.pk}/verify/", {"document": docs})
    claim.refresh_from_db()
    assert claim.status == "verified"
    # The verifier may not approve (four eyes): the button is not offered; the admin is offered it.
    assert "claim-approve" not in staff.get(f"/benefits/claims/{claim.pk}/").content.decode()
    assert "claim-approve" in signed_in(world.admin).get(f"/benefits/claims/{claim.pk}/").content.decode()
    steps = client.get(f"/benefits/claims/{claim.pk}/").content.decode()
    assert steps.index("Dokumen diperiksa") < steps.index('aria-current="step"')


def test_staff_file_for_an_heir_by_nik(world: Any) -> None:
    staff = signed_in(world.branch_malang)
    page = staff.get(f"/benefits/claims/new/?person={world.nurse.pk}").content.decode()
    assert world.nurse.nik in page  # opened from the person's page: their NIK filled in
    assert "Peserta mengundurkan diri" in page  # the office reads the events about the member
    assert "Saya mengundurkan diri" not in page
    assert 'name="event" value="death"' in page
    base = {"person": world.nurse.nik, "event": "death", "event_date": "2025-06-01", "children": "1"}
    no_name = staff.post("/benefits/claims/new/", {**base, "claimant_kind": "heir"})
    assert no_name.status_code == 400
    assert "has-error" in field_block(no_name.content.decode(), "claimant_name")
    as_member = staff.post("/benefits/claims/new/", {**base, "claimant_kind": "worker"})
    assert "has-error" in field_block(as_member.content.decode(), "claimant_kind")
    heir = {"claimant_kind": "heir", "claimant_name": "Budi"}
    unknown = staff.post("/benefits/claims/new/", {**base, **heir, "person": "3573019999990001"})
    assert "has-error" in field_block(unknown.content.decode(), "person")
    outside = staff.post("/benefits/claims/new/", {**base, **heir, "person": world.operator.nik})
    assert "has-error" in field_block(outside.content.decode(), "person")
    assert Claim.objects.count() == 0
    done = staff.post("/benefits/claims/new/", {**base, **heir})
    assert done.status_code == 302
    claim = Claim.objects.get()
    assert (claim.benefit, claim.claimant_kind, claim.claimant_name) == ("JKM", "heir", "Budi")
    assert claim.assessed_total == 42_000_000


def test_employer_hr_files_for_its_worker_by_kpj(world: Any) -> None:
    kpj = world.nurse.memberships.get().kpj
    hr = signed_in(world.hr_hospital)
    html = hr.get("/benefits/claims/new/").content.decode()
    assert 'name="claimant_kind"' not in html  # HR files as the employer, nothing to choose
    response = hr.post(
        "/benefits/claims/new/",
        {"person": kpj, "event": "accident_unable", "event_date": "2025-09-01", "months_unable": "3"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    claim = Claim.objects.get()
    assert (claim.benefit, claim.claimant_kind, claim.details) == (
        "JKK_STMB",
        "employer",
        {"months_unable": 3},
    )


def test_every_event_is_a_benefit_with_its_documents_translated() -> None:
    from django.utils import translation

    tables = default_tables()
    assert {e.code for e in events_for(own_claim=True)} < {e.code for e in EVENTS}
    for event in EVENTS:
        assert event.benefit in tables.raw["documents"]
        for own in (True, False):
            label = event.label_for(own_claim=own)
            with translation.override("en"):
                english = str(label)
            with translation.override("id"):
                assert str(label) != english, english
    with translation.override("id"):
        for entry in tables.raw["documents"].values():
            for item in entry["items"]:
                assert translation.gettext(item) != item, item


def test_staff_file_a_scholarship_claim_from_the_form(world: Any) -> None:
    client = signed_in(world.branch_malang)
    html = client.get("/benefits/claims/new/").content.decode()
    assert 'name="event" value="scholarship"' in html
    assert 'data-show-when="event:scholarship"' in field_block(html, "school_levels")
    missing = client.post(
        "/benefits/claims/new/",
        {
            "person": world.nurse.nik,
            "event": "scholarship",
            "event_date": "2025-07-14",
            "claimant_kind": "heir",
            "claimant_name": "Ahli Waris",
        },
    )
    assert missing.status_code == 400
    assert "Wajib diisi untuk klaim ini." in field_block(missing.content.decode(), "school_levels")
    done = client.post(
        "/benefits/claims/new/",
        {
            "person": world.nurse.nik,
            "event": "scholarship",
            "event_date": "2025-07-14",
            "claimant_kind": "heir",
            "claimant_name": "Ahli Waris",
            "school_levels": "sd, SMP",
        },
    )
    assert done.status_code == 302, done.content.decode()[:3000]
    claim = Claim.objects.get()
    assert (claim.benefit, claim.details) == ("SCHOLARSHIP", {"school_levels": ["SD", "SMP"]})
    again = client.post(
        "/benefits/claims/new/",
        {
            "person": world.nurse.nik,
            "event": "scholarship",
            "event_date": "2025-07-14",
            "claimant_kind": "heir",
            "claimant_name": "Ahli Waris",
            "school_levels": "SD",
        },
    )
    assert again.status_code == 400  # a second open scholarship claim: refused at the event
    assert "has-error" in field_block(again.content.decode(), "event")
    assert Claim.objects.count() == 1
