"""The field pages: who opens which, what they show, and the office's forms (issue 17)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cakupan.field.models import Agent, Conflict, Deposit
from cakupan.field.tests.conftest import collection, enrolment
from cakupan.field.tests.test_sync import send

OFFICE = ["field:agents", "field:conflicts", "field:deposits", "field:statements", "field:anomalies"]
MINE = ["field:my_members", "field:my_collections", "field:my_statement"]


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", OFFICE + MINE)
def test_who_opens_which_page(world: Any, agent: Any, name: str) -> None:
    office, mine = signed_in(world.branch_malang), signed_in(agent.user)
    url = reverse(name)
    assert office.get(url).status_code == (200 if name in OFFICE else 403)
    assert mine.get(url).status_code == (200 if name in MINE else 403)
    assert signed_in(world.sponsor_user).get(url).status_code == 403


def test_agent_sees_only_own_rows(world: Any, agent: Any, agent2: Any) -> None:
    mine, theirs = enrolment(70, full_name="Milik Agen Satu"), enrolment(71, full_name="Milik Agen Dua")
    send(agent.user, [mine])
    send(agent2.user, [theirs])
    send(agent.user, [collection(mine["nik"], "KW-PUNYA-SATU")])
    send(agent2.user, [collection(theirs["nik"], "KW-PUNYA-DUA")])
    members = signed_in(agent.user).get(reverse("field:my_members")).content.decode()
    assert "Milik Agen Satu" in members
    assert "Milik Agen Dua" not in members
    collections = signed_in(agent.user).get(reverse("field:my_collections")).content.decode()
    assert "KW-PUNYA-SATU" in collections
    assert "KW-PUNYA-DUA" not in collections


def test_other_branch_gets_404_for_an_agent(world: Any, agent: Any) -> None:
    other = signed_in(world.branch_bekasi)
    response = other.post(reverse("field:agent_status", args=[agent.pk, "suspend"]))
    assert response.status_code == 404
    agent.refresh_from_db()
    assert agent.status == Agent.Status.APPROVED
    assert agent.user.username not in other.get(reverse("field:agents")).content.decode()


def test_register_approve_suspend_through_the_pages(world: Any) -> None:
    office = signed_in(world.branch_malang)
    response = office.post(
        reverse("field:agents"),
        {
            "username": "agen_baru",
            "full_name": "Agen Baru",
            "password": "rahasia-panjang",
            "regions": ["35.07"],
        },
    )
    assert response.status_code == 302
    agent = Agent.objects.get(user__username="agen_baru")
    assert (agent.status, agent.regions, agent.registered_by) == (
        "registered",
        ["35.07"],
        world.branch_malang,
    )
    office.post(reverse("field:agent_status", args=[agent.pk, "approve"]))
    agent.refresh_from_db()
    assert (agent.status, agent.approved_by) == ("approved", world.branch_malang)
    office.post(reverse("field:agent_status", args=[agent.pk, "suspend"]))
    agent.refresh_from_db()
    assert agent.status == "suspended"
    # A regency outside the office's: refused, nothing written.
    bad = office.post(
        reverse("field:agents"),
        {
            "username": "agen_luar",
            "full_name": "Agen Luar",
            "password": "rahasia-panjang",
            "regions": ["32.16"],
        },
    )
    assert bad.status_code == 400
    assert not Agent.objects.filter(user__username="agen_luar").exists()


def test_deposit_form_and_conflict_resolution(world: Any, agent: Any, agent2: Any) -> None:
    office = signed_in(world.branch_malang)
    today = timezone.localdate().isoformat()
    form = {"agent": agent.pk, "amount": 16800, "deposited_on": today, "reference": "SETOR-9"}
    assert office.post(reverse("field:deposits"), form).status_code == 302
    assert office.post(reverse("field:deposits"), form).status_code == 400  # same reference
    assert Deposit.objects.count() == 1
    send(agent.user, [enrolment(72)])
    send(agent2.user, [enrolment(72)])
    conflict = Conflict.objects.get()
    office.post(
        reverse("field:conflicts"), {"conflict": conflict.pk, "resolution": "kept", "note": "sudah ada"}
    )
    conflict.refresh_from_db()
    assert (conflict.resolution, conflict.resolved_by) == ("kept", world.branch_malang)


def test_statement_json(world: Any, agent: Any) -> None:
    item = enrolment(73)
    send(agent.user, [item])
    send(agent.user, [collection(item["nik"], "KW-J", amount=100_000, months=6)])
    data = signed_in(agent.user).get(reverse("field:my_statement"), {"format": "json"}).json()
    assert (data["collected"], data["fee"], data["bonus"], data["new_members"]) == (100_000, 7_500, 0, 1)
    office = signed_in(world.branch_malang).get(reverse("field:statements"), {"format": "json"}).json()
    assert [s["fee"] for s in office["statements"] if s["agent"] == agent.pk] == [7_500]


def test_profile_endpoint(world: Any, agent: Any) -> None:
    from cakupan.field.tests.test_sync import client_for

    data = client_for(agent.user).get("/api/v1/field/profile/").json()
    assert [r["code"] for r in data["regions"]] == ["35.07"]
    assert data["status"] == "approved"
    assert client_for(world.branch_malang).get("/api/v1/field/profile/").status_code == 403
