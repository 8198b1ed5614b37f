"""An approved field agent of Kantor Cabang Malang serving Kabupaten Malang (35.07), made through the field
app's services as branch staff would."""

from __future__ import annotations

from typing import Any

import pytest

from cakupan.accounts.models import User

AGENT_PASSWORD = "Lapangan-Malang-2026"


def make_agent(world: Any, username: str = "agen_uji", regions: tuple[str, ...] = ("35.07",)) -> User:
    from cakupan.field.services.agents import agent_register, agent_status_set

    agent = agent_register(
        actor=world.branch_malang,
        username=username,
        password=AGENT_PASSWORD,
        full_name="Agen Uji",
        branch_office=world.malang,
        regions=list(regions),
    )
    agent_status_set(actor=world.branch_malang, agent=agent, action="approve")
    return User.objects.get(username=username)


@pytest.fixture
def agent(world: Any) -> User:
    return make_agent(world)
