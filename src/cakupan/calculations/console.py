"""`cakupan calc contribution|benefit`: a JSON object on standard input, the JSON answer on standard output.

Exit 0 with the answer; exit 2 with {"errors": [{"field", "message"}]} on standard output when the input
is not JSON, not an object, or not acceptable to the calculator. This module imports no Django, so the
console script can run it without starting Django (it is called once per case by scripts and tests).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from cakupan.core.json_depth import MAX_DEPTH, json_too_deep
from cakupan.rules.errors import RuleInputError

KINDS = ("contribution", "benefit")


class CalculatorUnavailable(Exception):  # noqa: N818 - it names a state, not a failure of the caller
    """The calculator for a kind cannot be imported (e.g. a release without the benefit rules)."""


def calculator(kind: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The pure function computing `kind`; imported lazily so one calculator never slows the other."""
    if kind == "contribution":
        from cakupan.rules.contributions import contribution_assess

        return contribution_assess
    if kind == "benefit":
        try:
            from cakupan.rules.benefits import benefit_compute  # type: ignore[attr-defined,unused-ignore]
        except ImportError as exc:
            raise CalculatorUnavailable(f"The benefit calculator is not available: {exc}") from exc
        fn: Callable[[dict[str, Any]], dict[str, Any]] = benefit_compute
        return fn
    raise ValueError(f"unknown calculation kind {kind!r}")


def calculate(kind: str, payload: object) -> dict[str, Any]:
    """Run one calculation. RuleInputError for bad input, CalculatorUnavailable when it cannot run."""
    if not isinstance(payload, dict):
        raise RuleInputError([("body", "Expected a JSON object.")])
    return calculator(kind)(payload)


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def run(kind: str, text: str) -> tuple[int, dict[str, Any]]:
    """The exit code and the JSON answer for one request body."""
    # Checked before parsing: json.loads recurses per level and would end in RecursionError (exit 1).
    if json_too_deep(text):
        return 2, {"errors": [{"field": "body", "message": f"JSON nested deeper than {MAX_DEPTH} levels."}]}
    try:
        payload = json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        return 2, {"errors": [{"field": "body", "message": f"Not valid JSON: {exc}"}]}
    try:
        return 0, calculate(kind, payload)
    except RuleInputError as exc:
        return 2, exc.as_dict()
    except CalculatorUnavailable as exc:
        return 2, {"errors": [{"field": "kind", "message": str(exc)}]}


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="cakupan calc",
        description="Read a JSON object on standard input and print the calculated answer as JSON.",
    )
    parser.add_argument("kind", choices=KINDS)
    args = parser.parse_args(argv)
    code, answer = run(args.kind, (stdin or sys.stdin).read())
    out = stdout or sys.stdout
    out.write(json.dumps(answer, ensure_ascii=False, indent=2) + "\n")
    out.flush()
    return code
