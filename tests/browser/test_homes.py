"""A real browser on each role's home (the demo logins, a small demo set with its billing and payments), on a
desktop and a 390 px phone: greeted by name, the work waiting shown as counts whose links open, no
horizontal scrolling; the nurse's own page with her contributions, JHT estimate and JP months.
Screenshots go to test-artifacts/homes/ (<login>-desktop.png, <login>-phone.png, perawat-own-*.png).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cakupan.demo import figures
from cakupan.demo.actors import LOGINS
from cakupan.demo.services import demo_load
from cakupan.regions.models import Region
from cakupan.regions.services import regions_load
from tests.browser.test_journey import chromium, chromium_or_skip, no_horizontal_overflow

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "homes"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# One login per role (the demo has more); the worker twice: a sponsored driver and a nurse with JHT and JP.
SHOWN = ("admin", "staf_malang", "disnaker_batang", "hr_batang", "sponsor_apbd", "pekerja", "perawat")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db: Any) -> dict[str, str]:
    if not Region.objects.filter(pk="35.73.01").exists():
        regions_load()
    demo_load(scale=0.01)
    from cakupan.accounts.models import User

    return {u.username: u.get_full_name() for u in User.objects.filter(username__in=SHOWN)}


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", figures.PASSWORD)
    page.click("form.page-form button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_every_roles_home_on_desktop_and_phone(live_server: Any, demo: dict[str, str]) -> None:
    chromium_or_skip()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert set(demo) == set(SHOWN)
    assert {login.username for login in LOGINS} >= set(SHOWN)
    with chromium() as browser:
        seen = walk(browser, live_server.url, demo)
    assert seen["overflowing"] == []
    assert seen["broken_links"] == []
    for username, name in demo.items():
        assert name, username  # every demo login has a name
        assert f"Selamat datang, {name}" in seen["headings"][username]
    # The office's homes are work queues with links; the worker's is their own record.
    assert seen["queues"]["staf_malang"] >= 5
    assert seen["queues"]["hr_batang"] >= 2
    assert seen["queues"]["sponsor_apbd"] >= 3
    assert seen["queues"]["pekerja"] == 0
    assert "Saldo JHT Anda: perkiraan" in seen["own_text"]
    assert "Iuran per bulan" in seen["own_text"]


def walk(browser: Any, base: str, names: dict[str, str]) -> dict[str, Any]:
    seen: dict[str, Any] = {"overflowing": [], "broken_links": [], "headings": {}, "queues": {}}
    for username in SHOWN:
        for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            context = browser.new_context(viewport=viewport, locale="id-ID")
            page = context.new_page()
            sign_in(page, base, username)
            page.screenshot(path=str(ARTIFACTS / f"{username}-{label}.png"), full_page=True)
            if not no_horizontal_overflow(page):
                seen["overflowing"].append(f"{username} {label}")
            seen["headings"][username] = page.inner_text("h1")
            links = page.eval_on_selector_all("a[data-queue]", "els => els.map(e => e.getAttribute('href'))")
            seen["queues"][username] = len(links)
            if label == "desktop":
                for href in links:
                    response = page.request.get(base + href)
                    if response.status != 200:
                        seen["broken_links"].append(f"{username} {href} {response.status}")
            if username == "perawat":
                page.click("a[href='/me/'].btn")
                page.wait_for_url(f"{base}/me/")
                page.screenshot(path=str(ARTIFACTS / f"perawat-own-{label}.png"), full_page=True)
                if not no_horizontal_overflow(page):
                    seen["overflowing"].append(f"perawat own page {label}")
                seen["own_text"] = page.inner_text("main")
            context.close()
    return seen
