"""The sponsor's pages: scope (a sponsor lands on its own page and gets 404 on another's; another regency's
office sees neither the sponsor nor its villages), permission (a worker gets 403), Indonesian labels."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cakupan.sponsorship.services.funding import funded_period_create
from cakupan.sponsorship.services.villages import village_sponsor_register
from cakupan.sponsorship.tests.factories import apbd_sponsor, sponsored

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(user)
    return client


def test_pages_scope_and_language(world: Any) -> None:
    apbd = apbd_sponsor(world.admin)
    funded_period_create(
        actor=world.admin,
        sponsor=apbd,
        source="apbd_regency",
        document="DPA Kota Contoh 2026",
        amount=1_000_000,
        first_month="2026-01",
        last_month="2026-12",
        declared_income=1_000_000,
        member_cap=10,
    )
    sponsored(world.admin, apbd, 1)
    village_sponsor_register(actor=world.admin, village="35.07.01.2001")
    staff = client_for(world.branch_malang)
    listing = staff.get("/sponsorship/")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "APBD Kota Contoh" in text
    assert "Tulungrejo" in text
    assert "Sisa dana" in text
    assert "Remaining" not in text
    detail = staff.get(f"/sponsorship/{apbd.pk}/").content.decode()
    assert "DPA Kota Contoh 2026" in detail
    assert "anggaran kabupaten/kota (APBD)" in detail
    assert "Periode pendanaan" in detail
    assert "Funded periods" not in detail
    villages = staff.get("/sponsorship/villages/35.07/").content.decode()
    assert "Tulungrejo" in villages
    assert "<h1>Dana desa Kabupaten Malang</h1>" in villages  # the regency by name, not by its code
    # Another regency's office: the sponsor is absent, its villages too.
    bekasi = client_for(world.branch_bekasi)
    assert "APBD Kota Contoh" not in bekasi.get("/sponsorship/").content.decode()
    assert bekasi.get(f"/sponsorship/{apbd.pk}/").status_code == 404
    assert "Tulungrejo" not in bekasi.get("/sponsorship/villages/35.07/").content.decode()
    # The CSR's own user lands on its page and cannot open another sponsor's.
    own = client_for(world.sponsor_user)
    landing = own.get("/sponsorship/")
    assert landing.status_code == 302
    assert landing["Location"] == f"/sponsorship/{world.sponsor.pk}/"
    assert own.get(f"/sponsorship/{world.sponsor.pk}/").status_code == 200
    assert own.get(f"/sponsorship/{apbd.pk}/").status_code == 404
    assert client_for(world.worker_user).get("/sponsorship/").status_code == 403
