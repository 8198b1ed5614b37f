"""The API's contract where the attacker found it broken: OPTIONS answers on every endpoint, pages and their
errors are what the OpenAPI document says, blank choices are in their enums, and a URL under /api/ that
matches no endpoint answers JSON."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def api(user: Any) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def document(world: Any) -> dict[str, Any]:
    client = Client()
    client.force_login(world.admin)  # the document is behind sign-in (CAKUPAN_PUBLIC_API_DOCS off)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return dict(response.json())


def errors(response: Any) -> list[str]:
    assert response["Content-Type"] == "application/json", response.content[:200]
    return [error["field"] for error in response.json()["errors"]]


def test_options_answers_200_with_json_on_every_documented_path(world: Any, document: dict[str, Any]) -> None:
    client = api(world.admin)
    paths = [re.sub(r"\{code\}", "35.73", re.sub(r"\{id\}", "1", path)) for path in document["paths"]]
    assert len(paths) > 30
    answers = {path: client.options(path) for path in paths}
    wrong = {path: r.status_code for path, r in answers.items() if r.status_code != 200}
    assert wrong == {}
    for response in answers.values():
        assert response["Content-Type"] == "application/json"
        assert "actions" not in response.json()  # bodies are described by the OpenAPI document


@pytest.mark.parametrize("path", ["/claims/", "/compliance/findings/", "/bills/", "/employers/"])
def test_lists_are_documented_as_pages(document: dict[str, Any], path: str) -> None:
    ok = document["paths"][V1 + path]["get"]["responses"]["200"]
    name = ok["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    page = document["components"]["schemas"][name]
    assert {"count", "next", "previous", "results"} <= set(page["properties"])
    assert page["properties"]["results"]["type"] == "array"


@pytest.mark.parametrize(("path", "key"), [("/claims/", "results"), ("/compliance/findings/", "results")])
def test_claims_and_findings_answer_pages(world: Any, path: str, key: str) -> None:
    response = api(world.admin).get(V1 + path)
    assert response.status_code == 200
    assert set(response.json()) == {"count", "count_exact", "next", "previous", key}


@pytest.mark.parametrize(
    ("schema", "field"), [("EmployerOutput", "facility_type"), ("MembershipOutput", "bpu_sector")]
)
def test_blank_choices_are_in_the_documented_enum(document: dict[str, Any], schema: str, field: str) -> None:
    components = document["components"]["schemas"]
    prop = components[schema]["properties"][field]
    allowed: set[str] = set()
    for ref in prop.get("oneOf", prop.get("allOf", [])):
        allowed |= set(components[ref["$ref"].rsplit("/", 1)[1]]["enum"])
    assert "" in allowed


def test_blank_choices_are_answered_as_blank(world: Any) -> None:
    client = api(world.admin)
    factory = client.get(f"{V1}/employers/{world.factory.pk}/").json()
    assert factory["facility_type"] == ""


@pytest.mark.parametrize("cursor", ["0", "abc", "W10:1abc:xyz", "\u0663", "a" * 5000])
def test_a_cursor_the_list_did_not_make_is_a_400_naming_cursor(world: Any, cursor: str) -> None:
    for path in ("/employers/", "/claims/", "/compliance/findings/", "/regions/"):
        response = api(world.admin).get(V1 + path, {"cursor": cursor})
        assert response.status_code == 400, (path, response.content)
        assert errors(response) == ["cursor"]


def test_a_cursor_of_another_list_is_a_400(world: Any) -> None:
    """Signed with the list's model and order: a persons cursor does not open the employers list."""
    persons = api(world.admin).get(f"{V1}/persons/", {"page_size": 1}).json()
    cursor = parse_qs(urlsplit(persons["next"]).query)["cursor"][0]
    assert api(world.admin).get(f"{V1}/persons/", {"cursor": cursor}).status_code == 200
    response = api(world.admin).get(f"{V1}/employers/", {"cursor": cursor})
    assert response.status_code == 400
    assert errors(response) == ["cursor"]


def test_every_operation_documents_the_shared_error_answers(document: dict[str, Any]) -> None:
    missing = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            expected = {"400"}
            if operation.get("security"):
                expected |= {"401", "403"}
            if "{" in path or any(p["name"] == "page" for p in operation.get("parameters", [])):
                expected.add("404")
            if "requestBody" in operation:
                expected |= {"413", "415"}
            if not expected <= codes:
                missing.append((method, path, sorted(expected - codes)))
    assert missing == []


def test_a_url_under_the_api_matching_no_endpoint_answers_json(world: Any) -> None:
    for path in (f"{V1}/persons/abc/", f"{V1}/no-such-thing/", f"{V1}/regions/x/"):
        response = api(world.admin).get(path)
        assert response.status_code == 404
        assert errors(response) == ["non_field_errors"]


def test_a_page_matching_no_url_keeps_djangos_html(world: Any) -> None:
    client = Client()
    client.force_login(world.admin)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_id_filter_beyond_bigint_is_a_400_naming_it(world: Any) -> None:
    for path, name in (("/employments/", "person"), ("/memberships/", "sponsor")):
        response = api(world.admin).get(V1 + path, {name: str(2**63)})
        assert response.status_code == 400
        assert errors(response) == [name]


@pytest.mark.parametrize(
    ("name", "value"),
    [("period", "2025-04\x00"), ("period", "April"), ("period", "2025-13"), ("account", str(2**70))],
)
def test_bill_filters_refuse_what_the_database_cannot_compare(world: Any, name: str, value: str) -> None:
    # Found by schemathesis on PostgreSQL: a NUL byte in `period` answered 500.
    response = api(world.admin).get(f"{V1}/bills/", {name: value})
    assert response.status_code == 400
    assert errors(response) == [name]


def test_bill_filters_still_filter(world: Any) -> None:
    response = api(world.admin).get(f"{V1}/bills/", {"period": "2025-04", "account": "1"})
    assert response.status_code == 200
    assert response.json()["results"] == []
