"""A sponsor's income basis set from the page, the API and the command line: one service, the same checks,
bad input answered at the field (400 / exit 2) with nothing written, the sponsor's own users refused."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from cakupan.core.models import AuditEvent
from cakupan.registry.models import Sponsor


def _basis(world: Any) -> int | None:
    return Sponsor.objects.get(pk=world.sponsor.pk).income_basis


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_page_sets_and_clears_the_basis(world: Any) -> None:
    client = Client()
    client.force_login(world.branch_malang)
    url = f"/sponsors/{world.sponsor.pk}/income-basis/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="id")
    assert page.status_code == 200
    assert "Rp1.000.000" in page.content.decode()  # the lowest BPU level, shown as the basis today
    done = client.post(url, {"income_basis": "Rp1.500.000"})
    assert done.status_code == 302
    assert _basis(world) == 1_500_000
    client.post(url, {"income_basis": ""})
    assert _basis(world) is None
    events = AuditEvent.objects.filter(action="update", entity_id=str(world.sponsor.pk))
    assert events.filter(changes__has_key="income_basis").count() == 2


@pytest.mark.parametrize("value", ["abc", "999999", "1500000,5"])
def test_page_refuses_bad_amounts_at_the_field(world: Any, value: str) -> None:
    client = Client()
    client.force_login(world.branch_malang)
    answer = client.post(f"/sponsors/{world.sponsor.pk}/income-basis/", {"income_basis": value})
    assert answer.status_code == 400
    assert answer.context["form"].errors["income_basis"]
    assert _basis(world) is None


def test_api_patch(world: Any) -> None:
    url = f"/api/v1/sponsors/{world.sponsor.pk}/"
    staff = _api(world.branch_malang)
    answer = staff.patch(url, {"income_basis": 2_000_000}, format="json")
    assert answer.status_code == 200, answer.content
    assert (answer.json()["income_basis"], answer.json()["income_basis_applied"]) == (2_000_000, 2_000_000)
    bad = staff.patch(url, {"income_basis": 5}, format="json")
    assert bad.status_code == 400
    assert [e["field"] for e in bad.json()["errors"]] == ["income_basis"]
    assert staff.patch(url, {"income_basis": "x"}, format="json").status_code == 400
    assert _basis(world) == 2_000_000
    cleared = staff.patch(url, {"income_basis": None}, format="json")
    assert cleared.json()["income_basis"] is None
    assert cleared.json()["income_basis_applied"] == 1_000_000
    # The sponsor's own user reads its basis but may not set it; another office's staff does not see it.
    assert _api(world.sponsor_user).patch(url, {"income_basis": 2_000_000}, format="json").status_code == 403
    assert _api(world.branch_bekasi).patch(url, {"income_basis": 2_000_000}, format="json").status_code == 404
    assert _basis(world) is None


def test_command(world: Any) -> None:
    out = io.StringIO()
    call_command("sponsor_income_basis", str(world.sponsor.pk), "1750000", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "sponsor": world.sponsor.pk,
        "income_basis": 1_750_000,
        "income_basis_applied": 1_750_000,
    }
    for args in ([str(world.sponsor.pk), "12"], ["999999", "1750000"], ["x", "1750000"]):
        out = io.StringIO()
        with pytest.raises(SystemExit) as exc:
            call_command("sponsor_income_basis", *args, "--json", stdout=out)
        assert exc.value.code == 2
        assert json.loads(out.getvalue())["errors"][0]["field"] in {"income_basis", "sponsor"}
    assert _basis(world) == 1_750_000
