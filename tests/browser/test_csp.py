"""The pages keep to their Content-Security-Policy in a real browser: every menu page of six roles, the
htmx search, the coverage charts, the admin and the API docs, with any console message about a refused
resource ("Refused to ...") or `securitypolicyviolation` event failing the test.

Same rules as test_journey.py: Debian's Chromium through Playwright's sync API; the database is touched
only before the browser opens.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from cakupan.regions.models import Region
from cakupan.regions.services import regions_load
from tests.browser.test_journey import chromium, chromium_or_skip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright injects this through the DevTools protocol, so the policy under test does not apply to it.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " at " + location.pathname);
});
"""
NAV_LINK = re.compile(r"^/[^#?]*$")
SKIP = ("/logout", "/i18n/", "/static/")


@pytest.fixture
def users(transactional_db: Any, request: Any) -> dict[str, str]:
    # Transactional tests empty the database afterwards, regions included: load them when missing.
    if not Region.objects.filter(pk="35.73.01").exists():
        regions_load()
    world = request.getfixturevalue("world")
    accounts = [
        world.admin,
        world.branch_malang,
        world.agency_health_malang,
        world.hr_hospital,
        world.sponsor_user,
        world.worker_user,
    ]
    world.admin.is_staff = True
    world.admin.save(update_fields=["is_staff"])
    # conftest's make_user gives every user the password "pw-" + username.
    return {user.username: "pw-" + user.username for user in accounts}


def violations_of(page: Any, console: list[str]) -> list[str]:
    found = list(page.evaluate("window.__csp || []"))
    found += [text for text in console if "Refused to" in text or "Content Security Policy" in text]
    console.clear()
    return found


def sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.page-form button[type=submit]")
    page.wait_for_url(f"{base}/")


def menu_paths(page: Any) -> list[str]:
    hrefs = page.eval_on_selector_all("header a[href]", "links => links.map(a => a.getAttribute('href'))")
    paths = {h for h in hrefs if h and NAV_LINK.match(h) and not h.startswith(SKIP)}
    return sorted(paths)


def test_pages_of_every_role_raise_no_policy_violation(live_server: Any, users: dict[str, str]) -> None:
    chromium_or_skip()
    base = live_server.url
    problems: list[str] = []
    visited = 0
    with chromium() as browser:
        for username, password in users.items():
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
            context.add_init_script(LISTEN)
            page = context.new_page()
            console: list[str] = []
            page.on("console", lambda message, console=console: console.append(message.text))
            sign_in(page, base, username, password)
            problems += violations_of(page, console)
            for path in menu_paths(page):
                page.goto(f"{base}{path}")
                page.wait_for_load_state("networkidle")
                problems += [f"{username}: {v}" for v in violations_of(page, console)]
                visited += 1
            if username == "staf_malang":
                # htmx fetches and swaps the results while typing; the map legend and charts draw.
                page.goto(f"{base}/search/")
                page.fill("input[name=q]", "Contoh")
                page.wait_for_selector("#results *")
                page.goto(f"{base}/coverage/")
                page.wait_for_load_state("networkidle")
                problems += [f"{username}: {v}" for v in violations_of(page, console)]
            if username == "admin":
                for path in ("/admin/", "/admin/accounts/user/", "/api/docs/"):
                    page.goto(f"{base}{path}")
                    page.wait_for_load_state("networkidle")
                    problems += [f"{username}: {v}" for v in violations_of(page, console)]
                assert page.locator(".swagger-ui").count() == 1  # the docs did render
            context.close()
    assert visited >= 30
    assert problems == []
