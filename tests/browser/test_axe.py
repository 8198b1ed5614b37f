"""The suite's accessibility hook itself: axe-core finds a contrast failure, passes a good page, and the
wrapped page checks each document it loads before the test acts on it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.axe_check import AxeBrowser
from tests.browser.test_journey import CHROMIUM, CHROMIUM_ARGS, chromium_or_skip

pytestmark = pytest.mark.browser

PAGE = (
    '<!doctype html><html lang="id"><head><title>t</title></head>'
    "<body><main><h1>Uji</h1>{}</main></body></html>"
)


def test_axe_hook_reports_low_contrast_and_checks_each_document(tmp_path: Any) -> None:
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    good = tmp_path / "good.html"
    good.write_text(PAGE.format('<p><a href="bad.html">lanjut</a></p>'))
    # The legend badge of issue 14: light grey on white, 2.3:1.
    (tmp_path / "bad.html").write_text(PAGE.format('<p style="color:#aaa;background:#fff">≥ 80 %</p>'))
    with sync_playwright() as playwright:
        browser = AxeBrowser(playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS))
        try:
            page = browser.new_context().new_page()
            page.goto(good.as_uri())
            page.click("a")  # checks good.html first, then loads bad.html
            page.wait_for_url("**/bad.html")
            page.title()  # the next call checks bad.html
            browser.axe_check()
        finally:
            browser.close()
    log = browser.axe_log
    assert [u.rsplit("/", 1)[-1] for u in log.checked] == ["good.html", "bad.html"]
    found = [(v["url"].rsplit("/", 1)[-1], v["id"]) for v in log.violations]
    assert found == [("bad.html", "color-contrast")]
    assert "2.32" in log.report()
