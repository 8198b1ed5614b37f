"""The field app on a phone with no network (issue 17, Done when): an agent signs in once, the service
worker keeps the app, the network goes away; three workers are enrolled (one NIK refused on the phone,
its message shown at the field), a cash collection recorded, the app reloaded while still offline (it
opens and shows the queue); the network returns, the queue syncs, and the server holds the two persons,
their memberships and the collection; a collection for a worker the agent never enrolled comes back
rejected with the server's message at its field. The same batch sent again creates nothing twice.

Same rules as test_journey: Debian's Chromium through Playwright's sync API; the database is touched only
before and after the browser runs. Screenshots at 390x844 in test-artifacts/field-*.png.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from django.test import Client

from cakupan.field.models import Collection, SyncItem
from cakupan.fieldapp.tests.agents import AGENT_PASSWORD, make_agent
from cakupan.registry.models import Membership, Person
from cakupan.registry.nik import nik_compose
from tests.browser.test_journey import ARTIFACTS, chromium, chromium_or_skip, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "locale": "id-ID",
    "timezone_id": "Asia/Jakarta",
}
SITI = nik_compose(district_code="35.07.01", birth_date=dt.date(1988, 4, 12), sex="P", serial=17)
AGUS = nik_compose(district_code="35.07.02", birth_date=dt.date(1979, 11, 3), sex="L", serial=8)
STRANGER = nik_compose(district_code="35.07.03", birth_date=dt.date(1990, 1, 2), sex="L", serial=99)
# Month 13 in a Kab. Malang NIK: refused on the phone with the server's words.
REFUSED = "3507011513790004"


@pytest.fixture
def world(regions_in_transactional_db: Any, world: Any) -> Any:
    return world


@pytest.fixture
def agent_user(world: Any) -> Any:
    return make_agent(world, username="agen_lapangan")


def check_server(agent: Any, batches: list[str]) -> None:
    """The server holds what the phone captured, once; the same batch again creates nothing."""
    assert len(batches) == 1
    sent = json.loads(batches[0])
    assert [item["kind"] for item in sent["items"]] == ["enrolment", "enrolment", "collection", "collection"]
    assert set(Person.objects.filter(nik__in=[SITI, AGUS, REFUSED]).values_list("nik", flat=True)) == {
        SITI,
        AGUS,
    }
    members = Membership.objects.filter(person__nik__in=[SITI, AGUS])
    assert (
        sorted(members.values_list("segment", "payer_kind", "jkk", "jkm", "jht"))
        == [("BPU", "self", True, True, False)] * 2
    )
    collection = Collection.objects.get(receipt="KW-0001")
    assert (collection.amount, collection.months, collection.membership.person.nik) == (33_600, 2, SITI)
    assert collection.agent.user_id == agent.pk

    def counts() -> tuple[int, ...]:
        return tuple(m.objects.count() for m in (Person, Membership, Collection, SyncItem))

    before = counts()
    client = Client()
    client.force_login(agent)
    again = client.post("/api/v1/field/batches/", batches[0], content_type="application/json")
    assert again.status_code == 200, again.content
    answer = again.json()
    # Every client_id is known, the refused one too: all four are duplicates, nothing is written.
    assert (answer["accepted"], answer["duplicates"], answer["rejected"]) == (0, 4, [])
    assert not Collection.objects.filter(receipt="KW-0002").exists()
    assert counts() == before


def enrol(page: Any, *, nik: str, name: str, born: str, sex: str, region: str, income: str, job: str) -> None:
    page.fill("#e-nik", nik)
    page.fill("#e-full_name", name)
    page.fill("#e-birth_date", born)
    page.check(f"#e-sex-{sex}")
    page.fill("#e-phone", "081234567890")
    page.select_option("#e-address_region", region)
    page.fill("#e-occupation", job)
    page.fill("#e-declared_income", income)
    page.check("#e-consent")
    page.click("#enrol-form button[type=submit]")


def until(page: Any, condition: str, timeout: float = 20.0) -> None:
    """Waits for a condition written as a function body; Playwright's wait_for_function evaluates text,
    which the pages' Content-Security-Policy (no unsafe-eval) forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => {{ {condition} }}"):
        if time.monotonic() > deadline:
            raise AssertionError(f"not met within {timeout} s: {condition}")
        page.wait_for_timeout(100)


def queued(page: Any, n: int) -> None:
    until(page, f"return document.getElementById('fa-queued').textContent === '{n}';")


def sent_batches(page: Any, batches: list[str]) -> None:
    """Keeps the body of every sync batch the page posts, in order."""
    page.on(
        "request",
        lambda r: (
            batches.append(r.post_data or "")
            if r.method == "POST" and r.url.endswith("/api/v1/field/batches/")
            else None
        ),
    )


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"field-{name}-390.png"), full_page=True)


def item_states(page: Any) -> list[str]:
    return list(page.eval_on_selector_all("#queue li.fa-item", "items => items.map(i => i.dataset.state)"))


