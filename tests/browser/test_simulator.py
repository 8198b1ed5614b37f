"""A real browser uses the public benefit simulator and downloads its one-page PDF, read back as text.

Same rules as test_journey.py: Debian's Chromium (/usr/bin/chromium) through Playwright's sync API,
skipped on a developer machine without it and failing on CI (env CI set).
"""

from __future__ import annotations

from typing import Any

import pytest
from pypdf import PdfReader

from tests.browser.test_journey import ARTIFACTS, chromium, chromium_or_skip, no_horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_simulator_and_its_pdf(live_server: Any) -> None:
    chromium_or_skip()
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "simulator.pdf"
    with chromium() as browser:
        page = browser.new_page(accept_downloads=True)
        page.goto(f"{live_server.url}/benefits/simulator/")
        page.check("input[name=segment][value=BPU]")
        page.fill("input[name=amount]", "2000000")
        page.select_option("select[name=children]", "2")
        page.click("#simulator-form button[type=submit]")
        page.wait_for_selector("#simulation")
        shown = page.inner_text("#simulation")
        page.screenshot(path=str(ARTIFACTS / "simulator.png"), full_page=True)
        with page.expect_download() as info:
            page.click("#simulator-pdf")
        info.value.save_as(str(target))
        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.goto(f"{live_server.url}/benefits/simulator/")
        phone.check("input[name=segment][value=BPU]")
        phone.fill("input[name=amount]", "2000000")
        phone.click("#simulator-form button[type=submit]")
        phone.wait_for_selector("#simulation")
        on_phone = phone.inner_text("#simulation")
        phone.screenshot(path=str(ARTIFACTS / "simulator-phone.png"), full_page=True)
        assert no_horizontal_overflow(phone)
    # Total permanent disability: 56 x 2,000,000 + the Rp12,000,000 periodic benefit (PP 82/2019 Lampiran,
    # rules.md §12.1), said in Indonesian on a phone too.
    for text in (shown, on_phone):
        assert "Rp124.000.000" in text
        assert "ditambah santunan berkala" in text
    # JKM 42 million and the 2-child scholarship block of 174 million (PP 82/2019), on page and in the PDF.
    assert "Rp42.000.000" in shown
    assert "Rp174.000.000" in shown
    reader = PdfReader(str(target))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for amount in ("Rp42.000.000", "Rp174.000.000", "Rp2.000.000"):
        assert amount in text


def test_simulator_on_a_phone_shows_each_segment_its_fields_and_the_breakdown(live_server: Any) -> None:
    from tests.browser.test_journey import no_horizontal_overflow

    chromium_or_skip()
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as browser:
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2
        )
        page = context.new_page()
        page.goto(f"{live_server.url}/benefits/simulator/")
        page.check("input[name=segment][value=PU]")
        assert page.is_visible("select[name=risk_class]")
        assert page.is_hidden("select[name=sector]")
        assert page.is_hidden("input[name=with_jht]")
        page.check("input[name=segment][value=BPU]")
        assert page.is_hidden("select[name=risk_class]")
        page.select_option("select[name=sector]", "transport")
        page.check("input[name=with_jht]")
        page.fill("input[name=amount]", "2000000")
        page.click("#simulator-form button[type=submit]")
        page.wait_for_selector("#simulation")
        programmes = page.inner_text("#simulation-programmes")
        projections = page.inner_text("#simulation-projections")
        page.screenshot(path=str(ARTIFACTS / "simulator-bpu-390.png"), full_page=True)
        fits = no_horizontal_overflow(page)
        page.goto(
            f"{live_server.url}/benefits/simulator/?segment=PU&amount=5000000&risk_class=2&children=2&years=20"
        )
        page.wait_for_selector("#simulation-projections")
        pu_projections = page.inner_text("#simulation-projections")
        page.screenshot(path=str(ARTIFACTS / "simulator-pu-390.png"), full_page=True)
        fits_pu = no_horizontal_overflow(page)
        context.close()
    assert fits
    assert fits_pu
    assert "Jaminan Hari Tua (JHT)" in programmes
    assert "Rp4.800.000" in projections  # Rp40,000 × 120 months
    assert "Rp1.000.000" in pu_projections  # JP: 1 % × 20 years × Rp5,000,000 a month
