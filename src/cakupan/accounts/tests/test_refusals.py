"""A refusal looks the same through every door: a role without the permission gets a 403 page (in the user's
language, with the reason), a 403 from the API with {"errors": [{"field": "permission", "message"}]}, and
exit code 3 from a command with the same JSON on standard output. Nothing is written."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cakupan.core.models import AuditEvent
from cakupan.enrolment.models import RosterImport
from cakupan.registry.models import Employer

REFUSED_ID = "Peran Anda tidak boleh melakukan ini."  # "Your role may not do this." in Indonesian


def page(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def is_refusal(body: Any) -> bool:
    errors = body["errors"]
    return len(errors) == 1 and errors[0]["field"] == "permission" and bool(errors[0]["message"])


def cli(*args: str) -> tuple[int, Any]:
    out = io.StringIO()
    try:
        call_command(*args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, json.loads(out.getvalue())


@pytest.mark.parametrize(
    ("url", "user", "data"),
    [
        ("registry:employer_create", "agency_health_malang", {"npp": "NPPX", "name": "X"}),
        ("registry:person_create", "hr_hospital", {"nik": "3573010101900001"}),
        ("enrolment:upload", "worker_user", {"as_": "employer:NPP00001"}),
        ("compliance:import", "hr_factory", {}),
        ("benefits:claim_new", "sponsor_user", {"benefit": "JKM"}),
    ],
)
def test_pages_answer_403_with_the_reason_in_the_users_language(
    world: Any, url: str, user: str, data: dict[str, str]
) -> None:
    events = AuditEvent.objects.count()
    response = page(getattr(world, user)).post(reverse(url), data)
    assert response.status_code == 403
    assert REFUSED_ID in response.content.decode()
    assert AuditEvent.objects.count() == events


def test_a_form_the_role_may_not_post_is_refused_before_it_is_read(world: Any) -> None:
    before = Employer.objects.count()
    response = page(world.agency_health_malang).post(reverse("registry:employer_create"), {})
    assert response.status_code == 403  # not 400 for the empty form
    assert Employer.objects.count() == before


@pytest.mark.parametrize(
    ("url", "user", "body"),
    [
        ("/api/v1/employers/", "agency_health_malang", {"npp": "NPPX"}),
        ("/api/v1/persons/", "sponsor_user", {}),
        ("/api/v1/payments/", "hr_hospital", {"account": 1, "amount": 1}),
        ("/api/v1/claims/", "agency_health_malang", {}),
        ("/api/v1/compliance/cases/", "hr_factory", {"findings": [1]}),
    ],
)
def test_api_answers_403_with_the_error_shape(world: Any, url: str, user: str, body: dict[str, Any]) -> None:
    events = AuditEvent.objects.count()
    response = api(getattr(world, user)).post(url, body, format="json")
    assert response.status_code == 403
    assert is_refusal(response.json())
    assert AuditEvent.objects.count() == events


def test_api_refuses_an_upload_before_reading_it(world: Any) -> None:
    response = api(world.worker_user).post("/api/v1/rosters/", {}, format="multipart")
    assert response.status_code == 403  # not 400 for the missing file
    assert is_refusal(response.json())


def test_commands_exit_3_with_the_same_shape(world: Any, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("nik,full_name\n3573010101900001,Orang\n", encoding="utf-8")
    code, out = cli(
        "roster", "import", str(roster), "--as", "employer:NPP00001", "--user", "pekerja", "--json"
    )
    assert (code, is_refusal(out)) == (3, True)
    assert RosterImport.objects.count() == 0
    report = tmp_path / "report.csv"
    report.write_text("nib,name\n1,X\n", encoding="utf-8")
    code, out = cli("compliance", "import", str(report), "--user", "hr_pabrik", "--json")
    assert (code, is_refusal(out)) == (3, True)


def test_the_same_message_on_the_api_and_the_command_line(world: Any, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("nik\n", encoding="utf-8")
    _code, out = cli(
        "roster", "import", str(roster), "--as", "employer:NPP00001", "--user", "pekerja", "--json"
    )
    answer = api(world.worker_user).post("/api/v1/rosters/", {}, format="multipart").json()
    assert out == answer
