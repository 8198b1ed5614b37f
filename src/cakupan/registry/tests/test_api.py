"""The registry API end to end through DRF's test client: authentication, the happy paths of every
endpoint, pagination, filters, and the OpenAPI document and its docs page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cakupan.core.models import AuditEvent
from cakupan.registry import services
from cakupan.registry.models import Employer, Employment, Membership, Person, Sponsor
from cakupan.registry.nik import nik_compose

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The world's ten users cost seconds of PBKDF2 per test; password hashing is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def api(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def names(response: Any, key: str = "name") -> set[str]:
    assert response.status_code == 200, response.content
    return {row[key] for row in response.json()["results"]}


# --- authentication ------------------------------------------------------------------------------


def test_token_endpoint_issues_a_token_that_authenticates(world):
    anonymous = APIClient()
    response = anonymous.post(
        f"{V1}/auth/token/", {"username": "staf_malang", "password": "pw-staf_malang"}, format="json"
    )
    assert response.status_code == 200, response.content
    key = response.json()["token"]
    assert Token.objects.get(user=world.branch_malang).key == key
    again = anonymous.post(
        f"{V1}/auth/token/", {"username": "staf_malang", "password": "pw-staf_malang"}, format="json"
    )
    assert again.json()["token"] == key  # one token per user, not one per login

    anonymous.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert names(anonymous.get(f"{V1}/employers/")) == {"RS Contoh Sehat"}


def test_token_endpoint_refuses_wrong_password_and_inactive_user(world):
    client = APIClient()
    wrong = client.post(f"{V1}/auth/token/", {"username": "staf_malang", "password": "nope"}, format="json")
    assert wrong.status_code == 400
    assert [e["field"] for e in wrong.json()["errors"]] == ["non_field_errors"]
    world.hr_factory.is_active = False
    world.hr_factory.save()
    inactive = client.post(
        f"{V1}/auth/token/", {"username": "hr_pabrik", "password": "pw-hr_pabrik"}, format="json"
    )
    assert inactive.status_code == 400
    missing = client.post(f"{V1}/auth/token/", {"username": "staf_malang"}, format="json")
    assert missing.status_code == 400
    assert [e["field"] for e in missing.json()["errors"]] == ["password"]
    assert Token.objects.count() == 0


def test_session_auth_reads_and_writes_with_csrf(world):
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username="staf_malang", password="pw-staf_malang")
    assert names(client.get(f"{V1}/persons/"), "full_name") == {"Ners Contoh", "Pengemudi Contoh"}
    # A session write without the CSRF token is refused (a cookie alone must not be able to write).
    body = {"name": "RS Contoh Sehat Baru"}
    refused = client.patch(f"{V1}/employers/{world.hospital.pk}/", body, format="json")
    assert refused.status_code == 403
    assert Employer.objects.get(pk=world.hospital.pk).name == "RS Contoh Sehat"
    # The double-submit cookie a browser would hold (Django accepts any 32-character alphanumeric secret).
    secret = "k" * 32
    client.cookies["csrftoken"] = secret
    done = client.patch(f"{V1}/employers/{world.hospital.pk}/", body, format="json", HTTP_X_CSRFTOKEN=secret)
    assert done.status_code == 200, done.content
    assert Employer.objects.get(pk=world.hospital.pk).name == "RS Contoh Sehat Baru"


ENDPOINTS = [
    "employers/",
    "persons/",
    "employments/",
    "memberships/",
    "sponsors/",
    "regions/",
    "branch-offices/",
]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_anonymous_gets_401_everywhere(world, path):
    client = APIClient()
    assert client.get(f"{V1}/{path}").status_code == 401
    if path not in ("regions/", "branch-offices/"):
        assert client.post(f"{V1}/{path}", {}, format="json").status_code == 401
    assert client.post(f"{V1}/workers/", {}, format="json").status_code == 401
    bad_token = APIClient()
    bad_token.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert bad_token.get(f"{V1}/{path}").status_code == 401


# --- happy paths ---------------------------------------------------------------------------------


def test_employer_register_read_change(world):
    client = api(world.branch_malang)
    body = {
        "npp": "npp00077",
        "name": "  Klinik   Sumber Waras ",
        "legal_form": "CV",
        "size_class": "kecil",
        "kbli": "86103",
        "risk_class": 1,
        "region": "35.07.01",
        "facility_type": "klinik",
    }
    created = client.post(f"{V1}/employers/", body, format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["npp"] == "NPP00077"  # the service normalises
    assert data["name"] == "Klinik Sumber Waras"
    assert data["branch_office"] == world.malang.pk  # derived from the region by the service
    assert data["region"] == "35.07.01"
    assert data["region_name"]

    got = client.get(f"{V1}/employers/{data['id']}/")
    assert got.status_code == 200
    assert got.json() == data

    changed = client.patch(f"{V1}/employers/{data['id']}/", {"size_class": "menengah"}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["size_class"] == "menengah"
    assert changed.json()["name"] == "Klinik Sumber Waras"  # untouched fields stay
    actions = AuditEvent.objects.filter(entity="registry.employer", entity_id=str(data["id"]))
    assert sorted(actions.values_list("action", flat=True)) == ["create", "update"]


def test_person_register_read_change_with_nik_warning(world):
    client = api(world.admin)
    born = dt.date(1992, 4, 9)
    # The NIK encodes another birth day than the one recorded: accepted, with a warning (rules.md §11.1).
    nik = nik_compose(district_code="35.73.03", birth_date=dt.date(1992, 4, 10), sex="P", serial=7)
    body = {
        "nik": nik,
        "full_name": "Siti Contoh",
        "birth_date": born.isoformat(),
        "sex": "P",
        "address_region": "35.73.03",
    }
    created = client.post(f"{V1}/persons/", body, format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["nik"] == nik  # the national admin sees the NIK in full
    assert data["citizenship"] == "WNI"
    assert [w["code"] for w in data["nik_warnings"]] == ["birth_date_mismatch"]
    assert all(w["message"] for w in data["nik_warnings"])

    changed = client.patch(
        f"{V1}/persons/{data['id']}/", {"birth_date": "1992-04-10", "phone": "+62 812 0000"}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["nik_warnings"] == []  # the dates agree now
    assert changed.json()["phone"] == "+62 812 0000"
    assert client.get(f"{V1}/persons/{data['id']}/").json()["birth_date"] == "1992-04-10"


def test_worker_register_creates_person_and_employment(world):
    client = api(world.hr_hospital)
    nik = nik_compose(district_code="35.73.01", birth_date=dt.date(2000, 1, 2), sex="L", serial=9)
    body = {
        "nik": nik,
        "full_name": "Perawat Baru",
        "birth_date": "2000-01-02",
        "sex": "L",
        "address_region": "35.73.01",
        "employer": world.hospital.pk,
        "start_date": "2025-02-01",
        "basic_wage": 3_500_000,
        "fixed_allowance": 250_000,
        "occupation": "kesehatan",
    }
    response = client.post(f"{V1}/workers/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    person = Person.objects.get(nik=nik)
    assert data["person"]["id"] == person.pk
    assert data["employment"]["person"] == person.pk
    assert data["employment"]["employer"] == world.hospital.pk
    assert data["employment"]["monthly_wage"] == 3_750_000
    # HR now sees the new worker through its employer.
    assert "Perawat Baru" in names(client.get(f"{V1}/persons/"), "full_name")


def test_employment_start_change_and_nested_read(world):
    client = api(world.admin)
    body = {
        "person": world.driver.pk,
        "employer": world.factory.pk,
        "start_date": "2025-06-01",
        "basic_wage": 5_000_000,
    }
    created = client.post(f"{V1}/employments/", body, format="json")
    assert created.status_code == 201, created.content
    employment_id = created.json()["id"]
    assert created.json()["fixed_allowance"] == 0

    ended = client.patch(f"{V1}/employments/{employment_id}/", {"end_date": "2025-12-31"}, format="json")
    assert ended.status_code == 200, ended.content
    assert ended.json()["end_date"] == "2025-12-31"
    assert Employment.objects.get(pk=employment_id).end_date == dt.date(2025, 12, 31)

    nested = client.get(f"{V1}/persons/{world.driver.pk}/employments/")
    assert nested.status_code == 200
    assert [row["id"] for row in nested.json()["results"]] == [employment_id]
    assert names(client.get(f"{V1}/employments/", {"open": "true"}), "person_name") == {
        "Ners Contoh",
        "Operator Contoh",
    }


def test_membership_enrol_end_and_nested_read(world):
    client = api(world.admin)
    body = {
        "person": world.operator.pk,
        "segment": "PU",
        "programs": ["JKK", "JKM", "JHT"],
        "start_date": "2018-05-01",
        "payer_kind": "employer",
        "employer": world.factory.pk,
    }
    created = client.post(f"{V1}/memberships/", body, format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["programs"] == ["JKK", "JKM", "JHT"]
    assert len(data["kpj"]) == 11
    assert data["kpj"].isdigit()
    assert data["status"] == "active"
    membership = Membership.objects.get(pk=data["id"])
    assert (membership.jkk, membership.jkm, membership.jht, membership.jp) == (True, True, True, False)

    nested = client.get(f"{V1}/persons/{world.operator.pk}/memberships/")
    assert [row["kpj"] for row in nested.json()["results"]] == [data["kpj"]]

    ended = client.post(f"{V1}/memberships/{data['id']}/end/", {"end_date": "2024-12-31"}, format="json")
    assert ended.status_code == 200, ended.content
    assert ended.json()["status"] == "ended"
    assert ended.json()["end_date"] == "2024-12-31"


def test_bpu_membership_through_sponsor(world):
    client = api(world.branch_malang)
    body = {
        "person": world.nurse.pk,
        "segment": "BPU",
        "programs": ["JKK", "JKM"],
        "start_date": "2025-01-01",
        "payer_kind": "sponsor",
        "sponsor": world.sponsor.pk,
        "declared_income": 1_500_000,
        "bpu_sector": "other",
    }
    created = client.post(f"{V1}/memberships/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["sponsor"] == world.sponsor.pk
    assert created.json()["declared_income"] == 1_500_000


def test_sponsor_register_and_read(world):
    client = api(world.admin)
    body = {"name": "APBD Kabupaten Malang", "kind": "apbd", "region": "35.07"}
    created = client.post(f"{V1}/sponsors/", body, format="json")
    assert created.status_code == 201, created.content
    sponsor_id = created.json()["id"]
    assert client.get(f"{V1}/sponsors/{sponsor_id}/").json()["name"] == "APBD Kabupaten Malang"
    assert names(client.get(f"{V1}/sponsors/", {"kind": "apbd"})) == {"APBD Kabupaten Malang"}
    assert names(client.get(f"{V1}/sponsors/", {"region": "35.73"})) == {"CSR RS Contoh Sehat"}
    assert Sponsor.objects.count() == 2


# --- reference data ------------------------------------------------------------------------------


def test_regions_filters_and_lookup(world):
    client = api(world.worker_user)  # reference data: any signed-in user
    provinces = client.get(f"{V1}/regions/", {"level": 1, "page_size": 100}).json()
    assert provinces["count"] == 38
    assert {r["level"] for r in provinces["results"]} == {1}
    regencies = client.get(f"{V1}/regions/", {"parent": "35", "page_size": "100"}).json()
    assert "35.73" in {r["code"] for r in regencies["results"]}
    assert all(r["parent"] == "35" and r["level"] == 2 for r in regencies["results"])
    under = client.get(f"{V1}/regions/", {"code": "35.73", "page_size": "100"}).json()
    codes = {r["code"] for r in under["results"]}
    assert "35.73" in codes
    assert "35.73.01" in codes
    assert all(c == "35.73" or c.startswith("35.73.") for c in codes)
    one = client.get(f"{V1}/regions/35.73/")
    assert one.status_code == 200
    assert one.json()["kind"] == "kota"
    assert client.get(f"{V1}/regions/99.99/").status_code == 404
    assert client.get(f"{V1}/regions/", {"level": 7}).status_code == 400


def test_branch_offices_list_and_serves_filter(world):
    client = api(world.hr_factory)
    all_offices = client.get(f"{V1}/branch-offices/").json()["results"]
    assert {o["code"] for o in all_offices} == {"MLG", "BKC"}
    malang = next(o for o in all_offices if o["code"] == "MLG")
    assert malang["regions"] == ["35.07", "35.73"]
    assert names(client.get(f"{V1}/branch-offices/", {"serves": "32.16"})) == {
        "Kantor Cabang Bekasi Cikarang"
    }
    assert client.get(f"{V1}/branch-offices/{world.malang.pk}/").json()["code"] == "MLG"


# --- pagination and filters ----------------------------------------------------------------------


def test_pagination(world):
    """Keyset pages: `next` and `previous` links carry an opaque cursor, `count` is bounded."""
    client = api(world.admin)
    first = client.get(f"{V1}/persons/", {"page_size": 2}).json()
    assert (first["count"], first["count_exact"]) == (3, True)
    assert len(first["results"]) == 2
    assert first["previous"] is None
    assert "cursor=" in first["next"]
    assert "page_size=2" in first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1
    assert second["next"] is None
    seen = [p["full_name"] for p in first["results"] + second["results"]]
    assert seen == sorted(seen)  # stable order (by name) across pages
    assert len(set(seen)) == 3
    back = client.get(second["previous"]).json()
    assert back["results"] == first["results"]
    assert back["previous"] is None


def test_employer_filters(world):
    client = api(world.admin)
    assert names(client.get(f"{V1}/employers/", {"npp": "npp00002"})) == {"PT Pabrik Contoh"}
    assert names(client.get(f"{V1}/employers/", {"name": "contoh"})) == {
        "RS Contoh Sehat",
        "PT Pabrik Contoh",
    }
    assert names(client.get(f"{V1}/employers/", {"region": "35"})) == {"RS Contoh Sehat"}
    assert names(client.get(f"{V1}/employers/", {"region": "32.16.01"})) == {"PT Pabrik Contoh"}
    assert names(client.get(f"{V1}/employers/", {"region": "3"})) == set()  # a prefix of whole codes only
    assert names(client.get(f"{V1}/employers/", {"size_class": "besar"})) == {"PT Pabrik Contoh"}
    assert names(client.get(f"{V1}/employers/", {"facility_type": "rumah_sakit"})) == {"RS Contoh Sehat"}
    assert names(client.get(f"{V1}/employers/", {"q": "NPP00001"})) == {"RS Contoh Sehat"}
    assert names(client.get(f"{V1}/employers/", {"q": "pabrik"})) == {"PT Pabrik Contoh"}
    both = client.get(f"{V1}/employers/", {"name": "contoh", "size_class": "menengah"})
    assert names(both) == {"RS Contoh Sehat"}


def test_person_filters_and_search(world):
    client = api(world.admin)
    assert names(client.get(f"{V1}/persons/", {"nik": world.operator.nik}), "full_name") == {
        "Operator Contoh"
    }
    assert names(client.get(f"{V1}/persons/", {"name": "ners"}), "full_name") == {"Ners Contoh"}
    assert names(client.get(f"{V1}/persons/", {"region": "35.73"}), "full_name") == {
        "Ners Contoh",
        "Pengemudi Contoh",
    }
    assert names(client.get(f"{V1}/persons/", {"q": world.nurse.nik}), "full_name") == {"Ners Contoh"}
    kpj = world.driver_membership.kpj
    assert names(client.get(f"{V1}/persons/", {"q": kpj}), "full_name") == {"Pengemudi Contoh"}
    assert names(client.get(f"{V1}/persons/", {"q": "operator"}), "full_name") == {"Operator Contoh"}


def test_membership_and_employment_filters(world):
    client = api(world.admin)
    assert {m["kpj"] for m in client.get(f"{V1}/memberships/", {"segment": "BPU"}).json()["results"]} == {
        world.driver_membership.kpj
    }
    by_employer = client.get(f"{V1}/memberships/", {"employer": world.hospital.pk}).json()["results"]
    assert [m["person"] for m in by_employer] == [world.nurse.pk]
    by_person = client.get(f"{V1}/employments/", {"person": world.operator.pk}).json()["results"]
    assert [e["employer"] for e in by_person] == [world.factory.pk]


# --- the OpenAPI document ------------------------------------------------------------------------


def test_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in ("/api/v1/persons/{id}/memberships/", "/api/v1/workers/", "/api/v1/auth/token/"):
        assert path in text


def test_docs_page_uses_local_assets(client, world):
    client.force_login(world.branch_malang)  # schema and docs are behind sign-in (accounts tests)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    for cdn in ("cdn.jsdelivr", "unpkg.com", "cdnjs", "googleapis"):
        assert cdn not in html
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/v1/employers/" in schema.json()["paths"]


def test_docs_assets_are_served_locally(client, world):
    client.force_login(world.branch_malang)
    html = client.get("/api/docs/").content.decode()
    start = html.index("/static/drf_spectacular_sidecar/swagger-ui-dist/")
    asset = html[start : html.index('"', start)]
    assert client.get(asset).status_code == 200


def _queries(client: APIClient, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_list_queries_do_not_grow_with_rows(world):
    client = api(world.branch_malang)
    paths = [f"{V1}/{p}/" for p in ("employers", "persons", "employments", "memberships", "sponsors")]
    paths += [f"{V1}/branch-offices/", f"{V1}/persons/{world.nurse.pk}/employments/"]
    before = {path: _queries(client, path) for path in paths}
    for serial in range(10, 14):  # four more employers, persons, employments and memberships in scope
        employer = services.employer_register(
            actor=world.admin,
            npp=f"NPP100{serial}",
            name=f"Klinik {serial}",
            legal_form="CV",
            size_class="kecil",
            kbli="86103",
            risk_class=1,
            region="35.73.01",
        )
        born = dt.date(1980, 1, serial)
        nik = nik_compose(district_code="35.73.01", birth_date=born, sex="L", serial=serial)
        person = services.person_register(
            actor=world.admin,
            nik=nik,
            full_name=f"Orang {serial}",
            birth_date=born,
            sex="L",
            address_region="35.73.01",
        )
        services.employment_start(
            actor=world.admin,
            person=person,
            employer=employer,
            start_date=dt.date(2024, 1, 1),
            basic_wage=3_000_000,
        )
        services.employment_start(
            actor=world.admin,
            person=world.nurse,
            employer=employer,
            start_date=dt.date(2024, 1, 1),
            basic_wage=1_000_000,
        )
        services.membership_enrol(
            actor=world.admin,
            person=person,
            segment="PU",
            programs=["JKK", "JKM"],
            start_date=dt.date(2024, 1, 1),
            payer_kind="employer",
            employer=employer,
        )
        services.sponsor_register(actor=world.admin, name=f"Donatur {serial}", kind="donor", region="35.73")
    after = {path: _queries(client, path) for path in paths}
    assert after == before
    assert client.get(f"{V1}/persons/").json()["count"] == 2 + 4


def test_jakon_and_pmi_contracts_through_the_api(world):
    """Billing bills Jakon and PMI from their contract (rules.md §3.1-3.2): the API takes and shows it, and
    the service's segment checks answer at the field."""
    from cakupan.contributions.tests.factories import person_make

    client = api(world.admin)
    jakon = {
        "person": person_make(world.admin, 71).pk,
        "segment": "JAKON",
        "programs": ["JKK", "JKM"],
        "start_date": "2024-05-01",
        "payer_kind": "employer",
        "employer": world.factory.pk,
        "contract_value": 250_000_000,
    }
    created = client.post(f"{V1}/memberships/", jakon, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["contract_value"] == 250_000_000
    pmi = {
        "person": person_make(world.admin, 72).pk,
        "segment": "PMI",
        "programs": ["JKK", "JKM", "JHT"],
        "start_date": "2024-05-01",
        "payer_kind": "self",
        "contract_months": 24,
        "pmi_jht_amount": 100_000,
        "pmi_individual": True,
    }
    created = client.post(f"{V1}/memberships/", pmi, format="json")
    assert created.status_code == 201, created.content
    shown = created.json()
    assert (shown["contract_months"], shown["pmi_jht_amount"], shown["pmi_individual"]) == (24, 100_000, True)
    # A contract value on a PMI membership is another segment's field: refused there, nothing written.
    person = person_make(world.admin, 73)
    wrong = {**pmi, "person": person.pk, "contract_value": 5}
    refused = client.post(f"{V1}/memberships/", wrong, format="json")
    assert refused.status_code == 400
    assert "contract_value" in {e["field"] for e in refused.json()["errors"]}
    assert not Membership.objects.filter(person=person).exists()