KEPT_ON_PHONE = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("cakupan-lapangan");
  open.onsuccess = () => {
    const all = open.result.transaction("items").objectStore("items").getAll();
    all.onsuccess = () => resolve(all.result);
    all.onerror = () => reject(all.error);
  };
  open.onerror = () => reject(open.error);
})"""


def test_an_agent_enrols_and_collects_offline_then_syncs(live_server: Any, agent_user: Any) -> None:
    chromium_or_skip()
    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server.url
    batches: list[str] = []
    with chromium() as browser:
        context = browser.new_context(**PHONE)
        page = context.new_page()
        sent_batches(page, batches)
        page.goto(f"{base}/login/")
        page.fill("input[name=username]", agent_user.username)
        page.fill("input[name=password]", AGENT_PASSWORD)
        page.click("form.page-form button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.click("a[href='/lapangan/']")  # the home page offers the field app
        page.wait_for_selector("body[data-ready=true]")
        # The service worker has kept the app and controls the page.
        until(page, "return navigator.serviceWorker.controller !== null;")
        shot(page, "start")
        fits_start = fits(page)
        # Chromium's own verdict on the manifest, icons and service worker: installable.
        cdp = context.new_cdp_session(page._page)  # the page itself, not axe_check's wrapper
        # Playwright's contexts are incognito, where Chromium installs nothing: that one reason is the test's.
        install_errors = [
            e["errorId"]
            for e in cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
            if e["errorId"] != "in-incognito"
        ]
        manifest_url = cdp.send("Page.getAppManifest")["url"]
        cdp.detach()

        context.set_offline(True)
        until(page, "return navigator.onLine === false;")
        enrol(
            page,
            nik=SITI,
            name="Siti Aminah",
            born="1988-04-12",
            sex="P",
            region="35.07.01",
            income="1.500.000",
            job="pedagang pasar",
        )
        queued(page, 1)
        enrol(
            page,
            nik=REFUSED,
            name="Budi Refused",
            born="1979-11-03",
            sex="L",
            region="35.07.02",
            income="1000000",
            job="nelayan",
        )
        refused = page.inner_text("#e-nik-error")
        shot(page, "refused")
        fits_refused = fits(page)
        still_one = page.inner_text("#fa-queued")
        enrol(
            page,
            nik=AGUS,
            name="Agus Salim",
            born="1979-11-03",
            sex="L",
            region="35.07.02",
            income="1000000",
            job="nelayan",
        )
        queued(page, 2)

        page.click("button[data-tab=collect]")
        page.fill("#c-nik", SITI)
        page.fill("#c-amount", "33600")
        page.fill("#c-months", "2")
        page.fill("#c-receipt", "KW-0001")
        page.click("#collect-form button[type=submit]")
        queued(page, 3)
        # Cash from someone this agent never enrolled: a valid NIK, the phone queues it; the server refuses.
        page.fill("#c-nik", STRANGER)
        page.fill("#c-amount", "16800")
        page.fill("#c-months", "1")
        page.fill("#c-receipt", "KW-0002")
        page.click("#collect-form button[type=submit]")
        queued(page, 4)

        # Reloaded with no network: the service worker answers with the kept app, the queue is there.
        page.reload()
        page.wait_for_selector("body[data-ready=true]")
        page.click("button[data-tab=queue]")
        offline_states = item_states(page)
        offline_text = page.inner_text("#queue")
        shot(page, "queue-offline")
        fits_queue = fits(page)

        # The network returns: the app syncs by itself.
        context.set_offline(False)
        until(
            page,
            "const items = [...document.querySelectorAll('#queue li.fa-item')];"
            "const waiting = items.filter(i => ['queued', 'sending'].includes(i.dataset.state));"
            "return items.length === 4 && waiting.length === 0;",
            timeout=30,
        )
        synced_states = item_states(page)
        rejected_text = page.inner_text("#queue li[data-state=rejected]")
        shot(page, "synced")
        kept = page.evaluate(KEPT_ON_PHONE)
        # The refused collection goes back into its form to be corrected (a new capture, a new client_id).
        page.click("#queue li[data-state=rejected] .fa-edit")
        # The form is filled from the phone's store (IndexedDB, asynchronous): wait for it, not a fixed time.
        page.wait_for_selector("#tab-collect", state="visible", timeout=10_000)
        page.wait_for_function("document.querySelector('#c-receipt').value !== ''", timeout=10_000)
        corrected = (
            page.input_value("#c-receipt"),
            page.input_value("#c-nik"),
            page.is_visible("#tab-collect"),
        )
        left = item_states(page)
        context.close()

    assert (fits_start, fits_refused, fits_queue) == (True, True, True)
    assert install_errors == []
    assert manifest_url.endswith("/lapangan/manifest.webmanifest")
    assert "bulan" in refused.lower()  # the server's message for month 13, in Indonesian
    assert still_one == "1"
    assert offline_states == ["queued"] * 4
    assert "Siti Aminah" in offline_text
    assert "Rp33.600" in offline_text
    assert synced_states == ["accepted"] * 3 + ["rejected"]
    # The refusal at its field, under the form's own label, with the server's message.
    assert rejected_text.count("NIK peserta: ") == 1
    # Personal data left the phone with the sync: only the client id, the kind and the outcome stay; the
    # refused item keeps its data for the agent to read (and discard).
    done = [item for item in kept if item["state"] == "accepted"]
    assert len(done) == 3
    assert all(set(item) <= {"client_id", "agent", "kind", "state", "captured_at", "errors"} for item in done)
    assert not any(SITI in json.dumps(item) or "Siti" in json.dumps(item) for item in done)
    assert corrected == ("KW-0002", STRANGER, True)
    assert left == ["accepted"] * 3
    check_server(agent_user, batches)
