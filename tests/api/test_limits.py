"""Deliver 4 (API part): JSON nested too deeply and bodies over DATA_UPLOAD_MAX_MEMORY_SIZE answer the usual
`{"errors": [...]}` on every JSON endpoint (never a 500 or Django's HTML 400); pages keep their HTML; the
calculator's command line exits 2, not 1 with a traceback."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cakupan.calculations.console import run as calc_run
from cakupan.core.json_depth import MAX_DEPTH, json_too_deep
from cakupan.registry.models import Employer

V1 = "/api/v1"
# Every endpoint that takes JSON (the registry's writes, calculations, claims, compliance, payments, token).
JSON_POSTS = [
    "/auth/token/",
    "/employers/",
    "/persons/",
    "/workers/",
    "/employments/",
    "/memberships/",
    "/sponsors/",
    "/calculations/contribution",
    "/calculations/benefit",
    "/claims/",
    "/compliance/cases/",
    "/payments/",
]


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def api(user: Any) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def body_errors(response: Any) -> list[str]:
    assert response["Content-Type"] == "application/json", response.content[:200]
    return [error["field"] for error in response.json()["errors"]]


# --- the depth scan --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "deep"),
    [
        (nested(MAX_DEPTH), False),
        (nested(MAX_DEPTH + 1), True),
        ('{"a": ' * MAX_DEPTH + "1" + "}" * MAX_DEPTH, False),
        ('{"a": ' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1), True),
        # Brackets inside strings are text, escaped quotes included.
        (json.dumps({"note": "[" * 500 + '\\" {{{{'}), False),
        (json.dumps(["x" * 10_000, {"a": [1, 2, {"b": []}]}] * 1000), False),
        ("[]" * 100_000, False),  # wide, not deep
        ("{not json", False),  # malformed is the parser's to report
    ],
)
def test_json_too_deep_counts_only_nesting_outside_strings(text: str, deep: bool) -> None:
    assert json_too_deep(text) is deep


# --- the API -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", JSON_POSTS)
def test_deep_json_is_a_400_naming_the_body_on_every_json_endpoint(world: Any, path: str) -> None:
    response = api(world.admin).post(V1 + path, nested(1000), content_type="application/json")
    assert response.status_code == 400
    assert body_errors(response) == ["body"]
    assert str(MAX_DEPTH) in response.json()["errors"][0]["message"]


@pytest.mark.django_db
def test_json_within_the_depth_limit_reaches_the_endpoint(world: Any) -> None:
    # Nested as deep as allowed: parsed, then refused by the serializer for its shape, not by the parser.
    response = api(world.admin).post(f"{V1}/employers/", nested(MAX_DEPTH), content_type="application/json")
    assert response.status_code == 400
    assert body_errors(response) != ["body"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "content_type", "body"),
    [
        ("/employers/", "application/json", json.dumps({"name": "x" * 20_000})),
        ("/auth/token/", "application/json", json.dumps({"username": "x" * 20_000})),
        ("/claims/", "application/json", json.dumps({"claimant_name": "x" * 20_000})),
        ("/claims/", "application/x-www-form-urlencoded", "claimant_name=" + "x" * 20_000),
    ],
)
def test_a_body_over_the_limit_is_a_413_in_the_errors_shape(
    world: Any, settings: Any, path: str, content_type: str, body: str
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000  # the same check as 2.5 MB, without sending megabytes
    before = Employer.objects.count()
    response = api(world.admin).post(V1 + path, body, content_type=content_type)
    assert response.status_code == 413
    assert body_errors(response) == ["body"]
    assert Employer.objects.count() == before


@pytest.mark.django_db
def test_the_real_limit_answers_json_for_a_body_of_three_megabytes(world: Any) -> None:
    body = json.dumps({"name": "x" * 3_000_000})
    response = api(world.admin).post(f"{V1}/employers/", body, content_type="application/json")
    assert response.status_code == 413
    assert body_errors(response) == ["body"]


@pytest.mark.django_db
def test_pages_keep_djangos_html_answer_for_a_body_over_the_limit(world: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = APIClient()
    client.force_login(world.admin)
    response = client.post(
        "/i18n/setlang/", "language=" + "x" * 20_000, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_a_file_upload_is_not_limited_by_the_memory_limit(world: Any, settings: Any) -> None:
    # Files are streamed by Django's upload handlers; only the form's other fields count.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    upload = io.BytesIO(b"nib,name\n" + b"1234567890123,PT Contoh\n" * 2_000)
    upload.name = "report.csv"
    response = api(world.admin).post(f"{V1}/compliance/reports/", {"file": upload, "match": "false"})
    assert response.status_code != 413, response.content[:300]
    assert response["Content-Type"] == "application/json"


# --- the calculator's command line ----------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 100_000])
def test_calculator_exits_2_with_the_errors_json_on_deep_json(depth: int) -> None:
    code, answer = calc_run("contribution", nested(depth))
    assert code == 2
    assert [error["field"] for error in answer["errors"]] == ["body"]


def test_calculator_command_exits_2_on_deep_json(monkeypatch: Any) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(nested(1000)))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("calc", "contribution", stdout=out)
    assert exit_info.value.code == 2
    assert json.loads(out.getvalue())["errors"][0]["field"] == "body"


CLI = Path(sys.executable).with_name("cakupan")


@pytest.mark.skipif(not CLI.exists(), reason=f"console script not installed at {CLI}")
def test_console_script_exits_2_on_deep_json() -> None:
    proc = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [str(CLI), "calc", "contribution"],
        input=nested(1000),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert json.loads(proc.stdout)["errors"][0]["field"] == "body"
