"""The public sign-up, page and API: valid, invalid NIK, NIK disagreeing with the birth date, duplicate,
consent missing, throttled (429, both languages), no login, a cancelled event's poster answering 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from rest_framework.settings import api_settings

from cakupan.core.models import AuditEvent
from cakupan.outreach.models import SignUp
from cakupan.outreach.services.events import event_update
from cakupan.outreach.tests.helpers import market_event, worker

pytestmark = pytest.mark.django_db


def api(client: Client, code: str, body: dict[str, Any], **extra: Any) -> Any:
    return client.post(
        f"/api/v1/outreach/events/{code}/signups/", body, content_type="application/json", **extra
    )


def test_api_valid_invalid_duplicate_without_login(world: Any) -> None:
    event = market_event(world.branch_malang)
    client = Client()  # anonymous: no session, no token, no CSRF token
    first = api(client, event.code, worker(1))
    assert first.status_code == 201, first.content
    reference = first.json()["reference"]
    assert reference.startswith("DFT-")
    row = SignUp.objects.get(reference=reference)
    assert row.nik_valid
    assert row.consent
    assert row.consent_at is not None
    assert row.person is None
    # The same NIK again for the same event: the first reference, nothing added.
    again = api(client, event.code, {**worker(1), "full_name": "Nama Lain"})
    assert again.status_code == 200
    assert again.json() == {"reference": reference}
    assert SignUp.objects.filter(event=event).count() == 1
    # A NIK whose regency code does not exist: 400 naming "nik", nothing written.
    bad = api(client, event.code, {**worker(2), "nik": "3599011201800102"})
    assert bad.status_code == 400
    assert "nik" in {e["field"] for e in bad.json()["errors"]}
    # The NIK says female (day + 40) but the form says male: refused at the field.
    female = worker(3, sex="P")
    mismatch = api(client, event.code, {**female, "sex": "L"})
    assert mismatch.status_code == 400
    assert [e["field"] for e in mismatch.json()["errors"]] == ["nik"]
    # Every field's error at once; consent must be given (UU 27/2022).
    empty = api(client, event.code, {"nik": "", "consent": False})
    fields = {e["field"] for e in empty.json()["errors"]}
    assert empty.status_code == 400
    assert {"nik", "full_name", "birth_date", "sex", "phone", "occupation", "consent"} <= fields
    # A NUL byte (PostgreSQL refuses it in text): a 400 at the field, not a 500.
    nul = api(client, event.code, {**worker(5), "full_name": "Nama\x00Contoh"})
    assert nul.status_code == 400
    assert "full_name" in {e["field"] for e in nul.json()["errors"]}
    assert SignUp.objects.filter(event=event).count() == 1
    assert AuditEvent.objects.filter(action="signup", entity="outreach.signup").count() == 1
    # An unknown code, and a cancelled event's poster: 404.
    assert api(client, "ZZZZZZZZ", worker(4)).status_code == 404
    event_update(actor=world.branch_malang, event=event, status="cancelled")
    assert api(client, event.code, worker(4)).status_code == 404


def test_throttled_per_address_and_per_event(world: Any) -> None:
    event = market_event(world.branch_malang)
    other = market_event(world.branch_malang, name="Sosialisasi Pasar Lawang")
    # Every attempt counts against both limits, a refused one too (as DRF checks every throttle).
    rates = {"signup_address": "2/hour", "signup_event": "4/hour"}
    with override_settings(REST_FRAMEWORK={**_rest(), "DEFAULT_THROTTLE_RATES": rates}):
        client = Client()
        assert api(client, event.code, worker(1)).status_code == 201
        assert api(client, event.code, worker(2)).status_code == 201
        third = api(client, event.code, worker(3))
        assert third.status_code == 429
        message = third.json()["errors"][0]["message"]
        assert "Too many sign-ups" in message
        assert "Terlalu banyak pendaftaran" in message
        # Another address may still sign up for this event until the event's own limit.
        assert api(client, event.code, worker(4), REMOTE_ADDR="10.0.0.9").status_code == 201
        assert api(client, event.code, worker(5), REMOTE_ADDR="10.0.0.10").status_code == 429
        # The page counts with the same throttles: this address is over its limit, whatever the event.
        page = client.post(f"/daftar/{other.code}/", {**worker(6), "consent": "on"})
        assert page.status_code == 429
        assert "Terlalu banyak pendaftaran" in page.content.decode()
    assert SignUp.objects.filter(event=event).count() == 3


def _rest() -> dict[str, Any]:
    from django.conf import settings

    return dict(settings.REST_FRAMEWORK)


def test_page_signup_phone_first_with_csrf(world: Any) -> None:
    event = market_event(world.branch_malang)
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="id")
    page = client.get(f"/daftar/{event.code}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Sosialisasi Pasar Kepanjen" in text
    assert "UU 27/2022" in text or "Undang-Undang Nomor 27 Tahun 2022" in text
    assert 'name="csrfmiddlewaretoken"' in text
    # Without the CSRF token the form is refused.
    assert client.post(f"/daftar/{event.code}/", {**worker(1), "consent": "on"}).status_code == 403
    token = client.cookies["csrftoken"].value
    data = {**worker(1), "consent": "on", "csrfmiddlewaretoken": token}
    data.pop("consent")
    missing = client.post(f"/daftar/{event.code}/", data)
    assert missing.status_code == 400
    assert "Centang kotak persetujuan" in missing.content.decode()
    done = client.post(f"/daftar/{event.code}/", {**data, "consent": "on"})
    assert done.status_code == 200
    reference = SignUp.objects.get(event=event).reference
    assert reference in done.content.decode()
    bad = client.post(f"/daftar/{event.code}/", {**data, "nik": "3507010101010000", "consent": "on"})
    assert bad.status_code == 400
    assert "nomor urut NIK tidak boleh 0000" in bad.content.decode().lower() or "0000" in bad.content.decode()
    assert api_settings.DEFAULT_THROTTLE_RATES["signup_address"]
