"""Every page names the permission it needs (accounts.access.permission_required), and the menu shows a
link exactly when its page would let the user in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from cakupan.accounts.models import Role
from cakupan.accounts.permissions import may
from cakupan.accounts.scope import Scope
from cakupan.web.nav import MENU, menu_for

# Pages open to every signed-in user (or to anyone), and why they need no permission.
OPEN_PAGES = {
    "home": "each role's own home page",
    "region_options": "regions are public reference data (Kepmendagri)",
    "employer_options": "suggestions from the employers the selector lets the user see",
    "login": "signing in",
    "logout": "signing out",
    "benefits:notifications": "one's own notifications",
    "benefits:simulator": "public: no personal data (benefits/simulator.py)",
    "benefits:simulator_pdf": "public: no personal data (benefits/simulator.py)",
    "cards:verify": "public: initials, KPJ and status only, after the token's signature (cards/selectors.py)",
    "cards:verify_empty": "public: the same calm page for a missing token",
    "outreach:signup": "public: an event's QR sign-up; asks for data, shows none back (outreach/views.py)",
    "healthz": "the process is up: no data (core/health.py)",
    "readyz": "readiness for a load balancer: check names and counts, no personal data (core/health.py)",
    "metrics": "Prometheus: token or this machine only, no personal data (core/metrics.py)",
    "fieldapp:manifest": "public: the field app's name and icons, fetched by the browser when it installs",
    "fieldapp:sw": "public: the field app's service worker script; what it caches asks for the session",
}


def pages(patterns: Any = None, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(url name, view) of every named page outside /admin/ and /api/."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            route = str(entry.pattern)
            if route.startswith(("admin/", "api/", "i18n/")):
                continue
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from pages(entry.url_patterns, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}", entry.callback


def test_every_page_names_its_permission_or_is_listed_as_open() -> None:
    found = dict(pages())
    assert "registry:employer_create" in found
    missing = sorted(
        name
        for name, view in found.items()
        if getattr(view, "permission", None) is None and name not in OPEN_PAGES
    )
    assert missing == []
    assert set(OPEN_PAGES) <= set(found)  # no stale entry


@pytest.mark.parametrize("role", Role.values)
def test_menu_links_match_the_pages_permissions(role: str) -> None:
    scope = Scope(role=role)
    shown = {item["url"] for section in menu_for(scope) for item in section["links"]}
    for section in MENU:
        for link in section.links:
            url = reverse(link.url_name)
            perm = getattr(resolve(url).func, "permission", None)
            expected = may(scope, perm) if perm is not None else link.perm is None
            assert (url in shown) is expected, (role, link.url_name)


@pytest.mark.parametrize(("user", "shown"), [("agency_health_malang", True), ("hr_hospital", False)])
def test_buttons_follow_the_permissions(world: Any, user: str, shown: bool) -> None:
    """The payer-account list offers the arrears page only to those whose role may open it."""
    client = Client()
    client.force_login(getattr(world, user))
    page = client.get(reverse("contributions:account_list")).content.decode()
    button = f'class="btn btn-quiet" href="{reverse("contributions:arrears")}"'  # not the menu's link
    assert (button in page) is shown
