"""The API of ending cover: decide (201; bad input 400 with nothing written; the sponsor's own user 403),
answer a hand-over as the receiving sponsor, read retention with the inactivity rule's confidence."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cakupan.rules.period import Period
from cakupan.sponsorship.models import CoverEnding
from cakupan.sponsorship.services.funding import funded_period_create
from cakupan.sponsorship.tests.factories import apbd_sponsor, sponsored

pytestmark = pytest.mark.django_db
M = Period.of(timezone.localdate())


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_decide_answer_and_read_retention(world: Any) -> None:
    giver = apbd_sponsor(world.admin)
    for sponsor, first, last in ((giver, M.shift(-2), M), (world.sponsor, M.shift(-2), M.shift(6))):
        funded_period_create(
            actor=world.admin,
            sponsor=sponsor,
            source="apbd_regency",
            document="DPA",
            amount=10_000_000,
            first_month=str(first),
            last_month=str(last),
            declared_income=1_000_000,
            member_cap=10,
        )
    members = [sponsored(world.admin, giver, i, start=M.shift(-2).first_day) for i in range(2)]
    office = api(world.branch_malang)
    url = f"/api/v1/sponsors/{giver.pk}/endings/"
    bad = office.post(url, {"month": str(M), "action": "move"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "to_sponsor"
    assert not CoverEnding.objects.exists()
    assert (
        api(world.sponsor_user).post(url, {"month": str(M), "action": "end"}, format="json").status_code
        == 403
    )
    moved = office.post(
        url,
        {"month": str(M), "action": "move", "memberships": [members[0].pk], "to_sponsor": world.sponsor.pk},
        format="json",
    )
    assert moved.status_code == 201
    assert moved.json() == {"action": "move", "month": str(M), "members": 1, "state": "pending"}
    answer = api(world.sponsor_user).post(
        f"/api/v1/sponsors/{world.sponsor.pk}/moves/",
        {"from_sponsor": giver.pk, "month": str(M), "accept": True},
        format="json",
    )
    assert answer.json() == {"accepted": True, "members": 1}
    ended = office.post(url, {"month": str(M), "action": "end"}, format="json").json()
    assert ended["members"] == 1
    body = office.get(f"/api/v1/sponsors/{giver.pk}/retention/").json()
    assert body["unpaid_months"] == 3
    assert body["rule_confidence"] == "medium"
    [row] = body["rows"]
    assert (row["month"], row["members"], row["actions"]) == (str(M), 2, {"move": 1, "end": 1})
    assert [f["followed"] for f in row["follow_ups"]] == [0, 0, 0]
    # Another regency's office sees neither the sponsor nor its retention.
    assert api(world.branch_bekasi).get(f"/api/v1/sponsors/{giver.pk}/retention/").status_code == 404
