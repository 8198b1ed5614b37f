"""Scope (an agency sees the agreements it is party to, another agency gets 404; branch staff their
office's; others none), and the contracts of `cakupan agreements` and /api/v1/agreements/ with their
bad-input answers (exit code 2, HTTP 400, nothing written)."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from conftest import person_data
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cakupan.accounts.permissions import SYSTEM
from cakupan.core.errors import Forbidden
from cakupan.partners.kpis import catalogue as k
from cakupan.partners.kpis.compute import agreement_kpis_compute
from cakupan.partners.models import Agreement, AgreementKpi
from cakupan.partners.selectors import agreement_list
from cakupan.partners.services.agreements import agreement_kpi_add
from cakupan.partners.tests.factories import agency_of, agreement
from cakupan.registry import services

pytestmark = pytest.mark.django_db
LIST_KEYS = ["number", "parties", "region", "status", "valid_from", "valid_to"]
KPI_KEYS = ["key", "label", "value", "target", "unit", "status"]


@pytest.fixture
def two(world: Any) -> dict[str, Agreement]:
    """Malang's agreement with the Malang health agency; Bekasi's with the Bekasi labour agency."""
    malang = agreement(
        world.branch_malang, number="01/PKS/MLG/2025", agencies=(agency_of(world.agency_health_malang),)
    )
    bekasi = agreement(
        world.branch_bekasi,
        number="07/PKS/BKC/2025",
        region="32.16",
        agencies=(agency_of(world.agency_labour_bekasi),),
    )
    return {"malang": malang, "bekasi": bekasi}


def run(*args: str) -> tuple[int, Any]:
    out = io.StringIO()
    code = 0
    try:
        call_command("agreements", *args, stdout=out)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, json.loads(out.getvalue())


def test_each_role_sees_its_own_agreements(world: Any, two: dict[str, Agreement]) -> None:
    def seen(user: Any) -> set[str]:
        return set(agreement_list(user=user).values_list("number", flat=True))

    assert seen(world.admin) == {"01/PKS/MLG/2025", "07/PKS/BKC/2025"}
    assert seen(world.branch_malang) == {"01/PKS/MLG/2025"}
    assert seen(world.agency_health_malang) == {"01/PKS/MLG/2025"}
    assert seen(world.agency_labour_bekasi) == {"07/PKS/BKC/2025"}
    for user in (world.hr_hospital, world.sponsor_user, world.worker_user):
        with pytest.raises(Forbidden):
            agreement_list(user=user)


def test_another_agency_gets_404_on_the_page_the_scorecard_and_the_api(
    world: Any, two: dict[str, Agreement]
) -> None:
    malang = two["malang"]
    client = Client()
    client.force_login(world.agency_labour_bekasi)
    for name in ("partners:detail", "partners:scorecard", "partners:scorecard_pdf"):
        assert client.get(reverse(name, args=[malang.pk])).status_code == 404, name
    api = APIClient()
    api.force_authenticate(world.agency_labour_bekasi)
    answer = api.get(f"/api/v1/agreements/{malang.number}/kpis/")
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["field"] == "id"
    assert [r["number"] for r in api.get("/api/v1/agreements/").json()] == ["07/PKS/BKC/2025"]
    own = Client()
    own.force_login(world.agency_health_malang)
    assert own.get(reverse("partners:detail", args=[malang.pk])).status_code == 200
    assert own.get(reverse("partners:edit", args=[malang.pk])).status_code == 403


def test_cli_list_contract_and_region_filter(world: Any, two: dict[str, Agreement]) -> None:
    code, rows = run("list", "--json")
    assert code == 0
    assert [list(r) for r in rows] == [LIST_KEYS, LIST_KEYS]
    assert rows[0] == {
        "number": "01/PKS/MLG/2025",
        "parties": ["Kantor Cabang Malang", "Dinas Kesehatan Kota Malang"],
        "region": "35.73",
        "status": "signed",
        "valid_from": "2025-01-10",
        "valid_to": "2027-01-09",
    }
    assert [r["number"] for r in run("list", "--region", "32.16", "--json")[1]] == ["07/PKS/BKC/2025"]
    assert [r["number"] for r in run("list", "--region", "32", "--json")[1]] == ["07/PKS/BKC/2025"]
    assert [r["number"] for r in run("list", "--user", "staf_malang", "--json")[1]] == ["01/PKS/MLG/2025"]
    code, bad = run("list", "--region", "99.99", "--json")
    assert (code, bad["errors"][0]["field"]) == (2, "region")


def test_cli_kpis_contract_with_a_rate_in_percent_with_one_decimal(
    world: Any, two: dict[str, Agreement]
) -> None:
    # The hospital reports the nurse (covered) and two more staff (not): 1 of 3 = 33.3 %.
    for serial in (7, 8):
        person = services.person_register(
            actor=world.admin,
            **person_data("35.73.01", dt.date(1991, 1, serial), "P", 80 + serial, f"S{serial}"),
        )
        services.employment_start(
            actor=world.admin,
            person=person,
            employer=world.hospital,
            start_date=dt.date(2024, 1, 1),
            basic_wage=3_000_000,
        )
    malang = two["malang"]
    agreement_kpi_add(
        actor=world.branch_malang, agreement=malang.pk, key=k.HEALTH_WORKERS, baseline=20, target=90
    )
    agreement_kpi_add(
        actor=world.branch_malang,
        agreement=malang.pk,
        key=k.SPONSORED_COHORT,
        sponsor=world.sponsor.pk,
        baseline=0,
        target=103,
    )
    agreement_kpis_compute(actor=SYSTEM, period="2025-10")
    code, out = run("kpis", malang.number, "--period", "2025-10", "--json")
    assert code == 0
    assert list(out) == ["agreement", "period", "kpis"]
    assert (out["agreement"], out["period"]) == (malang.number, "2025-10")
    assert [list(item) for item in out["kpis"]] == [KPI_KEYS, KPI_KEYS]
    health, cohort = out["kpis"]
    assert health == {
        "key": "health_workers_covered",
        "label": "tenaga kesehatan yang terlindungi",
        "value": 33.3,
        "target": 90.0,
        "unit": "percent",
        "status": "behind",
    }
    assert (cohort["value"], cohort["target"], cohort["unit"]) == (1, 103, "count")
    assert run("kpis", malang.number, "--json")[1]["period"] == "2025-10"  # the latest computed
    api = APIClient()
    api.force_authenticate(world.agency_health_malang)
    assert api.get(f"/api/v1/agreements/{malang.number}/kpis/?period=2025-10").json() == out


@pytest.mark.parametrize(
    "args",
    [
        ("kpis", "NO/SUCH/NUMBER", "--json"),
        ("kpis", "01/PKS/MLG/2025", "--period", "2025-13", "--json"),
        ("kpis", "--json"),
        ("compute", "--period", "oktober", "--json"),
        ("daily", "--date", "2025-02-30", "--json"),
    ],
)
def test_cli_bad_input_exits_2_with_the_error_shape(
    world: Any, two: dict[str, Agreement], args: tuple[str, ...]
) -> None:
    code, out = run(*args)
    assert code == 2
    assert set(out) == {"errors"}
    assert {"field", "message"} <= set(out["errors"][0])


def test_api_create_and_status_answer_400_for_bad_input_and_write_nothing(world: Any) -> None:
    api = APIClient()
    api.force_authenticate(world.branch_malang)
    good = {
        "number": "09/PKS/MLG/2026",
        "title": "Perlindungan pekerja rentan",
        "region": "35.73",
        "valid_from": "2026-01-01",
        "valid_to": "2027-12-31",
        "parties": [{"kind": "agency", "id": str(agency_of(world.agency_health_malang).pk)}],
        "obligations": [{"kind": "socialisation"}],
    }
    bad = api.post(
        "/api/v1/agreements/", {**good, "valid_to": "2025-01-01", "region": "11.73"}, format="json"
    )
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"valid_to", "region"}
    assert api.post("/api/v1/agreements/", {"number": "x"}, format="json").status_code == 400
    assert Agreement.objects.count() == 0
    created = api.post("/api/v1/agreements/", good, format="json")
    assert created.status_code == 201
    assert created.json()["status"] == "draft"
    wrong = api.post(f"/api/v1/agreements/{good['number']}/status/", {"status": "active"}, format="json")
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["field"] == "status"
    signed = api.post(
        f"/api/v1/agreements/{good['number']}/status/",
        {"status": "signed", "signed_on": "2025-12-20"},
        format="json",
    )
    assert signed.json()["status"] == "signed"
    kpi = api.post(
        f"/api/v1/agreements/{good['number']}/kpis/",
        {"key": "nope", "baseline": "x", "target": "1"},
        format="json",
    )
    assert kpi.status_code == 400
    assert {e["field"] for e in kpi.json()["errors"]} == {"key", "baseline"}
    assert AgreementKpi.objects.count() == 0
    agency = APIClient()
    agency.force_authenticate(world.agency_health_malang)
    assert agency.post("/api/v1/agreements/", good, format="json").status_code == 403
