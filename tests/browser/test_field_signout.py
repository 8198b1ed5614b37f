"""Signing out of the field app on a shared phone (issue 17): with a capture not yet sent the app warns in
Indonesian and offers to send it or discard it; once signed out the phone holds none of the agent's items
and no kept copy of their shell; a second agent signing in on the same phone sees an empty queue and sends
nothing of the first agent's. An agent the office has not approved yet is told so, online and offline,
instead of being offered forms the sync would refuse.

Same rules as test_field_offline: Debian's Chromium at 390x844, the database touched only before and after
the browser runs. Screenshots in test-artifacts/field/.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cakupan.registry.models import Person
from cakupan.registry.nik import nik_compose
from tests.browser.test_field_offline import KEPT_ON_PHONE, PHONE, enrol, queued, sent_batches, until
from tests.browser.test_journey import ARTIFACTS, chromium, chromium_or_skip, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = ARTIFACTS / "field"
SITI = nik_compose(district_code="35.07.01", birth_date=dt.date(1988, 4, 12), sex="P", serial=31)
AGUS = nik_compose(district_code="35.07.02", birth_date=dt.date(1979, 11, 3), sex="L", serial=32)
PASSWORD = "Lapangan-Malang-2026"

KEPT_PAGES = """async () => {
  const names = (await caches.keys()).filter((n) => n.startsWith("lapangan-"));
  const urls = [];
  for (const name of names) {
    const cache = await caches.open(name);
    (await cache.keys()).forEach((r) => urls.push(new URL(r.url).pathname));
  }
  return urls;
}"""


@pytest.fixture
def world(regions_in_transactional_db: Any, world: Any) -> Any:
    return world


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SHOTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE["viewport"])


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.page-form button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/lapangan/")
    page.wait_for_selector("body[data-ready=true]")


def sign_out_button(page: Any) -> Any:
    return page.locator("form[action='/logout/'] button[type=submit]")


def capture(page: Any, nik: str, name: str) -> None:
    enrol(
        page,
        nik=nik,
        name=name,
        born=("1988-04-12" if nik == SITI else "1979-11-03"),
        sex=("P" if nik == SITI else "L"),
        region=("35.07.01" if nik == SITI else "35.07.02"),
        income="1000000",
        job="pedagang",
    )


def test_sign_out_warns_then_clears_and_the_next_agent_sees_nothing(live_server: Any, world: Any) -> None:
    from cakupan.fieldapp.tests.agents import make_agent

    chromium_or_skip()
    first = make_agent(world, username="agen_pertama")
    second = make_agent(world, username="agen_kedua")
    base = live_server.url
    batches: list[str] = []
    with chromium() as browser:
        context = browser.new_context(**PHONE)
        page = context.new_page()
        sent_batches(page, batches)
        # 1. The first agent captures Siti and signs out before sending: warned, sends, signed out.
        sign_in(page, base, first.username)
        until(page, "return navigator.serviceWorker.controller !== null;")
        capture(page, SITI, "Siti Aminah")
        queued(page, 1)
        sign_out_button(page).click()
        page.wait_for_selector("#fa-signout", state="visible")
        warning = page.inner_text("#fa-signout")
        fits_warning = fits(page)
        shot(page, "signout-warning")
        page.click("#fa-signout-sync")
        page.wait_for_url(f"{base}/login/")
        kept_after_send = page.evaluate(KEPT_ON_PHONE)
        pages_after_send = page.evaluate(KEPT_PAGES)

        # 2. The first agent captures Agus; the session lapses (no sign-out) and the second agent signs in.
        sign_in(page, base, first.username)
        capture(page, AGUS, "Agus Salim")
        queued(page, 1)
        context.clear_cookies()
        sign_in(page, base, second.username)
        page.click("button[data-tab=queue]")
        queued(page, 0)
        second_queue = page.inner_text("#queue")
        page.click("#sync-button")
        # The connection state ("Daring.") may be shown first: wait for the sync's own answer (a timeout
        # fails the test, naming the condition).
        until(page, "return document.getElementById('fa-status').textContent.includes('dikirim');")
        second_status = page.inner_text("#fa-status")
        shot(page, "second-agent-queue")
        fits_second = fits(page)
        # The second agent has nothing unsent: signed out at once, the first agent's item stays theirs.
        sign_out_button(page).click()
        page.wait_for_url(f"{base}/login/")
        kept_for_first = page.evaluate(KEPT_ON_PHONE)

        sent_by_then = list(batches)

        # 3. The first agent comes back with no way to reach the sync (the app would send Agus at once),
        # sees Agus waiting, and discards it while signing out.
        page.route("**/api/v1/field/batches/", lambda route: route.abort())
        sign_in(page, base, first.username)
        queued(page, 1)
        sign_out_button(page).click()
        page.wait_for_selector("#fa-signout", state="visible")
        discard_warning = page.inner_text("#fa-signout-text")
        page.click("#fa-signout-discard")
        page.wait_for_url(f"{base}/login/")
        kept_at_end = page.evaluate(KEPT_ON_PHONE)
        pages_at_end = page.evaluate(KEPT_PAGES)
        context.close()

    assert "1 pendaftaran/setoran belum terkirim." in warning
    assert "Kirim sekarang" in warning
    assert "Hapus dan keluar" in warning
    assert fits_warning
    assert fits_second
    # Sent, then signed out: the phone holds nothing of the first agent, not even the kept shell.
    assert kept_after_send == []
    assert "/lapangan/" not in pages_after_send
    assert "/lapangan/reference.json" not in pages_after_send
    assert Person.objects.filter(nik=SITI).exists()
    # The second agent saw an empty queue and sent nothing of the first agent's.
    assert "Belum ada" in second_queue
    assert second_status == "Tidak ada yang perlu dikirim."
    assert len(sent_by_then) == 1
    assert AGUS not in sent_by_then[0]
    assert [(i["agent"], i["state"]) for i in kept_for_first] == [(first.username, "queued")]
    # Discarded: gone from the phone and never sent.
    assert discard_warning.startswith("1 pendaftaran/setoran belum terkirim.")
    assert kept_at_end == []
    assert "/lapangan/" not in pages_at_end
    assert not Person.objects.filter(nik=AGUS).exists()


def test_an_agent_not_yet_approved_is_told_so_online_and_offline(live_server: Any, world: Any) -> None:
    from cakupan.fieldapp.tests.agents import make_agent

    chromium_or_skip()
    waiting = make_agent(world, username="agen_menunggu", status="registered")
    base = live_server.url
    with chromium() as browser:
        context = browser.new_context(**PHONE)
        page = context.new_page()
        sign_in(page, base, waiting.username)
        until(page, "return navigator.serviceWorker.controller !== null;")
        online = page.inner_text("#fa-account")
        forms_hidden = (page.is_hidden("button[data-tab=enrol]"), page.is_hidden("#tab-enrol"))
        shot(page, "not-approved")
        context.set_offline(True)
        until(page, "return navigator.onLine === false;")
        page.reload()
        page.wait_for_selector("body[data-ready=true]")
        offline = page.inner_text("#fa-account")
        offline_status = page.inner_text("#fa-status")
        shot(page, "not-approved-offline")
        context.close()

    assert online.startswith("Akun agen Anda belum disetujui kantor cabang.")
    assert forms_hidden == (True, True)
    assert offline == online
    assert "Buka aplikasi sekali" not in offline_status
