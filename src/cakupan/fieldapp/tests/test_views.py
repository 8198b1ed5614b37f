"""The field app's pages and JSON: only agents open the shell and its data (others 403, anonymous users
to the sign-in page); the reference data is the agent's own (districts of their regencies, sponsors with
room for a member); the region codes are the server's; the manifest and the service worker are public."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cakupan.fieldapp.reference import region_codes_payload
from cakupan.fieldapp.views import STATIC_FILES
from cakupan.regions.codes import region_codes
from cakupan.regions.models import Region

pytestmark = pytest.mark.django_db

AGENT_ONLY = ["fieldapp:shell", "fieldapp:reference", "fieldapp:region_codes", "fieldapp:session"]
OTHERS = [
    "admin",
    "branch_malang",
    "agency_health_malang",
    "hr_hospital",
    "sponsor_user",
    "worker_user",
]


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", AGENT_ONLY)
@pytest.mark.parametrize("other", OTHERS)
def test_no_other_role_opens_the_field_app(world: Any, name: str, other: str) -> None:
    assert signed_in(getattr(world, other)).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", AGENT_ONLY)
def test_anonymous_users_are_sent_to_sign_in(name: str) -> None:
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_agent_gets_the_shell_in_indonesian(agent: Any) -> None:
    page = signed_in(agent).get(reverse("fieldapp:shell")).content.decode()
    assert "Daftarkan pekerja" in page
    assert "Setoran tunai" in page
    assert "Antrean" in page
    assert 'rel="manifest"' in page
    assert reverse("fieldapp:manifest") in page
    config = json.loads(page.split('id="fieldapp-config" type="application/json">')[1].split("</script>")[0])
    assert config["sync"] == "/api/v1/field/batches/"
    assert config["scope"] == "/lapangan/"


def test_and_in_english_when_chosen(agent: Any) -> None:
    client = signed_in(agent)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("fieldapp:shell")).content.decode()
    assert "Enrol a worker" in page
    assert "Cash collection" in page


def test_the_reference_data_is_the_agents_own(world: Any, agent: Any) -> None:
    data = signed_in(agent).get(reverse("fieldapp:reference")).json()
    districts = [d["value"] for d in data["districts"]]
    expected = Region.objects.filter(parent_id="35.07", level=Region.Level.DISTRICT).count()
    assert len(districts) == expected > 0
    assert all(
        code.startswith("35.07.") for code in districts
    )  # not Kota Malang, which the office serves too
    assert [p["value"] for p in data["programs"]] == ["JKK", "JKM", "JHT"]
    assert [p["value"] for p in data["programs"] if p["required"]] == ["JKK", "JKM"]
    assert data["nik_messages"]["month"].startswith("Bulan")  # the server's words, in Indonesian
    # The world's sponsor (Kota Malang, no funded period) has no room: not offered.
    assert data["sponsors"] == []


def test_region_codes_are_the_servers(agent: Any) -> None:
    data = signed_in(agent).get(reverse("fieldapp:region_codes")).json()
    codes = region_codes()
    assert data == region_codes_payload()
    assert set(data["provinces"]) == set(codes.provinces)
    assert "35.07" in data["regencies"]
    assert "35.07.01" not in data["regencies"]
    assert data["legacy"]["91.01"] == "93.01"


def test_the_session_gives_a_csrf_token(agent: Any) -> None:
    data = signed_in(agent).get(reverse("fieldapp:session")).json()
    assert len(data["csrf_token"]) == 64
    assert data["agent"] == agent.username


def test_manifest_names_the_app_and_its_icons() -> None:
    response = Client().get(reverse("fieldapp:manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    body = response.json()
    assert body["name"] == "Cakupan Lapangan"
    assert body["scope"] == body["start_url"] == "/lapangan/"
    assert {i["sizes"] for i in body["icons"]} == {"192x192", "512x512"}
    for icon in body["icons"]:
        assert Client().get(icon["src"]).status_code == 200


def test_service_worker_lists_what_it_keeps() -> None:
    response = Client().get(reverse("fieldapp:sw"))
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/lapangan/"
    script = response.content.decode()
    config = json.loads(script.split("const CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert config["shell"] == "/lapangan/"
    assert config["data"] == ["/lapangan/reference.json", "/lapangan/region-codes.json"]
    assert len(config["static"]) == len(STATIC_FILES)
    for url in config["static"]:
        assert Client().get(url).status_code == 200, url
    assert 'addEventListener("fetch"' in script


def shell_json(user: Any, name: str) -> dict[str, Any]:
    page = signed_in(user).get(reverse("fieldapp:shell")).content.decode()
    script = page.split(f'id="fieldapp-{name}" type="application/json">')[1].split("</script>")[0]
    return dict(json.loads(script))


def shell_config(user: Any) -> dict[str, Any]:
    return shell_json(user, "config")


@pytest.mark.parametrize("status", ["approved", "registered", "suspended"])
def test_the_shell_and_the_reference_data_carry_the_agents_approval(world: Any, status: str) -> None:
    """The phone tells a registered or suspended agent so (online from the shell, offline from the
    reference data it keeps) instead of offering forms the sync refuses."""
    from cakupan.fieldapp.tests.agents import make_agent

    user = make_agent(world, username=f"agen_{status}", status=status)
    assert shell_config(user)["agentStatus"] == status
    assert signed_in(user).get(reverse("fieldapp:reference")).json()["agent_status"] == status


def test_the_words_for_an_unapproved_or_suspended_agent_are_indonesian(agent: Any) -> None:
    strings = shell_json(agent, "strings")
    assert strings["not_approved"].startswith("Akun agen Anda belum disetujui kantor cabang")
    assert strings["suspended"].startswith("Akun agen Anda ditangguhkan")
    assert strings["unsent"] == "{n} pendaftaran/setoran belum terkirim."
    assert shell_config(agent)["logout"] == reverse("logout")
