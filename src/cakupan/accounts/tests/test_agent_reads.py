"""A field agent reads the field app's endpoints only (issue 17): every API list of the registry, bills,
claims, findings and coverage answers 403 to an agent, decided by the grants (accounts.permissions) through
the endpoint's `read_permission`, while the roles that read them still get 200. The field profile stays
open to the agent."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from cakupan.fieldapp.tests.agents import make_agent

pytestmark = pytest.mark.django_db

# Each list, and a role that reads it.
LISTS = [
    ("/api/v1/employers/", "branch_malang"),
    ("/api/v1/persons/", "branch_malang"),
    ("/api/v1/employments/", "branch_malang"),
    ("/api/v1/memberships/", "branch_malang"),
    ("/api/v1/sponsors/", "branch_malang"),
    ("/api/v1/bills/", "branch_malang"),
    ("/api/v1/claims/", "branch_malang"),
    ("/api/v1/compliance/findings/", "branch_malang"),
]


def session_client(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("url", "reader"), LISTS)
def test_an_agent_is_refused_each_list(world: Any, url: str, reader: str) -> None:
    agent = make_agent(world)
    refused = session_client(agent).get(url)
    assert refused.status_code == 403, refused.content
    assert refused.json()["errors"][0]["field"] == "permission"
    assert session_client(getattr(world, reader)).get(url).status_code == 200


def test_an_agent_is_refused_one_record_too(world: Any) -> None:
    agent = make_agent(world)
    url = f"/api/v1/persons/{world.driver.pk}/"
    assert session_client(agent).get(url).status_code == 403
    assert session_client(world.branch_malang).get(url).status_code == 200


def test_an_agent_is_refused_coverage_before_its_query_is_read(world: Any) -> None:
    # Without a period the answer would be 400 for a role that reads coverage: the refusal comes first.
    assert session_client(make_agent(world)).get("/api/v1/coverage/").status_code == 403


def test_an_agent_reads_the_field_profile(world: Any) -> None:
    agent = make_agent(world)
    answer = session_client(agent).get("/api/v1/field/profile/")
    assert answer.status_code == 200
    assert answer.json()["username"] == agent.username


def test_a_token_agent_is_refused_as_well(world: Any) -> None:
    from cakupan.accounts.tokens import token_for_user

    agent = make_agent(world)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for_user(user=agent).key}")
    assert client.get("/api/v1/persons/").status_code == 403
    assert client.get("/api/v1/field/profile/").status_code == 200
