"""The sponsor's pages for ending cover: the office decides for a cohort on the endings page (bad input: 400,
nothing written), the receiving sponsor's own user accepts a hand-over, the converted member reads the
message on /me/, the member export masks the NIK unless the agreement grants full data, the runway shows on
the sponsor's home, and the sponsor plans the budget for its own regency only."""

from __future__ import annotations

import io
from typing import Any

import polars as pl
import pytest
from django.test import Client
from django.utils import timezone

from cakupan.accounts.models import Role, User
from cakupan.coverage.services.snapshots import snapshot_build
from cakupan.registry.models import Membership
from cakupan.rules.period import Period
from cakupan.sponsorship.models import CoverEnding, MemberMessage
from cakupan.sponsorship.services.agreements import agreement_set
from cakupan.sponsorship.services.endings import cover_endings_apply
from cakupan.sponsorship.services.funding import funded_period_create
from cakupan.sponsorship.tests.factories import apbd_sponsor, sponsored

pytestmark = pytest.mark.django_db
M = Period.of(timezone.localdate())


def client_for(user: Any, lang: str = "id") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def fund(world: Any, sponsor: Any, first: Period, last: Period) -> None:
    funded_period_create(
        actor=world.admin,
        sponsor=sponsor,
        source="csr" if sponsor.kind == "csr" else "apbd_regency",
        document=f"DPA {first}",
        amount=100_000_000,
        first_month=str(first),
        last_month=str(last),
        declared_income=1_000_000,
        member_cap=100,
    )


def test_the_office_decides_for_a_cohort_on_the_endings_page(world: Any) -> None:
    sponsor = apbd_sponsor(world.admin)
    fund(world, sponsor, M.shift(-3), M)
    members = [sponsored(world.admin, sponsor, i, start=M.shift(-3).first_day) for i in range(3)]
    staff = client_for(world.branch_malang)
    detail = staff.get(f"/sponsorship/{sponsor.pk}/").content.decode()
    assert "Anggota yang segera berakhir" in detail
    assert f"/sponsorship/{sponsor.pk}/endings/{M}/" in detail
    page = staff.get(f"/sponsorship/{sponsor.pk}/endings/{M}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert all(m.person.full_name in text for m in members)
    assert "dipindahkan ke penyandang dana lain" in text
    # A move with no receiving sponsor: 400, nothing written.
    refused = staff.post(f"/sponsorship/{sponsor.pk}/endings/{M}/", {"action": "move"})
    assert refused.status_code == 400
    assert not CoverEnding.objects.exists()
    # One member ends, the rest (none ticked) converts.
    one = staff.post(
        f"/sponsorship/{sponsor.pk}/endings/{M}/", {"action": "end", "membership": members[0].pk}
    )
    assert one.status_code == 302
    rest = staff.post(f"/sponsorship/{sponsor.pk}/endings/{M}/", {"action": "convert"})
    assert rest.status_code == 302
    assert dict(CoverEnding.objects.values_list("membership_id", "action")) == {
        members[0].pk: "end",
        members[1].pk: "convert",
        members[2].pk: "convert",
    }
    # The sponsor's own user sees the page but may not decide.
    own = User.objects.create_user(username="apbd", password="pw-apbd", role=Role.SPONSOR, sponsor=sponsor)
    assert (
        client_for(own).post(f"/sponsorship/{sponsor.pk}/endings/{M}/", {"action": "end"}).status_code == 403
    )


def test_the_receiving_sponsor_accepts_and_the_member_reads_the_message(world: Any) -> None:
    giver = apbd_sponsor(world.admin)
    fund(world, giver, M.shift(-3), M)
    fund(world, world.sponsor, M.shift(-3), M.shift(6))
    moved = sponsored(world.admin, giver, 1, start=M.shift(-3).first_day)
    staff = client_for(world.branch_malang)
    staff.post(
        f"/sponsorship/{giver.pk}/endings/{M}/",
        {"action": "move", "membership": moved.pk, "to_sponsor": world.sponsor.pk},
    )
    own = client_for(world.sponsor_user)
    home = own.get("/").content.decode()
    assert 'data-queue="moves_waiting"' in home
    assert 'id="runway"' in home
    page = own.get(f"/sponsorship/{world.sponsor.pk}/").content.decode()
    assert giver.name in page
    answer = own.post(
        f"/sponsorship/{world.sponsor.pk}/moves/",
        {"from_sponsor": giver.pk, "month": str(M), "answer": "accept"},
    )
    assert answer.status_code == 302
    assert CoverEnding.objects.get(membership=moved).state == "done"
    cover_endings_apply(today=M.shift(1).first_day)
    assert Membership.objects.get(pk=moved.pk).sponsor_id == world.sponsor.pk
    # The CSR converts its driver: the driver's own page shows the message.
    fund_last = M
    funded = world.sponsor.funded_periods.get()
    funded.last_month = str(fund_last)
    funded.save(update_fields=["last_month"])
    staff.post(
        f"/sponsorship/{world.sponsor.pk}/endings/{M}/",
        {"action": "convert", "membership": world.driver_membership.pk},
    )
    message = MemberMessage.objects.get(person=world.driver)
    driver = User.objects.create_user(
        username="driver", password="pw-d", role=Role.WORKER, person=world.driver
    )
    mine = client_for(driver).get("/me/").content.decode()
    assert f"cover-message-{message.pk}" in mine
    assert world.sponsor.name in mine
    assert message.virtual_account in mine


def _export(client: Client, sponsor_id: int) -> pl.DataFrame:
    response = client.get(f"/sponsorship/{sponsor_id}/members.xlsx")
    assert response.status_code == 200
    return pl.read_excel(io.BytesIO(response.content))


def test_the_member_export_masks_the_nik_unless_the_agreement_grants_full_data(world: Any) -> None:
    nik = world.driver.nik
    own = client_for(world.sponsor_user)
    masked = _export(own, world.sponsor.pk)
    assert masked.height == 1
    shown = masked.row(0)[0]
    assert shown != nik
    assert shown[:4] == nik[:4]
    assert "*" in shown
    assert world.driver.full_name in masked.row(0)
    agreement_set(actor=world.branch_malang, sponsor=world.sponsor, full_data=True)
    assert _export(own, world.sponsor.pk).row(0)[0] == nik
    # Another sponsor's export is not found; the office of another regency neither.
    other = apbd_sponsor(world.admin)
    assert own.get(f"/sponsorship/{other.pk}/members.xlsx").status_code == 404
    assert (
        client_for(world.branch_bekasi).get(f"/sponsorship/{world.sponsor.pk}/members.xlsx").status_code
        == 404
    )
    # Only the office sets the agreement.
    assert own.post(f"/sponsorship/{world.sponsor.pk}/agreement/", {"full_data": "on"}).status_code == 403


def test_a_sponsor_plans_the_budget_for_its_own_regency(world: Any) -> None:
    snapshot_build(period=str(M))
    own = client_for(world.sponsor_user)
    query: dict[str, str] = {"workers": "100", "start": str(M.shift(1)), "months": "12", "period": str(M)}
    page = own.get("/coverage/planner/", query)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="gap"' in text
    assert "Kota Malang" in text  # the CSR's regency (35.73), asked for or not
    assert own.get("/coverage/planner/", {**query, "region": "32.16"}).status_code == 404
    assert own.get("/coverage/").status_code == 403  # the dashboard stays the office's
    assert client_for(world.worker_user).get("/coverage/planner/").status_code == 403
