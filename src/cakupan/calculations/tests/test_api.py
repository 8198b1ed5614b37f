"""POST /api/v1/calculations/*: the acceptance and golden cases through the API, errors as 400."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from cakupan.accounts.models import Role, User
from cakupan.rules.tests import cases

CONTRIBUTION = "/api/v1/calculations/contribution"
BENEFIT = "/api/v1/calculations/benefit"


@pytest.fixture
def api(db: Any) -> APIClient:
    client = APIClient()
    # No password: hashing one costs most of a test, and force_authenticate does not need it.
    user = User.objects.create(username="hitung", role=Role.NATIONAL_ADMIN)
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("case", cases.acceptance_cases() + cases.golden_cases())
def test_api_answers_cases(api: APIClient, case: dict[str, Any]) -> None:
    response = api.post(CONTRIBUTION, case["input"], format="json")
    assert response.status_code == 200, response.content
    assert cases.mismatches(case["expect"], cases.normalise(response.json())) == []


@pytest.mark.parametrize("case", cases.acceptance_invalid() + cases.golden_invalid())
def test_api_refuses_invalid_cases(api: APIClient, case: dict[str, Any]) -> None:
    response = api.post(CONTRIBUTION, case["input"], format="json")
    assert response.status_code == 400
    assert case["field"] in cases.error_fields(response.json())


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", "3"])
def test_api_refuses_a_body_that_is_not_a_json_object(api: APIClient, body: str) -> None:
    response = api.post(CONTRIBUTION, body, content_type="application/json")
    assert response.status_code == 400
    assert cases.error_fields(response.json()) == ["body"]


def test_api_refuses_form_encoding(api: APIClient) -> None:
    # Form fields are text: "5000000" must not silently become a wage.
    response = api.post(CONTRIBUTION, {"segment": "PU"})
    assert response.status_code == 415
    assert response.json()["errors"]


def test_any_signed_in_role_may_calculate(world: Any) -> None:
    client = APIClient()
    client.force_authenticate(world.worker_user)
    body = {"segment": "PU", "period": "2025-04", "programs": ["JKM"], "monthly_wage": 5_000_000}
    response = client.post(CONTRIBUTION, body, format="json")
    assert response.status_code == 200
    assert response.json()["totals"]["employer"] == 15_000


@pytest.mark.parametrize("url", [CONTRIBUTION, BENEFIT])
def test_anonymous_users_are_refused(db: Any, url: str) -> None:
    response = APIClient().post(url, {"segment": "PU"}, format="json")
    assert response.status_code in (401, 403)
    assert "errors" in response.json()


def test_benefit_is_dispatched_to_the_benefit_calculator(api: APIClient) -> None:
    response = api.post(BENEFIT, {}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"]


def test_openapi_documents_both_endpoints(api: APIClient) -> None:
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    contribution = schema["paths"][CONTRIBUTION]["post"]
    assert set(contribution["responses"]) >= {"200", "400"}
    assert "monthly_wage" in json.dumps(contribution["requestBody"]) or "ContributionRequest" in json.dumps(
        contribution["requestBody"]
    )
    assert BENEFIT in schema["paths"]
