"""Accounts created by other apps' services: the role is named here, where roles live."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from cakupan.accounts.models import Role


def agent_user_create(*, username: str, password: str, full_name: str, branch_office: Any) -> Any:
    """The login of a field agent (field.services.agents validates, audits and attaches the Agent row)."""
    return get_user_model().objects.create_user(
        username=username,
        password=password,
        first_name=full_name.strip()[:150],
        role=Role.AGENT,
        branch_office=branch_office,
    )
