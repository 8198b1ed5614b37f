"""The office's outreach pages: plan and edit an event through the form, type in a paper sign-up with a
failing NIK, the funnel page's groups, and the coverage dashboard's funnel panel; all in Indonesian."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cakupan.outreach.models import Event, SignUp
from cakupan.outreach.tests.helpers import signed_up, worker

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(user)
    return client


def test_plan_edit_paper_funnel_and_panel(world: Any) -> None:
    staff = _client(world.branch_malang)
    assert staff.get("/outreach/new/").status_code == 200
    form = {
        "name": "Sosialisasi Petani Dau",
        "place": "Balai Desa",
        "region": "35.07.01",
        "date": "2026-03-02",
        "audience": "farmers",
        "status": "planned",
    }
    outside = staff.post("/outreach/new/", {**form, "region": "32.16.01"})
    assert outside.status_code == 400
    assert "di luar wilayah kantor Anda" in outside.content.decode()
    created = staff.post("/outreach/new/", form)
    assert created.status_code == 302
    event = Event.objects.get(name="Sosialisasi Petani Dau")
    assert event.staff == world.branch_malang
    assert created["Location"] == f"/outreach/{event.code}/"
    assert staff.post(f"/outreach/{event.code}/edit/", {**form, "status": "held"}).status_code == 302
    event.refresh_from_db()
    assert event.status == "held"
    detail = staff.get(f"/outreach/{event.code}/").content.decode()
    assert "terlaksana" in detail
    assert "petani" in detail
    paper = {**worker(3), "nik": worker(3)["nik"][:12] + "0000", "consent": "on"}
    assert staff.post(f"/outreach/{event.code}/paper/", paper).status_code == 302
    assert not SignUp.objects.get(event=event).nik_valid
    signed_up(event, 4)
    funnel = staff.get("/outreach/funnel/?by=audience").content.decode()
    assert "Corong sosialisasi" in funnel
    assert "petani" in funnel
    for by in ("event", "partner", "staff", "month", "nonsense"):
        assert staff.get(f"/outreach/funnel/?by={by}").status_code == 200
    coverage = staff.get("/coverage/").content.decode()
    assert "Corong sosialisasi menurut sasaran" in coverage
    listing = staff.get("/outreach/?region=35.07&audience=farmers").content.decode()
    assert "Sosialisasi Petani Dau" in listing
    assert staff.get("/outreach/?month=2026-13").status_code == 400
    # Employer HR reads no outreach: no panel on pages it may open, 403 on the list.
    assert _client(world.hr_hospital).get("/outreach/").status_code == 403
