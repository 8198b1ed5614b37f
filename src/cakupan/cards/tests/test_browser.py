"""A real browser: the demo worker signs in, opens their card (desktop and a 390 px phone), and the verify
URL the QR code carries opens without signing in. Screenshots go to test-artifacts/cards/.

Drives Debian's Chromium through Playwright's sync API, as tests/browser does: skipped without Chromium on a
developer machine, a failure on CI (env CI set).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.browser.test_journey import chromium, chromium_or_skip, no_horizontal_overflow

from cakupan.cards.models import MembershipCard
from cakupan.cards.qr import qr_data_uri
from cakupan.demo import figures
from cakupan.demo.services import demo_load
from cakupan.regions.models import Region
from cakupan.regions.services import regions_load
from cakupan.registry.models import Person

ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts" / "cards"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db: Any) -> Person:
    """The demo data set (small), and the person the demo worker `pekerja` is."""
    if not Region.objects.filter(pk="35.73.01").exists():
        regions_load()
    demo_load(scale=0.01)
    from cakupan.accounts.models import User

    person = User.objects.get(username="pekerja").person
    assert person is not None
    return person


def sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "pekerja")
    page.fill("input[name=password]", figures.PASSWORD)
    page.click("form.page-form button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_demo_worker_opens_their_card_and_the_qr_verifies(
    live_server: Any, demo: Person, settings: Any
) -> None:
    chromium_or_skip()
    settings.CAKUPAN_PUBLIC_URL = live_server.url  # the QR code must lead to this server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    seen: dict[str, Any] = {}
    with chromium() as browser:
        seen = walk(browser, live_server.url)

    card = MembershipCard.objects.get(person=demo, revoked=False)
    assert seen["qr_src"] == qr_data_uri(seen["verify_url"])  # the QR code carries exactly this URL
    assert seen["verify_url"].startswith(f"{live_server.url}/verify/")
    assert demo.nik not in seen["verify_text"]
    assert demo.full_name not in seen["verify_text"]
    initials = " ".join(f"{word[0].upper()}." for word in demo.full_name.split())
    assert initials in seen["verify_text"]
    assert seen["verify_status"] == 200
    assert seen["pdf"].startswith(b"%PDF")
    assert seen["overflowing"] == []
    assert [text for text in seen["console"] if "Refused" in text or "Content Security Policy" in text] == []
    assert card.issued_by is not None
    assert card.issued_by.username == "pekerja"


def walk(browser: Any, base: str) -> dict[str, Any]:
    seen: dict[str, Any] = {"overflowing": [], "console": []}
    desktop = browser.new_context(viewport=DESKTOP, locale="id-ID")
    # Any refusal by the Content-Security-Policy (an inline style, a blocked image) shows in the console.
    desktop.on("console", lambda message: seen["console"].append(message.text))
    page = desktop.new_page()
    sign_in(page, base)
    page.click("nav.nav a[href='/cards/mine/']")
    page.wait_for_url(f"{base}/cards/mine/")
    page.click("button[value=issue]")
    page.wait_for_selector(".mcard")
    assert "Kartu peserta saya" in page.inner_text("h1")
    page.screenshot(path=str(ARTIFACTS / "card-desktop.png"), full_page=True)
    seen["verify_url"] = page.get_attribute("a.mcard-link", "href")
    seen["qr_src"] = page.get_attribute(".mcard-qr img", "src")
    pdf = desktop.request.get(f"{base}/cards/mine/card.pdf")
    seen["pdf"] = pdf.body()
    (ARTIFACTS / "card.pdf").write_bytes(seen["pdf"])

    phone = browser.new_context(viewport=PHONE, locale="id-ID", is_mobile=True, has_touch=True)
    page = phone.new_page()
    sign_in(page, base)
    page.goto(f"{base}/cards/mine/")
    page.screenshot(path=str(ARTIFACTS / "card-phone.png"), full_page=True)
    if not no_horizontal_overflow(page):
        seen["overflowing"].append("/cards/mine/")

    # Whoever scans the code: no session at all.
    public = browser.new_context(viewport=PHONE, locale="id-ID", is_mobile=True)
    public.on("console", lambda message: seen["console"].append(message.text))
    page = public.new_page()
    response = page.goto(seen["verify_url"])
    seen["verify_status"] = response.status
    seen["verify_text"] = page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "verify-phone.png"), full_page=True)
    if not no_horizontal_overflow(page):
        seen["overflowing"].append("/verify/")
    forged = page.goto(seen["verify_url"][:-3] + "xyz")
    assert forged is not None
    assert forged.status == 404
    assert "tidak dapat diverifikasi" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "verify-forged-phone.png"), full_page=True)

    desktop_public = browser.new_context(viewport=DESKTOP, locale="id-ID")
    page = desktop_public.new_page()
    page.goto(seen["verify_url"])
    page.screenshot(path=str(ARTIFACTS / "verify-desktop.png"), full_page=True)
    return seen
