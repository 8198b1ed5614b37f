"""Django's four password validators, ten characters at least: the attacker's `83749201` is refused, in
Indonesian on an Indonesian page."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from cakupan.accounts.models import Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(db: Any) -> User:
    return User.objects.create_user(
        username="sariwulandari", first_name="Sari", email="sari@example.go.id", role=Role.NATIONAL_ADMIN
    )


def refusals(password: str, user: User) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return [str(e.code) for e in exc.error_list]
    return []


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("83749201", {"password_too_short", "password_entirely_numeric"}),
        ("8374920155", {"password_entirely_numeric"}),
        ("password123", {"password_too_common"}),
        ("Kunci-9x", {"password_too_short"}),
        ("sariwulandari", {"password_too_similar"}),
        ("Kata-sandi-benar-42", set()),
    ],
)
def test_each_validator_refuses_its_case(user: User, password: str, codes: set[str]) -> None:
    assert set(refusals(password, user)) == codes


def test_refusals_speak_indonesian_on_the_set_password_form(user: User) -> None:
    with translation.override("id"):
        form = SetPasswordForm(user, {"new_password1": "83749201", "new_password2": "83749201"})
        assert not form.is_valid()
        text = " ".join(str(error) for error in form.errors["new_password2"])
    assert "terlalu pendek" in text
    assert "angka" in text  # "seluruhnya angka": entirely numeric
