"""Scope through the API: for every role of the world fixture, on every registry endpoint, what the role
sees, what it does not (lists leave it out, reads by id answer 404), and which writes it may make."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cakupan.accounts.scope import mask_nik
from cakupan.core.models import AuditEvent
from cakupan.registry.models import Employer, Employment, Membership, Person, Sponsor
from cakupan.registry.nik import nik_compose

pytestmark = pytest.mark.django_db
V1 = "/api/v1"

ROLES = [
    "admin",
    "branch_malang",
    "branch_bekasi",
    "agency_health_malang",
    "agency_labour_bekasi",
    "hr_hospital",
    "hr_factory",
    "sponsor_user",
    "worker_user",
]

# What each role should see, by name (employers, persons, sponsors) or by person (employments,
# memberships). The world: the nurse works at the hospital (Kota Malang) with a PU membership; the
# operator works at the factory (Kab. Bekasi); the driver lives in Kota Malang with a BPU membership
# paid by the hospital's CSR sponsor; the worker user is the nurse.
VISIBLE: dict[str, dict[str, set[str] | None]] = {
    "admin": {
        "employers": {"hospital", "factory"},
        "persons": {"nurse", "operator", "driver"},
        "employments": {"nurse", "operator"},
        "memberships": {"nurse", "driver"},
        "sponsors": {"sponsor"},
    },
    "branch_malang": {
        "employers": {"hospital"},
        "persons": {"nurse", "driver"},
        "employments": {"nurse"},
        "memberships": {"nurse", "driver"},
        "sponsors": {"sponsor"},
    },
    "branch_bekasi": {
        "employers": {"factory"},
        "persons": {"operator"},
        "employments": {"operator"},
        "memberships": set(),
        "sponsors": set(),
    },
    "agency_health_malang": {  # health facilities of Kota Malang and their workers only
        "employers": {"hospital"},
        "persons": {"nurse"},
        "employments": {"nurse"},
        "memberships": {"nurse"},
        "sponsors": {"sponsor"},
    },
    "agency_labour_bekasi": {
        "employers": {"factory"},
        "persons": {"operator"},
        "employments": {"operator"},
        "memberships": set(),
        "sponsors": set(),
    },
    "hr_hospital": {
        "employers": {"hospital"},
        "persons": {"nurse"},
        "employments": {"nurse"},
        "memberships": {"nurse"},
        "sponsors": set(),
    },
    "hr_factory": {
        "employers": {"factory"},
        "persons": {"operator"},
        "employments": {"operator"},
        "memberships": set(),
        "sponsors": set(),
    },
    "sponsor_user": {  # None: a list the role may not read at all (403, as the matching page)
        "employers": None,
        "persons": {"driver"},
        "employments": None,
        "memberships": {"driver"},
        "sponsors": {"sponsor"},
    },
    "worker_user": {
        "employers": None,
        "persons": {"nurse"},
        "employments": {"nurse"},
        "memberships": {"nurse"},
        "sponsors": set(),
    },
}


def visible(role: str, endpoint: str) -> set[str]:
    """What the role sees of a list (nothing of one it may not read)."""
    return VISIBLE[role][endpoint] or set()


WRITES_REGISTRY = {"admin", "branch_malang", "branch_bekasi", "hr_hospital", "hr_factory"}
WRITES_EMPLOYERS = {"admin", "branch_malang", "branch_bekasi"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The world's ten users cost seconds of PBKDF2 per test; password hashing is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def api(user: Any) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def objects(world: Any) -> dict[str, dict[str, Any]]:
    """Every registry object of the world by endpoint and name."""
    return {
        "employers": {"hospital": world.hospital, "factory": world.factory},
        "persons": {"nurse": world.nurse, "operator": world.operator, "driver": world.driver},
        "employments": {
            "nurse": Employment.objects.get(person=world.nurse),
            "operator": Employment.objects.get(person=world.operator),
        },
        "memberships": {
            "nurse": Membership.objects.get(person=world.nurse),
            "driver": world.driver_membership,
        },
        "sponsors": {"sponsor": world.sponsor},
    }


def counts() -> tuple[int, ...]:
    return (
        Employer.objects.count(),
        Person.objects.count(),
        Employment.objects.count(),
        Membership.objects.count(),
        Sponsor.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("role", ROLES)
def test_lists_and_reads_follow_scope(world, role):
    client = api(getattr(world, role))
    everything = objects(world)
    for endpoint, expected in VISIBLE[role].items():
        if expected is None:
            assert client.get(f"{V1}/{endpoint}/").status_code == 403, (role, endpoint)
            for obj in everything[endpoint].values():
                assert client.get(f"{V1}/{endpoint}/{obj.pk}/").status_code == 403, (role, endpoint)
            continue
        by_id = {obj.pk: name for name, obj in everything[endpoint].items()}
        response = client.get(f"{V1}/{endpoint}/")
        assert response.status_code == 200, (endpoint, response.content)
        listed = {by_id[row["id"]] for row in response.json()["results"]}
        assert listed == expected, (role, endpoint)
        assert response.json()["count"] == len(expected)
        for name, obj in everything[endpoint].items():
            status = client.get(f"{V1}/{endpoint}/{obj.pk}/").status_code
            assert status == (200 if name in expected else 404), (role, endpoint, name)


@pytest.mark.parametrize("role", ROLES)
def test_nested_reads_follow_scope(world, role):
    client = api(getattr(world, role))
    everything = objects(world)
    for name, person in everything["persons"].items():
        for nested in ("employments", "memberships"):
            response = client.get(f"{V1}/persons/{person.pk}/{nested}/")
            if name not in visible(role, "persons"):
                assert response.status_code == 404, (role, name, nested)
                continue
            assert response.status_code == 200
            ids = {row["id"] for row in response.json()["results"]}
            expected = {
                obj.pk
                for key, obj in everything[nested].items()
                if key == name and key in visible(role, nested)
            }
            assert ids == expected, (role, name, nested)


@pytest.mark.parametrize("role", ROLES)
def test_nik_is_masked_for_sponsors_only(world, role):
    client = api(getattr(world, role))
    rows = client.get(f"{V1}/persons/").json()["results"]
    assert rows
    real = {p.pk: p.nik for p in Person.objects.all()}
    for row in rows:
        expected = mask_nik(real[row["id"]]) if role == "sponsor_user" else real[row["id"]]
        assert row["nik"] == expected
        assert client.get(f"{V1}/persons/{row['id']}/").json()["nik"] == expected
    if role == "sponsor_user":
        assert rows[0]["nik"] != world.driver.nik
        assert "*" in rows[0]["nik"]


@pytest.mark.parametrize("role", ROLES)
def test_updates_follow_role_and_scope(world, role):
    """Read-only roles: 403 on everything. Writing roles: 404 outside their scope, 200 inside."""
    client = api(getattr(world, role))
    everything = objects(world)
    patches = {
        "employers": ({"name": "Nama Baru"}, WRITES_EMPLOYERS),
        "persons": ({"phone": "0811"}, WRITES_REGISTRY),
        "employments": ({"fixed_allowance": 1}, WRITES_REGISTRY),
    }
    for endpoint, (body, writers) in patches.items():
        for name, obj in everything[endpoint].items():
            before = counts()
            response = client.patch(f"{V1}/{endpoint}/{obj.pk}/", body, format="json")
            if role not in writers:
                assert response.status_code == 403, (role, endpoint, name)
                assert counts() == before
            elif name not in visible(role, endpoint):
                assert response.status_code == 404, (role, endpoint, name)
                assert counts() == before
            else:
                assert response.status_code == 200, (role, endpoint, name, response.content)
    for name, obj in everything["memberships"].items():
        response = client.post(f"{V1}/memberships/{obj.pk}/end/", {"end_date": "2026-01-31"}, format="json")
        if role not in WRITES_REGISTRY:
            assert response.status_code == 403
        elif name not in visible(role, "memberships"):
            assert response.status_code == 404
        else:
            assert response.status_code == 200, response.content


def _new_person_body(serial: int) -> dict[str, Any]:
    nik = nik_compose(district_code="35.73.01", birth_date=dt.date(1999, 9, 9), sex="L", serial=serial)
    return {
        "nik": nik,
        "full_name": f"Orang Baru {serial}",
        "birth_date": "1999-09-09",
        "sex": "L",
        "address_region": "35.73.01",
    }


@pytest.mark.parametrize("role", sorted(set(ROLES) - WRITES_REGISTRY))
def test_read_only_roles_cannot_create_anything(world, role):
    client = api(getattr(world, role))
    before = counts()
    bodies = {
        "persons/": _new_person_body(50),
        "workers/": {
            **_new_person_body(51),
            "employer": world.hospital.pk,
            "start_date": "2025-01-01",
            "basic_wage": 3_000_000,
        },
        "employments/": {
            "person": world.nurse.pk,
            "employer": world.factory.pk,
            "start_date": "2025-01-01",
            "basic_wage": 3_000_000,
        },
        "memberships/": {
            "person": world.nurse.pk,
            "segment": "PMI",
            "programs": ["JKK", "JKM"],
            "start_date": "2025-01-01",
            "payer_kind": "self",
        },
        "employers/": {"npp": "X1", "name": "X", "legal_form": "PT", "size_class": "kecil", "kbli": "10750"},
        "sponsors/": {"name": "X", "kind": "donor", "region": "35.73"},
    }
    for path, body in bodies.items():
        response = client.post(f"{V1}/{path}", body, format="json")
        assert response.status_code == 403, (role, path)
        assert response.json()["errors"][0]["message"]
    assert counts() == before


@pytest.mark.parametrize("role", ["hr_hospital", "hr_factory"])
def test_employer_hr_may_not_register_employers_or_sponsors(world, role):
    client = api(getattr(world, role))
    before = counts()
    body = {"name": "CSR Lain", "kind": "csr", "region": "35.73"}
    assert client.post(f"{V1}/sponsors/", body, format="json").status_code == 403
    employer = {
        "npp": "NPP09",
        "name": "PT Lain",
        "legal_form": "PT",
        "size_class": "kecil",
        "kbli": "10750",
        "risk_class": 2,
        "region": "35.73.01",
    }
    assert client.post(f"{V1}/employers/", employer, format="json").status_code == 403
    assert counts() == before


def test_employer_hr_acts_only_for_its_own_employer(world):
    client = api(world.hr_hospital)
    before = counts()
    # A new worker for another employer: the service refuses the employer, nothing is written.
    body = {
        **_new_person_body(60),
        "employer": world.factory.pk,
        "start_date": "2025-01-01",
        "basic_wage": 3_000_000,
    }
    response = client.post(f"{V1}/workers/", body, format="json")
    assert response.status_code == 400
    assert "employer" in {e["field"] for e in response.json()["errors"]}
    # A person HR does not employ is "not found" to it, so it cannot enrol or employ them.
    membership = {
        "person": world.operator.pk,
        "segment": "PU",
        "programs": ["JKK", "JKM"],
        "start_date": "2025-01-01",
        "payer_kind": "employer",
        "employer": world.hospital.pk,
    }
    response = client.post(f"{V1}/memberships/", membership, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["person"]
    employment = {
        "person": world.driver.pk,
        "employer": world.hospital.pk,
        "start_date": "2025-01-01",
        "basic_wage": 3_000_000,
    }
    response = client.post(f"{V1}/employments/", employment, format="json")
    assert [e["field"] for e in response.json()["errors"]] == ["person"]
    assert counts() == before


def test_branch_staff_files_employers_only_in_its_area(world):
    client = api(world.branch_malang)
    before = counts()
    body = {
        "npp": "NPP00099",
        "name": "PT Di Bekasi",
        "legal_form": "PT",
        "size_class": "kecil",
        "kbli": "10750",
        "risk_class": 2,
        "region": "32.16.01",
    }
    response = client.post(f"{V1}/employers/", body, format="json")
    assert response.status_code == 400
    assert "region" in {e["field"] for e in response.json()["errors"]}
    assert counts() == before


def test_worker_sees_only_their_own_record(world):
    client = api(world.worker_user)
    persons = client.get(f"{V1}/persons/").json()["results"]
    assert [p["id"] for p in persons] == [world.nurse.pk]
    assert persons[0]["nik"] == world.nurse.nik  # their own NIK, in full
    # Searching cannot reach beyond the own record.
    assert client.get(f"{V1}/persons/", {"q": world.driver.nik}).json()["count"] == 0
    assert client.get(f"{V1}/persons/", {"nik": world.operator.nik}).json()["count"] == 0
    assert client.get(f"{V1}/memberships/", {"kpj": world.driver_membership.kpj}).json()["count"] == 0


def test_filters_never_widen_scope(world):
    client = api(world.branch_bekasi)
    assert client.get(f"{V1}/employers/", {"q": "NPP00001"}).json()["count"] == 0
    assert client.get(f"{V1}/employers/", {"region": "35"}).json()["count"] == 0
    assert client.get(f"{V1}/persons/", {"region": "35.73"}).json()["count"] == 0
    assert client.get(f"{V1}/employments/", {"employer": world.hospital.pk}).json()["count"] == 0
    assert client.get(f"{V1}/memberships/", {"sponsor": world.sponsor.pk}).json()["count"] == 0
