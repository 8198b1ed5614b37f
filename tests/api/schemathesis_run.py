"""Schemathesis over the whole API, in-process: the OpenAPI document the app serves, every operation called
through Django's own request handler with examples generated from that document.

Used by `test_schemathesis.py` (bounded examples, part of `make test`) and by hand for bigger runs:

    CAKUPAN_SCHEMATHESIS_EXAMPLES=50 .venv/bin/pytest -q -s tests/api/test_schemathesis.py

Each run reports cases sent, server errors and schema violations (status code, content type or body not
as documented). Failures are collected rather than raised, so one run counts them all instead of stopping
at the first and shrinking it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from django.test import Client
from django.test.client import ClientHandler
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import checks as st_checks
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation import GenerationMode

CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
]


class _Wsgi:
    """Django's test-client handler as a WSGI application: requests run on the test's own database
    connection and transaction (a plain WSGIHandler would close that connection after each request)."""

    def __init__(self) -> None:
        self.handler = ClientHandler(enforce_csrf_checks=False)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        response = self.handler(environ)
        headers = list(response.items())
        headers += [("Set-Cookie", cookie.output(header="").strip()) for cookie in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        if response.streaming:
            return list(response.streaming_content)  # type: ignore[attr-defined]
        return [response.content]


def load_schema(user: Any) -> Any:
    """The document as the app serves it at /api/schema/ to a signed-in `user` (the document is behind
    sign-in unless CAKUPAN_PUBLIC_API_DOCS), bound to the app for calls."""
    client = Client()
    client.force_login(user)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200, response.content[:500]
    schema = schemathesis.openapi.from_dict(json.loads(response.content))
    schema.app = _Wsgi()
    return schema


@dataclass
class Tally:
    cases: int = 0
    server_errors: int = 0
    violations: int = 0
    # (operation, failure title) -> how often, with one example message each.
    kinds: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: dict[tuple[str, str], str] = field(default_factory=dict)
    unsatisfiable: list[str] = field(default_factory=list)

    def record(self, label: str, failures: Iterable[Failure]) -> None:
        for failure in failures:
            if "not_a_server_error" in type(failure).checks or type(failure).__name__ == "ServerError":
                self.server_errors += 1
            else:
                self.violations += 1
            key = (label, failure.title)
            self.kinds[key] += 1
            self.examples.setdefault(key, failure.message[:400])

    def add(self, other: Tally) -> None:
        self.cases += other.cases
        self.server_errors += other.server_errors
        self.violations += other.violations
        self.kinds.update(other.kinds)
        self.unsatisfiable += other.unsatisfiable
        for key, text in other.examples.items():
            self.examples.setdefault(key, text)

    def summary(self) -> str:
        lines = [
            f"cases {self.cases}, server errors {self.server_errors}, schema violations {self.violations}"
        ]
        if self.unsatisfiable:
            lines.append(f"  no cases could be generated for: {', '.join(self.unsatisfiable)}")
        for (label, title), count in self.kinds.most_common(40):
            lines.append(f"  {count:5d} x {label}: {title}\n        {self.examples[(label, title)]!r}")
        return "\n".join(lines)


def _operations(schema: Any) -> Iterator[Any]:
    for result in schema.get_all_operations():
        yield result.ok()


def run_operation(
    operation: Any,
    *,
    headers: Mapping[str, str],
    path_values: Mapping[str, list[Any]],
    mode: GenerationMode,
    max_examples: int,
) -> Tally:
    """Call one operation with `max_examples` generated cases (derandomized: the same cases every run)."""
    tally = Tally()
    label = f"{operation.method.upper()} {operation.path}"

    @settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def exercise(case: Any, data: st.DataObject) -> None:
        # Random ids mostly miss (a 404); half of the time use an object that exists, so reads and writes
        # of real objects are exercised too.
        for name in list(case.path_parameters or {}):
            known = path_values.get(name)
            if known and data.draw(st.booleans()):
                case.path_parameters[name] = data.draw(st.sampled_from(known))
        response = case.call(headers=dict(headers))
        tally.cases += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=dict(headers))
        except FailureGroup as group:
            tally.record(label, group.exceptions)

    try:
        exercise()
    except Unsatisfiable:
        # Nothing to break: e.g. no negative case exists for a path whose only parameter is any string.
        # Every operation must have positive cases, though: a document no request can satisfy is a fault.
        if mode is GenerationMode.POSITIVE:
            raise
        tally.unsatisfiable.append(f"{label} ({mode.value})")
    return tally


def run_all(
    schema: Any, *, headers: Mapping[str, str], path_values: Mapping[str, list[Any]], max_examples: int
) -> Tally:
    """Every operation, with data that fits the document and with data that does not."""
    total = Tally()
    for operation in _operations(schema):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            total.add(
                run_operation(
                    operation, headers=headers, path_values=path_values, mode=mode, max_examples=max_examples
                )
            )
    return total
