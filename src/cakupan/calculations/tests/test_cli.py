"""`cakupan calc` through the installed console script (a real subprocess) and as a Django command."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from cakupan.rules.tests import cases

CLI = Path(sys.executable).with_name("cakupan")
needs_cli = pytest.mark.skipif(not CLI.exists(), reason=f"console script not installed at {CLI}")


def _run(kind: str, body: str) -> tuple[int, Any]:
    proc = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [str(CLI), "calc", kind], input=body, capture_output=True, text=True, timeout=60, check=False
    )
    return proc.returncode, json.loads(proc.stdout)


@needs_cli
@pytest.mark.parametrize("case", cases.acceptance_cases() + cases.golden_cases()[:4])
def test_cli_answers_cases(case: dict[str, Any]) -> None:
    code, answer = _run("contribution", json.dumps(case["input"]))
    assert code == 0
    assert cases.mismatches(case["expect"], cases.normalise(answer)) == []


@needs_cli
@pytest.mark.parametrize("case", cases.acceptance_invalid() + cases.golden_invalid()[:4])
def test_cli_refuses_invalid_cases(case: dict[str, Any]) -> None:
    code, answer = _run("contribution", json.dumps(case["input"]))
    assert code == 2
    assert case["field"] in cases.error_fields(answer)


@needs_cli
@pytest.mark.parametrize("body", ["{not json", "", "[1, 2]", '{"a": NaN}'])
def test_cli_refuses_a_body_that_is_not_a_json_object(body: str) -> None:
    code, answer = _run("contribution", body)
    assert code == 2
    assert cases.error_fields(answer) == ["body"]


@needs_cli
def test_cli_dispatches_benefit() -> None:
    code, answer = _run("benefit", "{}")
    assert code == 2
    assert answer["errors"], "an empty benefit request names its missing fields"


@needs_cli
def test_cli_refuses_an_unknown_kind() -> None:
    proc = subprocess.run(  # noqa: S603
        [str(CLI), "calc", "salary"], input="{}", capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 2


def test_django_command_gives_the_same_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    body = {"segment": "BPU", "period": "2026-01", "programs": ["JKK", "JKM"], "declared_income": 1000000}
    body |= {"sector": "transport", "funding": "self"}
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(body)))
    out = io.StringIO()
    call_command("calc", "contribution", stdout=out)
    assert json.loads(out.getvalue())["totals"]["total"] == 8400


def test_django_command_exits_2_on_invalid_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"segment": "XX"}'))
    out = io.StringIO()
    with pytest.raises(SystemExit) as caught:
        call_command("calc", "contribution", stdout=out)
    assert caught.value.code == 2
    assert "segment" in cases.error_fields(json.loads(out.getvalue()))
