"""Brute force against the login page, the admin's login and the token endpoint: locked after the limit
(default 5) per username and address, the right password refused during the cool-off and accepted after
it, every failure audited. Time passes by moving the recorded attempts back, not by waiting."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, override_settings
from django.test.client import RequestFactory

from cakupan.accounts.lockout import client_ip
from cakupan.accounts.models import Role, User
from cakupan.core.models import AuditEvent

PASSWORD = "Kata-sandi-benar-42"
ATTACKER = "203.0.113.7"
OFFICE = "198.51.100.20"
TOKEN_URL = "/api/v1/auth/token/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db: Any) -> User:
    return User.objects.create_user(
        username="sari", password=PASSWORD, role=Role.NATIONAL_ADMIN, is_staff=True
    )


def login(client: Client, username: str, password: str, ip: str = ATTACKER) -> Any:
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def token(client: Client, username: str, password: str, ip: str = ATTACKER) -> Any:
    return client.post(
        TOKEN_URL,
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


def cool_off_passes() -> None:
    """Moves every recorded failure back past the cool-off, as if that much time had gone by."""
    past = settings.AXES_COOLOFF_TIME + dt.timedelta(seconds=1)
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt.attempt_time - past)


def test_login_page_locks_after_the_limit_and_opens_after_the_cool_off(staff: User) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    client = Client()
    for _ in range(4):
        response = login(client, "sari", "salah-tebak")
        assert response.status_code == 200  # the form again, with its error
    response = login(client, "sari", "salah-tebak")
    assert response.status_code == 429
    page = response.content.decode()
    # A proper page of the site, in Indonesian, saying for how long.
    assert "Akun dikunci sementara" in page
    assert "dikunci selama 15 menit" in page
    assert '<html lang="id">' in page
    assert int(response["Retry-After"]) == 15 * 60

    # The right password is refused during the cool-off...
    response = login(client, "sari", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)

    # ... and accepted after it.
    cool_off_passes()
    response = login(client, "sari", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)

    # Every failure is audited, the one refused by the lock included, with the name tried and the address.
    failed = AuditEvent.objects.filter(action="login_failed").order_by("id")
    assert failed.count() == 6
    assert {e.changes["username"] for e in failed} == {"sari"}
    assert {e.changes["ip"] for e in failed} == {ATTACKER}
    assert [e.changes["locked_out"] for e in failed] == [False] * 4 + [True, True]
    assert all(e.actor_id is None and "password" not in e.changes for e in failed)


def test_a_battery_of_guesses_gets_four_tries(staff: User) -> None:
    """The attacker's run (336 passwords in 4 minutes, the right one still working) made again: on both
    doors only the first four guesses are even checked; the right password among the rest fails too."""
    page, api = Client(), Client()
    answers = [login(page, "sari", f"tebakan-{n}").status_code for n in range(60)]
    answers += [login(page, "sari", PASSWORD).status_code]
    assert answers == [200] * 4 + [429] * 57
    answers = [token(api, "sari", f"tebakan-{n}", ip=OFFICE).status_code for n in range(60)]
    answers += [token(api, "sari", PASSWORD, ip=OFFICE).status_code]
    assert answers == [400] * 4 + [429] * 57
    assert AuditEvent.objects.filter(action="login_failed").count() == 122
    assert not signed_in(page)


def test_unknown_usernames_are_audited_and_locked_too(db: Any) -> None:
    client = Client()
    for _ in range(5):
        response = login(client, "tidak-ada", "apa-saja")
    assert response.status_code == 429
    assert AuditEvent.objects.filter(action="login_failed", entity_id="tidak-ada").count() == 5


def test_lockout_is_per_username_and_address(staff: User) -> None:
    User.objects.create_user(username="budi", password=PASSWORD, role=Role.NATIONAL_ADMIN)
    attacker = Client()
    for _ in range(5):
        login(attacker, "sari", "salah-tebak")
    assert login(attacker, "sari", PASSWORD).status_code == 429

    # Sari from her office is not locked out by the attacker...
    colleague = Client()
    assert login(colleague, "sari", PASSWORD, ip=OFFICE).status_code == 302
    # ... nor is another user behind the attacker's address (one NAT, a whole office).
    neighbour = Client()
    assert login(neighbour, "budi", PASSWORD, ip=ATTACKER).status_code == 302


def test_a_successful_sign_in_forgets_earlier_failures(staff: User) -> None:
    client = Client()
    for _ in range(4):
        login(client, "sari", "salah-tebak")
    assert login(client, "sari", PASSWORD).status_code == 302
    client.post("/logout/")
    for _ in range(4):
        assert login(client, "sari", "salah-tebak").status_code == 200
    assert login(client, "sari", PASSWORD).status_code == 302


def test_token_endpoint_locks_the_same_way(staff: User) -> None:
    client = Client()
    for _ in range(4):
        response = token(client, "sari", "salah-tebak")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "non_field_errors"
    response = token(client, "sari", "salah-tebak")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    errors = response.json()["errors"]
    assert errors[0]["field"] == "username"
    assert "15" in errors[0]["message"]
    assert int(response["Retry-After"]) == 15 * 60

    response = token(client, "sari", PASSWORD)
    assert response.status_code == 429
    assert "token" not in response.json()

    # Another address is not locked; after the cool-off the attacker's address gets the token too.
    assert token(Client(), "sari", PASSWORD, ip=OFFICE).status_code == 200
    cool_off_passes()
    response = token(client, "sari", PASSWORD)
    assert response.status_code == 200
    assert response.json()["token"]
    assert AuditEvent.objects.filter(action="login_failed", changes__path=TOKEN_URL).count() == 6


def test_failures_on_the_token_endpoint_and_the_page_add_up(staff: User) -> None:
    client = Client()
    for _ in range(3):
        token(client, "sari", "salah-tebak")
    login(client, "sari", "salah-tebak")
    assert login(client, "sari", "salah-tebak").status_code == 429


def test_admin_login_is_locked_too(staff: User) -> None:
    client = Client()
    for _ in range(5):
        response = client.post(
            "/admin/login/", {"username": "sari", "password": "salah-tebak"}, REMOTE_ADDR=ATTACKER
        )
    assert response.status_code == 429
    response = client.post("/admin/login/", {"username": "sari", "password": PASSWORD}, REMOTE_ADDR=ATTACKER)
    assert response.status_code == 429
    assert not signed_in(client)


@override_settings(AXES_FAILURE_LIMIT=2, AXES_COOLOFF_TIME=dt.timedelta(minutes=1))
def test_limit_and_cool_off_come_from_settings(staff: User) -> None:
    client = Client()
    login(client, "sari", "salah-tebak")
    response = login(client, "sari", "salah-tebak")
    assert response.status_code == 429
    assert "dikunci selama 1 menit" in response.content.decode()


def test_client_address_behind_proxies() -> None:
    factory = RequestFactory()
    forged = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    # No proxy configured: the peer is the client and the header is the client's to forge.
    assert client_ip(forged) == "10.0.0.2"
    with override_settings(CAKUPAN_PROXY_COUNT=1):
        # One proxy: the address it appended (the right-most), not the forged one on the left.
        assert client_ip(forged) == "203.0.113.9"
    with override_settings(CAKUPAN_PROXY_COUNT=2):
        assert client_ip(forged) == "1.2.3.4"
        alone = factory.get("/", REMOTE_ADDR="10.0.0.2")
        assert client_ip(alone) == "10.0.0.2"
