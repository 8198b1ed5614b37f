"""`cakupan sponsors end-cover / answer-move / follow-up`: the same decisions as the page and the API, bad
input exits 2 with {"errors": [...]} and nothing written, the daily follow-up applies what is due."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from cakupan.registry.models import Membership
from cakupan.rules.period import Period
from cakupan.sponsorship.models import CoverEnding
from cakupan.sponsorship.services.funding import funded_period_create
from cakupan.sponsorship.tests.factories import apbd_sponsor, sponsored
from cakupan.sponsorship.tests.test_runway import run_command

pytestmark = pytest.mark.django_db
M = Period.of(timezone.localdate())


def test_end_cover_from_the_command_line(world: Any) -> None:
    sponsor = apbd_sponsor(world.admin)
    funded_period_create(
        actor=world.admin,
        sponsor=sponsor,
        source="apbd_regency",
        document="DPA",
        amount=10_000_000,
        first_month=str(M.shift(-2)),
        last_month=str(M),
        declared_income=1_000_000,
        member_cap=10,
    )
    members = [sponsored(world.admin, sponsor, i, start=M.shift(-2).first_day) for i in range(3)]
    code, body = run_command("end-cover", str(sponsor.pk), "--month", str(M), "--decision", "pause", "--json")
    assert code == 2
    assert body["errors"][0]["field"] == "action"
    assert not CoverEnding.objects.exists()
    code, body = run_command(
        "end-cover", str(sponsor.pk), "--month", str(M), "--decision", "convert",
        "--members", f"{members[0].pk},{members[1].pk}", "--user", "staf_malang", "--json",
    )  # fmt: skip
    assert (code, body["members"], body["state"]) == (0, 2, "done")
    code, body = run_command("end-cover", str(sponsor.pk), "--month", str(M), "--decision", "end", "--json")
    assert body["members"] == 1
    code, body = run_command("follow-up", "--date", M.shift(1).first_day.isoformat(), "--json")
    assert (code, body["converted"], body["moved"]) == (0, 2, 0)
    assert set(
        Membership.objects.filter(pk__in=[m.pk for m in members]).values_list("payer_kind", flat=True)
    ) == {
        "self",
        "sponsor",
    }
