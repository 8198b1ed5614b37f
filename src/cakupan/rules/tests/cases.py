"""Case files (the shared acceptance cases and our golden cases) and how an answer is compared to them.

An expectation is a subset of the answer: lines are matched by `program`, every value given must be equal.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import cakupan

GOLDEN = Path(__file__).resolve().parent / "golden_contributions.json"
# The project's clone sits next to the shared folder on the build machine (/work/main and /work/shared);
# a user's own clone has no ../shared, and the tests that need it are skipped.
ACCEPTANCE_DIR = (Path(cakupan.__file__).resolve().parents[2] / ".." / "shared" / "acceptance").resolve()
ACCEPTANCE = ACCEPTANCE_DIR / "contributions.json"
SKIP_REASON = f"shared acceptance cases not found at {ACCEPTANCE} (only on the build machine)"


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _params(path: Path, key: str) -> list[Any]:
    if not path.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=SKIP_REASON), id="no-acceptance-file")]
    return [pytest.param(case, id=case["name"]) for case in load(path)[key]]


def acceptance_cases() -> list[Any]:
    return _params(ACCEPTANCE, "cases")


def acceptance_invalid() -> list[Any]:
    return _params(ACCEPTANCE, "invalid")


def golden_cases() -> list[Any]:
    return _params(GOLDEN, "cases")


def golden_invalid() -> list[Any]:
    return _params(GOLDEN, "invalid")


def normalise(answer: dict[str, Any]) -> dict[str, Any]:
    """Lines keyed by programme, flags as their codes: the shape expectations are written in."""
    out = dict(answer)
    out["lines"] = {line["program"]: line for line in answer.get("lines", [])}
    out["flags"] = sorted(flag["code"] for flag in answer.get("flags", []))
    return out


def mismatches(expected: Any, actual: Any, path: str = "") -> list[str]:
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        problems: list[str] = []
        for key, value in expected.items():
            if key not in actual:
                problems.append(f"{path}.{key}: missing")
            else:
                problems += mismatches(value, actual[key], f"{path}.{key}")
        return problems
    return [] if expected == actual else [f"{path}: expected {expected!r}, got {actual!r}"]


def error_fields(answer: dict[str, Any]) -> list[str]:
    return [error["field"] for error in answer.get("errors", [])]
