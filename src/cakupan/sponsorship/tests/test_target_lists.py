"""Target lists: every match class, a person counted once in the first class that applies, a constant
number of queries whatever the list's length, and the valid uncovered ones enrolled as the next roster in
one action, within the funded period's cap and money; bad input writes nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cakupan.core.errors import InvalidInput, NotInScope
from cakupan.registry import services
from cakupan.registry.models import Membership
from cakupan.registry.nik import nik_compose
from cakupan.sponsorship.models import TargetList, TargetRow
from cakupan.sponsorship.selectors import other_sponsors
from cakupan.sponsorship.services.funding import funded_period_create
from cakupan.sponsorship.services.target_lists import (
    target_list_enrol,
    target_list_match,
)
from cakupan.sponsorship.tests.factories import PRICE, apbd_sponsor, person, sponsored

pytestmark = pytest.mark.django_db


def fresh_nik(serial: int) -> str:
    return nik_compose(district_code="35.73.03", birth_date=dt.date(1988, 4, 9), sex="P", serial=900 + serial)


def write_list(tmp_path: Path, rows: list[tuple[str, str, str]], name: str = "dtks.csv") -> Path:
    path = tmp_path / name
    lines = ["NIK;Nama;Alamat;Desil"] + [f"{nik};{n};Jl. Contoh;{d}" for nik, n, d in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def setting(world: Any) -> dict[str, Any]:
    """One person of each class, relative to a Kota Malang APBD sponsor."""
    apbd = apbd_sponsor(world.admin)
    mine = sponsored(world.admin, apbd, 1).person
    self_paid = person(world.admin, 2)
    services.membership_enrol(
        actor=world.admin,
        person=self_paid,
        segment="BPU",
        programs=["JKK", "JKM"],
        start_date=dt.date(2025, 1, 1),
        payer_kind="self",
        declared_income=1_000_000,
        bpu_sector="other",
    )
    lapsed = person(world.admin, 3)  # registered, membership ended: not covered
    old = services.membership_enrol(
        actor=world.admin,
        person=lapsed,
        segment="BPU",
        programs=["JKK", "JKM"],
        start_date=dt.date(2024, 1, 1),
        payer_kind="self",
        declared_income=1_000_000,
        bpu_sector="other",
    )
    services.membership_end(actor=world.admin, membership=old, end_date=dt.date(2024, 12, 31))
    return {"apbd": apbd, "mine": mine, "self_paid": self_paid, "lapsed": lapsed}


def test_every_class_once_in_order(world: Any, tmp_path: Path) -> None:
    s = setting(world)
    rows = [
        (s["mine"].nik, "Saya", "1"),
        (world.driver.nik, "Pengemudi", "2"),  # the CSR pays for him: another sponsor, named
        (world.nurse.nik, "Perawat", "3"),  # PU at the hospital
        (s["self_paid"].nik, "Mandiri", "4"),
        (s["lapsed"].nik, "Lama", "1"),
        (fresh_nik(1), "Baru", "2"),  # not in the registry
        ("3573000000000000", "Salah", "1"),  # structurally invalid
        ("12345", "Pendek", ""),
        (fresh_nik(1), "Baru lagi", "2"),  # listed twice: counted once
    ]
    target = target_list_match(
        actor=world.branch_malang, sponsor=s["apbd"], source=write_list(tmp_path, rows)
    )
    assert target.rows == 9
    assert {k: target.counts[k] for k in target.counts} == {
        "this_sponsor": 1,
        "other_sponsor": 1,
        "wage_earner": 1,
        "self_paid": 1,
        "not_covered": 2,
        "invalid": 2,
        "duplicate": 1,
    }
    assert other_sponsors(target) == {"CSR RS Contoh Sehat": 1}
    by_line = dict(TargetRow.objects.filter(target_list=target).values_list("line", "klass"))
    assert by_line[2] == "this_sponsor"
    assert by_line[10] == "duplicate"
    # In the first class that applies: a person paid by this sponsor and also working is "this sponsor".
    services.employment_start(
        actor=world.admin,
        person=s["mine"],
        employer=world.hospital,
        start_date=dt.date(2026, 1, 1),
        basic_wage=3_000_000,
    )
    services.membership_enrol(
        actor=world.admin,
        person=s["mine"],
        segment="PU",
        programs=["JKK", "JKM", "JHT"],
        start_date=dt.date(2026, 1, 1),
        payer_kind="employer",
        employer=world.hospital,
    )
    again = target_list_match(actor=world.admin, sponsor=s["apbd"], source=write_list(tmp_path, rows[:1]))
    assert again.counts["this_sponsor"] == 1
    assert again.counts["wage_earner"] == 0


def test_command_contract_and_constant_queries(world: Any, tmp_path: Path) -> None:
    s = setting(world)
    small = write_list(tmp_path, [(fresh_nik(i), f"W{i}", "1") for i in range(3)], "small.csv")
    big = write_list(tmp_path, [(fresh_nik(i), f"W{i}", "1") for i in range(300)], "big.csv")
    counts = []
    for path in (small, big):
        with CaptureQueriesContext(connection) as ctx:
            target_list_match(actor=world.admin, sponsor=s["apbd"], source=path)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    out = io.StringIO()
    call_command("sponsors", "match-list", str(small), "--sponsor", str(s["apbd"].pk), "--json", stdout=out)
    body = json.loads(out.getvalue())
    assert list(body) == [
        "rows",
        "this_sponsor",
        "other_sponsor",
        "wage_earner",
        "self_paid",
        "not_covered",
        "invalid",
        "report",
    ]
    assert body["rows"] == 3
    assert body["not_covered"] == 3
    assert TargetList.objects.get(pk=body["report"]).sponsor == s["apbd"]


def test_bad_input_writes_nothing(world: Any, tmp_path: Path) -> None:
    s = setting(world)
    no_nik = tmp_path / "x.csv"
    no_nik.write_text("Nama;Alamat\nA;B\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as bad:
        target_list_match(actor=world.admin, sponsor=s["apbd"], source=no_nik)
    assert bad.value.errors[0].field == "file"
    out = io.StringIO()
    with pytest.raises(SystemExit) as code:
        call_command(
            "sponsors",
            "match-list",
            str(tmp_path / "absent.csv"),
            "--sponsor",
            str(s["apbd"].pk),
            "--json",
            stdout=out,
        )
    assert code.value.code == 2
    assert json.loads(out.getvalue())["errors"][0]["field"] == "file"
    with pytest.raises(NotInScope):  # another regency's office cannot match for this sponsor
        target_list_match(actor=world.branch_bekasi, sponsor=s["apbd"], source=write_list(tmp_path, []))
    api = APIClient()
    api.force_authenticate(world.sponsor_user)  # the CSR's own user, on another sponsor
    with open(write_list(tmp_path, [(fresh_nik(1), "A", "1")]), "rb") as handle:
        answer = api.post(
            f"/api/v1/sponsors/{s['apbd'].pk}/match-list/", {"file": handle}, format="multipart"
        )
    assert answer.status_code == 404
    assert not TargetList.objects.exists()


def test_enrol_uncovered_within_cap_and_money(world: Any, tmp_path: Path) -> None:
    s = setting(world)
    # Money for the present member and two more for the rest of the year from July: 1 x 12 + 2 x 6 months.
    funded_period_create(
        actor=world.admin,
        sponsor=s["apbd"],
        source="apbd_regency",
        document="DPA",
        first_month="2026-01",
        last_month="2026-12",
        amount=(12 + 2 * 6) * PRICE,
        declared_income=1_000_000,
        member_cap=10,
    )
    rows = [(fresh_nik(i), f"Calon {i}", str(10 - i)) for i in range(4)] + [(s["self_paid"].nik, "M", "1")]
    target = target_list_match(
        actor=world.branch_malang, sponsor=s["apbd"], source=write_list(tmp_path, rows)
    )
    assert target.counts["not_covered"] == 4
    out = target_list_enrol(actor=world.branch_malang, target_list=target, start_month="2026-07")
    assert (out["capacity"], out["enrolled"], out["left"]) == (2, 2, 2)
    # Poorest decile first: rows with deciles 7 and 8 (candidates 3 and 2).
    enrolled = set(TargetRow.objects.filter(target_list=target, enrolled=True).values_list("nik", flat=True))
    assert enrolled == {fresh_nik(3), fresh_nik(2)}
    members = Membership.objects.filter(sponsor=s["apbd"], status="active", person__nik__in=enrolled)
    assert {(m.start_date, m.declared_income, m.jkk, m.jkm, m.jht) for m in members} == {
        (dt.date(2026, 7, 1), 1_000_000, True, True, False)
    }
    assert members[0].person.birth_date == dt.date(1988, 4, 9)
    with pytest.raises(InvalidInput) as full:  # the money is used up
        target_list_enrol(actor=world.branch_malang, target_list=target, start_month="2026-07")
    assert full.value.errors[0].field == "target_list"
    with pytest.raises(InvalidInput) as month:
        target_list_enrol(actor=world.branch_malang, target_list=target, start_month="Juli")
    assert month.value.errors[0].field == "start_month"
