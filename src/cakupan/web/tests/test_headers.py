"""Response headers that protect personal data: Content-Security-Policy on pages (and pages that keep to
it), `Cache-Control: no-store` on everything personal, and the API schema and docs behind sign-in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings

from cakupan.web.middleware import PrivateResponseMiddleware

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle=", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style\b", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+=", re.IGNORECASE)
NAV_LINK = re.compile(r'href="(/[^"#?]*)"')


def no_store(response: Any) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def policy(response: Any) -> dict[str, list[str]]:
    out = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def test_pages_carry_a_strict_policy(client: Client) -> None:
    directives = policy(client.get("/login/"))
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


def pages_of(client: Client) -> list[str]:
    """The pages the user's menu links to (whatever the role may open)."""
    home = client.get("/").content.decode()
    links = {"/", *NAV_LINK.findall(home)}
    return sorted(p for p in links if not p.startswith(("/static/", "/logout", "/i18n/", "/admin/")))


def test_pages_of_every_role_keep_to_the_policy(world: Any) -> None:
    """What the browser test proves in Chromium, checked on the markup of every menu page of six roles:
    no inline script, no style attribute or block, no event handler attribute."""
    seen = 0
    users = [
        world.admin,
        world.branch_malang,
        world.agency_health_malang,
        world.hr_hospital,
        world.sponsor_user,
        world.worker_user,
    ]
    for user in users:
        client = Client()
        client.force_login(user)
        for path in pages_of(client):
            response = client.get(path)
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            html = response.content.decode()
            for pattern in (INLINE_SCRIPT, STYLE_ATTRIBUTE, STYLE_BLOCK, HANDLER_ATTRIBUTE):
                assert not pattern.search(html), (user.username, path, pattern.search(html))
            assert "Content-Security-Policy" in response
            seen += 1
    anonymous = Client()
    for path in ("/login/", "/benefits/simulator/"):
        html = anonymous.get(path).content.decode()
        assert not INLINE_SCRIPT.search(html), path
        assert not STYLE_ATTRIBUTE.search(html), path
    assert seen >= 30  # the menus were really walked


def test_signed_in_pages_and_the_api_are_not_stored(world: Any) -> None:
    client = Client()
    client.force_login(world.branch_malang)
    assert no_store(client.get("/"))
    assert no_store(client.get("/employers/"))
    assert no_store(client.get("/api/v1/persons/"))
    # An API answer to nobody is not stored either (it may still be an error about a person).
    assert no_store(Client().get("/api/v1/persons/"))


def test_downloads_are_not_stored_even_for_anonymous_users() -> None:
    request = RequestFactory().get("/benefits/simulator.pdf")
    request.user = AnonymousUser()

    def download(_: Any) -> HttpResponse:
        response = HttpResponse(b"%PDF-", content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="simulasi-manfaat.pdf"'
        return response

    assert no_store(PrivateResponseMiddleware(download)(request))
    page = PrivateResponseMiddleware(lambda _: HttpResponse("public"))(request)
    assert "Cache-Control" not in page


def test_a_signed_in_export_is_not_stored(world: Any) -> None:
    client = Client()
    client.force_login(world.admin)
    response = client.get("/compliance/export.xlsx")
    assert response.status_code == 200
    assert response.has_header("Content-Disposition")
    assert no_store(response)


def test_public_pages_and_static_files_keep_their_caching(client: Client) -> None:
    assert not no_store(client.get("/benefits/simulator/"))
    static = client.get("/static/web/site.css")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")
    assert "Content-Security-Policy" not in static


def test_api_schema_and_docs_need_sign_in(world: Any) -> None:
    anonymous = Client()
    response = anonymous.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert response.json()["errors"]
    docs = anonymous.get("/api/docs/")
    assert docs.status_code == 302
    assert docs["Location"].startswith("/login/?next=/api/docs/")
    assert anonymous.get("/api/redoc/").status_code == 302

    client = Client()
    client.force_login(world.worker_user)
    assert client.get("/api/schema/").status_code == 200
    page = client.get("/api/docs/")
    assert page.status_code == 200
    # The docs page relaxes the policy for its own inline styles only; no inline script on it.
    assert "'unsafe-inline'" in policy(page)["style-src"]
    assert policy(page)["script-src"] == ["'self'"]
    assert not INLINE_SCRIPT.search(page.content.decode())


@override_settings(CAKUPAN_PUBLIC_API_DOCS=True)
def test_api_schema_and_docs_can_be_made_public(client: Client) -> None:
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
