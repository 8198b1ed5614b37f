"""An approved field agent, made through the field app's services as branch staff would: for the field
app's tests and its browser test."""

from __future__ import annotations

from typing import Any

from cakupan.accounts.models import User

AGENT_PASSWORD = "Lapangan-Malang-2026"


def make_agent(
    world: Any, username: str = "agen_uji", regions: tuple[str, ...] = ("35.07",), *, status: str = "approved"
) -> User:
    """`status`: approved (the default), registered (not yet approved) or suspended."""
    from cakupan.field.services.agents import agent_register, agent_status_set

    agent = agent_register(
        actor=world.branch_malang,
        username=username,
        password=AGENT_PASSWORD,
        full_name="Agen Uji",
        branch_office=world.malang,
        regions=list(regions),
    )
    if status in ("approved", "suspended"):
        agent_status_set(actor=world.branch_malang, agent=agent, action="approve")
    if status == "suspended":
        agent_status_set(actor=world.branch_malang, agent=agent, action="suspend")
    return User.objects.get(username=username)
