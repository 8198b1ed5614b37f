"""A real browser through the main journey of branch staff, and the pages at a phone's width.

Drives Debian's Chromium (/usr/bin/chromium) with Playwright's plain sync API. Without Chromium the test
is skipped on a developer machine and fails on CI (env CI set), so CI cannot pass without running it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from cakupan.accounts.models import Role, User
from cakupan.core.models import AuditEvent
from cakupan.regions.models import Region
from cakupan.regions.services import branch_office_upsert, regions_load
from cakupan.registry.models import Employer, Employment, Person
from cakupan.registry.nik import nik_compose
from tests.browser.axe_check import AxeBrowser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 375, "height": 812}
BORN = dt.date(1994, 8, 17)
NIK = nik_compose(district_code="35.73.01", birth_date=BORN, sex="P", serial=42)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def chromium_or_skip() -> None:
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM} (install Debian's chromium: make browser-deps)"
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must run the browser tests")
        pytest.skip(reason)


@contextmanager
def chromium() -> Iterator[Any]:
    """A browser. Playwright's sync API runs an event loop in this thread while it is open, and Django
    refuses database calls under a running loop: the test touches the database only before and after.

    Every document its pages load is checked by axe-core (tests/browser/axe_check.py); the test fails at
    the end of the block when any page breaks a WCAG 2.1 A or AA rule."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = AxeBrowser(playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS))
        try:
            yield browser
            browser.axe_check()
        finally:
            browser.close()
        log = browser.axe_log
        assert log.checked, "axe-core checked no page"
        assert not log.violations, f"axe-core found accessibility violations:\n{log.report()}"


@pytest.fixture
def branch_user(transactional_db: Any) -> User:
    # Transactional tests empty the database afterwards, regions included: load them when missing.
    if not Region.objects.filter(pk="35.73.01").exists():
        regions_load()
    office = branch_office_upsert(code="MLG", name="Kantor Cabang Malang", seat="35.73", regions=["35.73"])
    return User.objects.create_user(
        username="staf", password="pw-staf", role=Role.BRANCH_STAFF, branch_office=office, first_name="Sari"
    )


def no_horizontal_overflow(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def fits(page: Any) -> bool:
    """Nothing wider than the viewport we asked for. A mobile viewport widens its layout to the content,
    so `innerWidth` would grow with an overflowing page: compare with the width asked for."""
    return bool(page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"])


def sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "staf")
    page.fill("input[name=password]", "pw-staf")
    page.click("form.page-form button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_branch_staff_journey(live_server: Any, branch_user: User) -> None:
    chromium_or_skip()
    with chromium() as browser:
        overflowing = journey(browser, live_server.url)
    assert overflowing == []

    # What the browser did is in the database, written by the services and audited.
    employer = Employer.objects.get(npp="NPP55501")
    person = Person.objects.get(nik=NIK)
    employment = Employment.objects.get(person=person, employer=employer)
    assert employment.basic_wage == 3_500_000
    assert AuditEvent.objects.filter(actor=branch_user, action="create").count() == 3


def journey(chromium: Any, base: str) -> list[str]:
    """Runs the journey; returns the pages that overflow a phone's width."""
    nik = NIK
    ARTIFACTS.mkdir(exist_ok=True)

    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    sign_in(page, base)
    assert "Kantor Cabang Malang" in page.inner_text("header")
    assert page.get_attribute("html", "lang") == "id"

    # Register an employer.
    page.click("a[href='/employers/new/']")
    page.fill("input[name=npp]", "NPP55501")
    page.fill("input[name=name]", "Klinik Sehat Bersama")
    page.select_option("select[name=legal_form]", "CV")
    page.select_option("select[name=size_class]", "kecil")
    page.fill("input[name=kbli]", "86105")
    page.select_option("select[name=risk_class]", "2")
    page.select_option("select[name=facility_type]", "klinik")
    page.fill("input[name=region]", "35.73.01")
    page.click("form.page-form button[type=submit]")
    page.wait_for_url(f"{base}/employers/*/")
    assert page.inner_text("h1") == "Klinik Sehat Bersama"
    assert "Klinik Sehat Bersama" in page.inner_text(".messages")

    # Register a worker and their employment from the employer's page; a first try with a bad wage.
    page.click("a[href$='/workers/new/']")
    page.fill("input[name=nik]", nik)
    page.fill("input[name=full_name]", "Dewi Lestari")
    page.fill("input[name=birth_date]", BORN.isoformat())
    page.select_option("select[name=sex]", "P")
    page.fill("input[name=address_region]", "35.73.01")
    page.fill("input[name=start_date]", "2025-03-01")
    page.fill("input[name=basic_wage]", "tiga juta")
    page.select_option("select[name=occupation]", "kesehatan")
    page.click("form.page-form button[type=submit]")
    assert page.locator(".field.has-error input[name=basic_wage]").count() == 1
    page.screenshot(path=str(ARTIFACTS / "journey-form-error.png"), full_page=True)
    page.fill("input[name=basic_wage]", "3.500.000")
    page.click("form.page-form button[type=submit]")
    page.wait_for_url(f"{base}/persons/*/")
    assert page.inner_text("h1") == "Dewi Lestari"

    # Find the worker by NIK: htmx brings the results while typing.
    page.click("nav a[href='/search/']")
    page.fill("input[name=q]", nik)
    page.wait_for_selector("#results a:has-text('Dewi Lestari')")
    page.screenshot(path=str(ARTIFACTS / "journey.png"), full_page=True)

    # The language switch.
    page.click("form.lang button[value=en]")
    page.wait_for_selector("html[lang=en]")
    assert "Employers" in page.inner_text("nav")
    page.click("form.lang button[value=id]")
    page.wait_for_selector("html[lang=id]")
    context.close()

    # The same pages at a phone's width: nothing wider than the screen.
    phone = chromium.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2, locale="id-ID"
    )
    page = phone.new_page()
    sign_in(page, base)
    pages = ["/", "/search/?q=Dewi", "/employers/", "/persons/", "/employment/", "/memberships/"]
    page.goto(f"{base}/employers/")
    employer_url = page.get_attribute("#rows a[href^='/employers/']", "href")
    page.goto(f"{base}/persons/")
    person_url = page.get_attribute("#rows a[href^='/persons/']", "href")
    pages += [
        employer_url,
        f"{employer_url}workers/new/",
        person_url,
        f"{person_url}memberships/new/",
        "/employers/new/",
    ]
    overflowing = []
    for path in pages:
        page.goto(f"{base}{path}")
        if not no_horizontal_overflow(page):
            overflowing.append(path)
    page.goto(f"{base}{person_url}")
    page.screenshot(path=str(ARTIFACTS / "journey-phone-person.png"), full_page=True)
    page.goto(f"{base}{person_url}memberships/new/")
    page.select_option("select[name=segment]", "BPU")
    page.screenshot(path=str(ARTIFACTS / "journey-phone-membership.png"), full_page=True)
    assert page.is_hidden("input[name=employer]")
    assert page.is_visible("input[name=declared_income]")
    assert page.is_disabled("input[name=programs][value=JP]")
    phone.close()
    return overflowing
