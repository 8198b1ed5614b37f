"""A real browser on the coverage dashboard: Indonesia (tile grid) → a province (choropleth of imported
boundaries) → a regency, with the charts drawn and no console errors; screenshots in test-artifacts/.

Chromium launch and the skip/fail rule are test_journey's (Debian's Chromium; skipped on a developer
machine without it, failed on CI).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from cakupan.accounts.models import Role, User
from cakupan.accounts.permissions import SYSTEM
from cakupan.coverage.models import WorkforceStat
from cakupan.coverage.services.boundaries import boundaries_import
from cakupan.coverage.services.snapshots import snapshot_build
from cakupan.regions.models import Region
from cakupan.regions.services import regions_load
from cakupan.registry import services
from cakupan.registry.nik import nik_compose
from tests.browser.test_journey import ARTIFACTS, chromium, chromium_or_skip, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _square(lon: float, lat: float, size: float) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _console_error(msg: Any) -> str:
    return f"{msg.text} at {msg.location.get('url', '')}"


@pytest.fixture
def coverage_data(transactional_db: Any, tmp_path: Path) -> User:
    """Three BPU members in Kota Malang and one in Kab. Malang, workforce figures, two monthly snapshots and
    two regency boundaries of our own."""
    if not Region.objects.filter(pk="35.73.01").exists():
        regions_load()
    admin = User.objects.create_user(username="nasional", password="pw-nasional", role=Role.NATIONAL_ADMIN)
    for serial, district in ((1, "35.73.01"), (2, "35.73.02"), (3, "35.73.03"), (4, "35.07.01")):
        born = dt.date(1990, 1, serial)
        person = services.person_register(
            actor=admin,
            nik=nik_compose(district_code=district, birth_date=born, sex="L", serial=serial),
            full_name=f"Pekerja {serial}",
            birth_date=born,
            sex="L",
            address_region=district,
        )
        services.membership_enrol(
            actor=admin,
            person=person,
            segment="BPU",
            programs=["JKK", "JKM"],
            start_date=dt.date(2025, 4 + serial % 2, 1),
            payer_kind="self",
            declared_income=1_000_000,
            bpu_sector="other",
        )
    for code, employed in (("35", 200), ("35.73", 10), ("35.07", 20)):
        WorkforceStat.objects.create(
            region_id=code, year=2024, survey_month=8, employed=employed, source="test"
        )
    snapshot_build(period="2025-04")
    snapshot_build(period="2025-05")
    geo = tmp_path / "malang.geojson"
    geo.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {"code": c}, "geometry": _square(*box)}
                    for c, box in (("35.73", (112.6, -8.0, 0.1)), ("35.07", (112.3, -8.4, 0.6)))
                ],
            }
        )
    )
    boundaries_import(actor=SYSTEM, path=geo)
    return admin


def test_drill_down_from_indonesia_to_a_regency(live_server: Any, coverage_data: User) -> None:
    chromium_or_skip()
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    errors: list[str] = []
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        page = context.new_page()
        page.on("console", lambda msg: errors.append(_console_error(msg)) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{base}/login/")
        page.fill("input[name=username]", "nasional")
        page.fill("input[name=password]", "pw-nasional")
        page.click("form.page-form button[type=submit]")
        page.wait_for_url(f"{base}/")

        page.goto(f"{base}/coverage/")
        assert page.locator("#tile-map rect[data-code]").count() == 38
        # The tiles are links a screen reader names and a keyboard reaches: Tab to Jawa Timur, Enter.
        assert page.get_by_role("link", name=re.compile(r"^Jawa Timur: 2\s?%$")).count() == 1
        for _ in range(200):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.getAttribute('href')") == "?period=2025-05&region=35":
                break
        assert page.evaluate("!!document.activeElement.closest('#tile-map')")
        page.keyboard.press("Enter")
        page.wait_for_url("**region=35")
        page.go_back()
        page.wait_for_url(f"{base}/coverage/")
        assert page.locator("#rate-chart rect").count() == 38
        assert page.locator("#series-chart rect").count() == 2
        page.screenshot(path=str(ARTIFACTS / "dashboard-national.png"), full_page=True)

        page.click("#tile-map rect[data-code='35']")
        page.wait_for_url("**region=35")
        assert page.locator("#choropleth path[data-code]").count() == 2
        box = page.locator("#choropleth path[data-code='35.73']").bounding_box()
        assert box is not None
        assert box["width"] > 5
        assert box["height"] > 5
        assert page.inner_text("#active") == "4"
        page.screenshot(path=str(ARTIFACTS / "dashboard-province.png"), full_page=True)

        page.click("#choropleth path[data-code='35.73']")
        page.wait_for_url("**region=35.73")
        assert page.inner_text("#active") == "3"
        assert page.inner_text("#rate").replace("\u00a0", " ") in ("30.0 %", "30,0 %")
        assert page.locator("#rate-chart rect").count() == 1
        assert page.locator("#choropleth path[data-code='35.73']").count() == 1
        assert page.locator("#series-table tbody tr").count() == 2
        page.screenshot(path=str(ARTIFACTS / "dashboard-regency.png"), full_page=True)
        # The Target link keeps the month.
        page.click("#targets-link")
        page.wait_for_url("**/coverage/targets/?period=2025-05")
        context.close()

        # A 390 px phone: the tile map and the charts shrink to the screen, nothing scrolls sideways.
        phone = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="id-ID"
        )
        page = phone.new_page()
        page.on("console", lambda msg: errors.append(_console_error(msg)) if msg.type == "error" else None)
        page.goto(f"{base}/login/")
        page.fill("input[name=username]", "nasional")
        page.fill("input[name=password]", "pw-nasional")
        page.click("form.page-form button[type=submit]")
        page.wait_for_url(f"{base}/")
        wide = []
        for path, shot in (
            ("/coverage/", "dashboard-phone-national.png"),
            ("/coverage/?region=35", "dashboard-phone-province.png"),
            ("/coverage/?region=35.73", None),
            ("/coverage/targets/", None),
        ):
            page.goto(f"{base}{path}")
            if shot:
                page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
            if not fits(page):
                wide.append(path)
        assert wide == []
        phone.close()
    # Pages link their favicon: the browser no longer asks for a missing /favicon.ico.
    assert errors == []
