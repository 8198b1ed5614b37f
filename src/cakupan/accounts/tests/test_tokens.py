"""API tokens expire CAKUPAN_TOKEN_TTL_HOURS after issue: refused with 401 in the errors shape, deleted,
and replaced by the token endpoint. Age is given by moving `created` back, not by waiting."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token

from cakupan.accounts.models import Role, User
from cakupan.core.models import AuditEvent

PASSWORD = "Kata-sandi-benar-42"
TOKEN_URL = "/api/v1/auth/token/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(db: Any) -> User:
    return User.objects.create_user(username="skrip", password=PASSWORD, role=Role.NATIONAL_ADMIN)


def issue(client: Client) -> str:
    response = client.post(
        TOKEN_URL, {"username": "skrip", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


def regions(key: str) -> Any:
    return Client().get("/api/v1/regions/", HTTP_AUTHORIZATION=f"Token {key}")


def age(key: str, by: dt.timedelta) -> None:
    token = Token.objects.get(key=key)
    Token.objects.filter(key=key).update(created=token.created - by)


def test_default_ttl_is_twelve_hours() -> None:
    assert settings.CAKUPAN_TOKEN_TTL_HOURS == 12


def test_token_works_until_the_ttl_then_is_refused_and_deleted(user: User) -> None:
    key = issue(Client())
    assert regions(key).status_code == 200
    # Still valid a minute before the end; the same token is handed out again.
    age(key, dt.timedelta(hours=12) - dt.timedelta(minutes=1))
    assert regions(key).status_code == 200
    assert issue(Client()) == key

    age(key, dt.timedelta(minutes=2))
    response = regions(key)
    assert response.status_code == 401
    errors = response.json()["errors"]
    assert errors[0]["field"] == "non_field_errors"
    assert "/api/v1/auth/token/" in errors[0]["message"]
    assert not Token.objects.filter(key=key).exists()
    assert AuditEvent.objects.filter(action="token_expired", entity_id=str(user.pk)).count() == 1


def test_token_endpoint_replaces_an_expired_token(user: User) -> None:
    old = issue(Client())
    age(old, dt.timedelta(hours=13))
    new = issue(Client())
    assert new != old
    assert regions(new).status_code == 200
    assert list(Token.objects.filter(user=user).values_list("key", flat=True)) == [new]
    assert AuditEvent.objects.filter(action="create", entity="authtoken.token").count() == 2


@override_settings(CAKUPAN_TOKEN_TTL_HOURS=1)
def test_ttl_comes_from_settings(user: User) -> None:
    key = issue(Client())
    age(key, dt.timedelta(minutes=61))
    assert regions(key).status_code == 401


def test_a_wrong_token_is_refused_in_the_errors_shape(user: User) -> None:
    response = regions("0" * 40)
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "non_field_errors"
