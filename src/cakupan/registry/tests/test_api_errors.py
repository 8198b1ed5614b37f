"""Bad input through the API: every endpoint answers 400 naming the field (or 404/405/415 where that is
the HTTP meaning), never a 500, and writes nothing. Ends with a property-based robustness check."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cakupan.core.models import AuditEvent
from cakupan.registry.models import Employer, Employment, Membership, Person, Sponsor
from cakupan.registry.nik import nik_compose

pytestmark = pytest.mark.django_db
V1 = "/api/v1"
BIG = 2**63  # one past the largest BIGINT


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The world's ten users cost seconds of PBKDF2 per test; password hashing is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def api(user: Any) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def counts() -> tuple[int, ...]:
    return (
        Employer.objects.count(),
        Person.objects.count(),
        Employment.objects.count(),
        Membership.objects.count(),
        Sponsor.objects.count(),
        AuditEvent.objects.count(),
    )


def fields(response: Any) -> set[str]:
    assert response.status_code == 400, (response.status_code, response.content)
    errors = response.json()["errors"]
    assert errors
    assert all(set(e) == {"field", "message"} and e["message"] for e in errors)
    return {e["field"] for e in errors}


def good_bodies(world: Any) -> dict[str, dict[str, Any]]:
    """One valid body per create endpoint; each bad case below breaks one thing in it."""
    nik = nik_compose(district_code="35.73.01", birth_date=dt.date(1999, 9, 9), sex="L", serial=40)
    person = {
        "nik": nik,
        "full_name": "Orang Baru",
        "birth_date": "1999-09-09",
        "sex": "L",
        "address_region": "35.73.01",
    }
    return {
        "employers/": {
            "npp": "NPP00050",
            "name": "PT Baru",
            "legal_form": "PT",
            "size_class": "kecil",
            "kbli": "10750",
            "risk_class": 2,
            "region": "35.73.01",
        },
        "persons/": person,
        "workers/": {
            **person,
            "employer": world.hospital.pk,
            "start_date": "2025-01-01",
            "basic_wage": 3_000_000,
        },
        "employments/": {
            "person": world.driver.pk,
            "employer": world.hospital.pk,
            "start_date": "2025-01-01",
            "basic_wage": 3_000_000,
        },
        "memberships/": {
            "person": world.nurse.pk,
            "segment": "BPU",
            "programs": ["JKK", "JKM"],
            "start_date": "2025-01-01",
            "payer_kind": "self",
            "declared_income": 2_000_000,
            "bpu_sector": "other",
        },
        "sponsors/": {"name": "Donatur Baru", "kind": "donor", "region": "35.73"},
    }


# (endpoint, changes to the good body, a field that must be named). None as a value removes the key.
BAD_CASES = [
    # shape and types: the input serializers
    ("employers/", {"npp": None}, "npp"),
    ("employers/", {"risk_class": "two"}, "risk_class"),
    ("employers/", {"legal_form": "LLC"}, "legal_form"),
    ("employers/", {"name": "x" * 201}, "name"),
    ("employers/", {"name": "PT\x00Nul"}, "name"),
    ("employers/", {"branch_office": "MLG"}, "branch_office"),
    ("employers/", {"branch_office": BIG}, "branch_office"),
    ("employers/", {"size_class": ["kecil"]}, "size_class"),
    ("employers/", {"owner": "someone"}, "owner"),  # unknown keys are refused, not ignored
    ("persons/", {"birth_date": "09/09/1999"}, "birth_date"),
    ("persons/", {"sex": "X"}, "sex"),
    ("persons/", {"full_name": None}, "full_name"),
    ("persons/", {"address_region": 3573}, "address_region"),
    ("persons/", {"citizenship": "ID"}, "citizenship"),
    ("persons/", {"phone": "0" * 21}, "phone"),
    ("workers/", {"employer": "hospital"}, "employer"),
    ("workers/", {"basic_wage": "3.000.000"}, "basic_wage"),
    ("workers/", {"basic_wage": BIG}, "basic_wage"),
    ("workers/", {"start_date": None}, "start_date"),
    ("employments/", {"person": "nurse"}, "person"),
    ("employments/", {"person": 10**9}, "person"),
    ("employments/", {"basic_wage": 3.5}, "basic_wage"),
    ("employments/", {"occupation": "pilot"}, "occupation"),
    ("memberships/", {"programs": "JKK"}, "programs"),
    ("memberships/", {"programs": ["JKK", "XYZ"]}, "programs.1"),
    ("memberships/", {"segment": "ABC"}, "segment"),
    ("memberships/", {"payer_kind": None}, "payer_kind"),
    ("memberships/", {"declared_income": "much"}, "declared_income"),
    ("sponsors/", {"kind": "bank"}, "kind"),
    ("sponsors/", {"employer": -1}, "employer"),
    # rules: the services (InvalidInput)
    ("employers/", {"risk_class": 9}, "risk_class"),
    ("employers/", {"kbli": "107"}, "kbli"),
    ("employers/", {"npp": "NPP00001"}, "npp"),  # already registered
    ("employers/", {"region": "35"}, "region"),  # a province, not a regency
    ("persons/", {"nik": "3573010101010000"}, "nik"),
    ("persons/", {"birth_date": "2999-01-01"}, "birth_date"),
    ("persons/", {"address_region": "99.99"}, "address_region"),
    ("workers/", {"basic_wage": -1}, "basic_wage"),
    ("workers/", {"employer": 10**9}, "employer"),
    ("employments/", {"end_date": "2024-12-31"}, "end_date"),
    ("memberships/", {"programs": ["JKK", "JKM", "JP"]}, "programs"),  # JP is for wage earners
    ("memberships/", {"declared_income": None}, "declared_income"),
    ("memberships/", {"payer_kind": "sponsor"}, "sponsor"),
    ("sponsors/", {"region": "00.00"}, "region"),
]


@pytest.mark.parametrize(("endpoint", "changes", "field"), BAD_CASES)
def test_bad_create_is_400_naming_the_field_and_writes_nothing(world, endpoint, changes, field):
    client = api(world.admin)
    body = good_bodies(world)[endpoint]
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    before = counts()
    response = client.post(f"{V1}/{endpoint}", body, format="json")
    assert field in fields(response)
    assert counts() == before


@pytest.mark.parametrize(
    "endpoint", ["employers/", "persons/", "workers/", "employments/", "memberships/", "sponsors/"]
)
def test_good_bodies_are_good(world, endpoint):
    """The bodies the bad cases start from pass: each bad case fails for its own reason only."""
    response = api(world.admin).post(f"{V1}/{endpoint}", good_bodies(world)[endpoint], format="json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    "endpoint", ["employers/", "persons/", "workers/", "employments/", "memberships/", "sponsors/"]
)
def test_malformed_bodies(world, endpoint):
    client = api(world.admin)
    before = counts()
    broken = client.post(f"{V1}/{endpoint}", '{"name": ', content_type="application/json")
    assert fields(broken) == {"body"}
    a_list = client.post(f"{V1}/{endpoint}", "[1, 2]", content_type="application/json")
    assert fields(a_list) == {"non_field_errors"}
    empty = client.post(f"{V1}/{endpoint}", {}, format="json")
    required = fields(empty)
    assert len(required) >= 3  # every missing required field is named at once
    form = client.post(f"{V1}/{endpoint}", {"name": "x"})  # multipart: the API speaks JSON only
    assert form.status_code == 415
    assert counts() == before


PATCH_CASES = [
    ("persons", "nurse", {"sex": "X"}, "sex"),
    ("persons", "nurse", {"birth_date": 19900305}, "birth_date"),
    ("persons", "nurse", {"nik": "123"}, "nik"),
    ("persons", "nurse", {"nickname": "Ners"}, "nickname"),
    ("persons", "nurse", {"nik": None}, "nik"),  # null is not a NIK
    ("employers", "hospital", {"risk_class": 0}, "risk_class"),
    ("employers", "hospital", {"npp": "NPP00002"}, "npp"),
    ("employers", "hospital", {"facility_type": "spa"}, "facility_type"),
    ("employments", "nurse", {"end_date": "2019-12-31"}, "end_date"),
    ("employments", "nurse", {"basic_wage": "lots"}, "basic_wage"),
    ("employments", "nurse", {"person": 1}, "person"),  # the person of an employment cannot change
]


@pytest.mark.parametrize(("endpoint", "name", "body", "field"), PATCH_CASES)
def test_bad_partial_update_is_400_and_changes_nothing(world, endpoint, name, body, field):
    obj = {
        "persons": {"nurse": world.nurse},
        "employers": {"hospital": world.hospital},
        "employments": {"nurse": Employment.objects.filter(person=world.nurse).first()},
    }[endpoint][name]
    model = type(obj)
    before_row = model.objects.filter(pk=obj.pk).values().get()
    before = counts()
    response = api(world.admin).patch(f"{V1}/{endpoint}/{obj.pk}/", body, format="json")
    assert field in fields(response)
    assert model.objects.filter(pk=obj.pk).values().get() == before_row
    assert counts() == before


def test_bad_membership_end(world):
    client = api(world.admin)
    path = f"{V1}/memberships/{world.driver_membership.pk}/end/"
    assert fields(client.post(path, {}, format="json")) == {"end_date"}
    assert fields(client.post(path, {"end_date": "2020-01-01"}, format="json")) == {"end_date"}
    world.driver_membership.refresh_from_db()
    assert world.driver_membership.status == "active"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("employers/", {"size_class": "huge"}, "size_class"),
        ("employers/", {"facility_type": "spa"}, "facility_type"),
        ("memberships/", {"segment": "XX"}, "segment"),
        ("memberships/", {"status": "sleeping"}, "status"),
        ("employments/", {"person": "nurse"}, "person"),
        ("sponsors/", {"kind": "bank"}, "kind"),
        ("regions/", {"level": "province"}, "level"),
        ("persons/", {"name": "a\x00b"}, "name"),
    ],
)
def test_bad_filter_values_are_400(world, path, params, field):
    assert field in fields(api(world.admin).get(f"{V1}/{path}", params))


def test_odd_urls_and_methods_are_not_500(world):
    client = api(world.admin)
    for path in (
        "persons/99999999999999999999999/",
        "employers/0/",
        "persons/abc/",
        "regions/xx/",
        "persons/99999999999999999999999/memberships/",
    ):
        assert client.get(f"{V1}/{path}").status_code == 404, path
    big = client.get(f"{V1}/employments/", {"person": "1e400"})
    assert big.status_code in (200, 400)
    assert client.put(f"{V1}/persons/{world.nurse.pk}/", {}, format="json").status_code == 405
    assert client.delete(f"{V1}/persons/{world.nurse.pk}/").status_code == 405
    assert client.get(f"{V1}/workers/").status_code == 405
    assert client.post(f"{V1}/regions/", {}, format="json").status_code == 405
    # A cursor the list did not make is bad input naming `cursor` (issue 13).
    assert client.get(f"{V1}/persons/", {"cursor": "abc"}).status_code == 400


# --- robustness: random JSON at every write endpoint ---------------------------------------------

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=25)
    | st.dates(min_value=dt.date(1, 1, 1)).map(str)
)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def _mutated(base: dict[str, Any]) -> Any:
    """The good body with some keys dropped or replaced by random JSON, sometimes a stranger key."""
    replaced = st.fixed_dictionaries({}, optional={k: _json | st.just(v) for k, v in base.items()})
    extra = st.dictionaries(st.text(max_size=8), _json, max_size=2)
    return st.tuples(replaced, extra, st.sets(st.sampled_from(sorted(base)))).map(
        lambda t: {**{k: v for k, v in base.items() if k not in t[2]}, **t[0], **t[1]}
    )


@pytest.mark.parametrize(
    "endpoint", ["employers/", "persons/", "workers/", "employments/", "memberships/", "sponsors/"]
)
def test_random_bodies_never_crash(world, endpoint):
    client = api(world.branch_malang)
    base = good_bodies(world)[endpoint]

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(body=_mutated(base) | _json)
    def check(body: Any) -> None:
        response = client.post(f"{V1}/{endpoint}", json.dumps(body), content_type="application/json")
        assert response.status_code in (201, 400), (body, response.content)
        if response.status_code == 400:
            assert all(set(e) == {"field", "message"} for e in response.json()["errors"])

    check()


def test_random_filters_never_crash(world):
    client = api(world.agency_health_malang)
    names = ["npp", "name", "region", "size_class", "q", "nik", "person", "segment", "cursor", "page_size"]
    values = st.text(max_size=20) | st.integers().map(str)

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(
        path=st.sampled_from(["employers/", "persons/", "employments/", "memberships/", "sponsors/"]),
        params=st.dictionaries(st.sampled_from(names), values, max_size=4),
    )
    def check(path: str, params: dict[str, str]) -> None:
        response = client.get(f"{V1}/{path}", params)
        assert response.status_code in (200, 400, 404), (path, params, response.content)

    check()
