"""A member files a JHT claim from a 390 px phone and from a desktop, then follows it on the claim page.

Same rules as test_journey.py: Debian's Chromium through Playwright's sync API. Screenshots land in
test-artifacts/ (claim-new-390.png, claim-errors-390.png, claim-detail-390.png and the -desktop ones).
"""

from __future__ import annotations

from typing import Any

import pytest

from cakupan.benefits.models import Claim
from cakupan.benefits.services.claims import claim_reject
from tests.browser.test_journey import ARTIFACTS, chromium, chromium_or_skip, no_horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_390 = {"width": 390, "height": 844}


@pytest.fixture
def world(regions_in_transactional_db: Any, world: Any) -> Any:
    return world


def sign_in_as(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"pw-{username}")
    page.click("form.page-form button[type=submit]")
    page.wait_for_url(f"{base}/")


def file_jht_claim(browser: Any, base: str, *, phone: bool, event_date: str) -> tuple[str, list[str]]:
    """Files the claim; returns the claim page's text and the pages that scrolled sideways."""
    suffix = "390" if phone else "desktop"
    options: dict[str, Any] = {"locale": "id-ID"}
    if phone:
        options |= {"viewport": PHONE_390, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
    else:
        options |= {"viewport": {"width": 1280, "height": 900}}
    context = browser.new_context(**options)
    page = context.new_page()
    sign_in_as(page, base, "pekerja")
    overflowing: list[str] = []
    page.goto(f"{base}/benefits/claims/new/")
    # Only the event, its date and, once an event is chosen, its own fields and documents.
    assert page.is_hidden("input[name=months_unable]")
    page.check("input[name=event][value=accident_unable]")
    assert page.is_visible("input[name=months_unable]")
    page.click("#claim-form button[type=submit]")  # no date, no months: errors at both fields
    page.wait_for_selector(".field.has-error")
    errors = page.inner_text("#claim-form")
    assert "Wajib diisi untuk klaim ini." in errors
    page.screenshot(path=str(ARTIFACTS / f"claim-errors-{suffix}.png"), full_page=True)
    if not no_horizontal_overflow(page):
        overflowing.append("errors")
    page.check("input[name=event][value=resigned]")
    assert page.is_hidden("input[name=months_unable]")
    assert page.is_visible("#documents-resigned")
    assert "paklaring" in page.inner_text("#documents-resigned")
    page.fill("input[name=event_date]", event_date)
    page.screenshot(path=str(ARTIFACTS / f"claim-new-{suffix}.png"), full_page=True)
    if not no_horizontal_overflow(page):
        overflowing.append("new")
    page.click("#claim-form button[type=submit]")
    page.wait_for_selector("#claim-steps")
    shown = page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / f"claim-detail-{suffix}.png"), full_page=True)
    if not no_horizontal_overflow(page):
        overflowing.append("detail")
    context.close()
    return shown, overflowing


def test_a_member_files_a_jht_claim_on_a_phone_and_a_desktop(live_server: Any, world: Any) -> None:
    chromium_or_skip()
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as browser:
        phone, phone_overflow = file_jht_claim(browser, live_server.url, phone=True, event_date="2025-10-31")
    # One open claim of a benefit per person: the first is decided before the desktop files again.
    claim_reject(actor=world.admin, claim=Claim.objects.get(), reasons="Berkas diajukan ulang.")
    with chromium() as browser:
        desktop, desktop_overflow = file_jht_claim(
            browser, live_server.url, phone=False, event_date="2025-11-28"
        )
    assert phone_overflow == []
    assert desktop_overflow == []
    for shown in (phone, desktop):
        assert "Diajukan" in shown
        assert "menunggu tahap ini" in shown
        assert "Surat pengunduran diri" in shown
    claims = list(Claim.objects.order_by("pk"))
    assert [(c.person_id, c.benefit, c.claimant_kind) for c in claims] == [
        (world.nurse.pk, "JHT", "worker")
    ] * 2
    assert all(c.details == {"claim_reason": "RESIGNATION"} and c.assessed_total > 0 for c in claims)


def test_branch_staff_file_for_an_heir_and_the_verifier_sees_no_approve(live_server: Any, world: Any) -> None:
    chromium_or_skip()
    ARTIFACTS.mkdir(exist_ok=True)
    nik = world.nurse.nik
    with chromium() as browser:
        context = browser.new_context(
            viewport=PHONE_390, is_mobile=True, has_touch=True, device_scale_factor=2, locale="id-ID"
        )
        page = context.new_page()
        sign_in_as(page, live_server.url, "staf_malang")
        page.goto(f"{live_server.url}/benefits/claims/new/")
        page.fill("input[name=person]", nik)
        page.check("input[name=event][value=death]")
        assert page.is_visible("input[name=children]")
        page.fill("input[name=event_date]", "2025-06-01")
        page.select_option("select[name=claimant_kind]", "heir")
        assert page.is_visible("input[name=claimant_name]")
        page.fill("input[name=claimant_name]", "Budi Santoso")
        page.fill("input[name=children]", "1")
        page.screenshot(path=str(ARTIFACTS / "claim-staff-heir-390.png"), full_page=True)
        fits = no_horizontal_overflow(page)
        page.click("#claim-form button[type=submit]")
        page.wait_for_selector("#claim-steps")
        for box in page.query_selector_all("input[name=document]"):
            box.check()
        page.click("form[action$='/verify/'] button[type=submit]")
        page.wait_for_selector("#claim-steps li.done:nth-child(2)")
        approve_offered = page.is_visible("#claim-approve")
        page.screenshot(path=str(ARTIFACTS / "claim-verified-by-staff-390.png"), full_page=True)
        context.close()
    assert fits
    assert approve_offered is False  # the verifier may not approve (four eyes)
    claim = Claim.objects.get()
    assert (claim.benefit, claim.claimant_kind, claim.claimant_name, claim.status) == (
        "JKM",
        "heir",
        "Budi Santoso",
        "verified",
    )
