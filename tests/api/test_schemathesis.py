"""Deliver 8: schemathesis over the whole API as three roles (national admin, branch staff, sponsor), with
no server error and no answer outside the OpenAPI document (status code, content type, body).

Bounded so the suite stays quick on two cores: CAKUPAN_SCHEMATHESIS_EXAMPLES cases per operation and
generation mode (default 10; the cases are derandomized, so every run sends the same ones). Writes land in
the test database and are rolled back with it.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from rest_framework.authtoken.models import Token

from tests.api.schemathesis_run import load_schema, run_all

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = int(os.environ.get("CAKUPAN_SCHEMATHESIS_EXAMPLES", "10"))


def _path_values(world: Any) -> dict[str, list[Any]]:
    ids = [
        world.hospital.pk,
        world.factory.pk,
        world.nurse.pk,
        world.operator.pk,
        world.driver.pk,
        world.driver_membership.pk,
        world.sponsor.pk,
        world.malang.pk,
    ]
    return {"id": sorted(set(ids)), "code": ["35", "35.73", "35.73.01", "32.16"]}


@pytest.mark.parametrize("role", ["admin", "branch_malang", "sponsor_user"])
def test_every_operation_answers_as_documented(world: Any, role: str) -> None:
    token, _ = Token.objects.get_or_create(user=getattr(world, role))
    tally = run_all(
        load_schema(getattr(world, role)),
        headers={"Authorization": f"Token {token.key}"},
        path_values=_path_values(world),
        max_examples=MAX_EXAMPLES,
    )
    print(f"\nschemathesis as {role}: {tally.summary()}")
    assert tally.cases > 0
    assert (tally.server_errors, tally.violations) == (0, 0), tally.summary()
