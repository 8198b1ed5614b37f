"""The persons list of branch staff in a real browser, paged by keyset: Next and Previous through htmx keep
the filter and the address bar, at a desktop's and at a 390 px phone's width (screenshots of both in
test-artifacts/)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cakupan.accounts.models import Role, User
from cakupan.regions.models import Region
from cakupan.regions.services import branch_office_upsert, regions_load
from cakupan.registry import services
from cakupan.registry.nik import nik_compose
from tests.browser.test_journey import ARTIFACTS, chromium, chromium_or_skip, no_horizontal_overflow, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE_390 = {"width": 390, "height": 844}


@pytest.fixture
def staff_with_persons(transactional_db: Any) -> User:
    if not Region.objects.filter(pk="35.73.01").exists():
        regions_load()
    office = branch_office_upsert(code="MLG", name="Kantor Cabang Malang", seat="35.73", regions=["35.73"])
    admin = User.objects.create_user(username="admin", password="pw-admin", role=Role.NATIONAL_ADMIN)
    for i in range(30):
        born = dt.date(1980, 1, 1) + dt.timedelta(days=97 * i)
        services.person_register(
            actor=admin,
            nik=nik_compose(district_code="35.73.01", birth_date=born, sex="P", serial=200 + i),
            full_name=f"Sri Wahyuni {i:02d}",
            birth_date=born,
            sex="P",
            address_region="35.73.01",
        )
    return User.objects.create_user(
        username="staf", password="pw-staf", role=Role.BRANCH_STAFF, branch_office=office, first_name="Sari"
    )


def walk(page: Any, base: str) -> list[str]:
    """Next then Previous on the filtered persons list; returns the names seen on the two pages."""
    from playwright.sync_api import expect

    page.goto(f"{base}/persons/?q=Sri")
    first = page.locator("#rows tbody tr a[href^='/persons/']").all_inner_texts()
    assert "30 baris" in page.inner_text(".pager")
    page.click(".pager a[rel=next]")
    expect(page.locator("#rows tbody tr")).to_have_count(5)
    # Pushed to the address bar: the back button and a reload work.
    assert "cursor=" in page.url
    assert "q=Sri" in page.url
    second = page.locator("#rows tbody tr a[href^='/persons/']").all_inner_texts()
    page.click(".pager a[rel=prev]")
    expect(page.locator("#rows tbody tr")).to_have_count(25)
    assert page.locator("#rows tbody tr a[href^='/persons/']").all_inner_texts() == first
    return first + second


def test_persons_list_pages_at_desktop_and_phone_width(live_server: Any, staff_with_persons: User) -> None:
    chromium_or_skip()
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as browser:
        desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
        page = desktop.new_page()
        sign_in(page, live_server.url)
        seen = walk(page, live_server.url)
        page.goto(f"{live_server.url}/persons/")
        page.screenshot(path=str(ARTIFACTS / "persons-list-desktop.png"), full_page=True)
        desktop.close()

        phone = browser.new_context(
            viewport=PHONE_390, is_mobile=True, has_touch=True, device_scale_factor=2, locale="id-ID"
        )
        page = phone.new_page()
        sign_in(page, live_server.url)
        assert walk(page, live_server.url) == seen
        page.goto(f"{live_server.url}/persons/")
        fits = no_horizontal_overflow(page)
        page.screenshot(path=str(ARTIFACTS / "persons-list-390.png"), full_page=True)
        phone.close()
    assert fits
    assert len(seen) == len(set(seen)) == 30
