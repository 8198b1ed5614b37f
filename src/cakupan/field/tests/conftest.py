"""Fixtures of the field tests: an approved agent of Kantor Cabang Malang serving Kabupaten Malang (35.07),
a second one, and items as a phone sends them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from cakupan.field.models import Agent
from cakupan.field.services.agents import agent_register, agent_status_set
from cakupan.registry.nik import nik_compose


def approved_agent(world: Any, username: str, regions: list[str] | None = None) -> Agent:
    agent = agent_register(
        actor=world.branch_malang,
        username=username,
        password="pw-" + username + "-long",
        full_name=f"Agen {username}",
        branch_office=world.malang.pk,
        regions=regions or ["35.07"],
    )
    return agent_status_set(actor=world.branch_malang, agent=agent, action="approve")


@pytest.fixture
def agent(world: Any) -> Agent:
    return approved_agent(world, "agen_satu")


@pytest.fixture
def agent2(world: Any) -> Agent:
    return approved_agent(world, "agen_dua")


def enrolment(serial: int, **over: Any) -> dict[str, Any]:
    born = dt.date(1988, 4, 9)
    item = {
        "client_id": str(uuid.uuid4()),
        "kind": "enrolment",
        "nik": nik_compose(district_code="35.07.01", birth_date=born, sex="L", serial=serial),
        "full_name": f"Petani Contoh {serial}",
        "birth_date": born.isoformat(),
        "sex": "L",
        "phone": "081234567890",
        "address_region": "35.07.01",
        "occupation": "petani",
        "declared_income": 1_000_000,
        "programs": ["JKK", "JKM"],
        "consent": True,
    }
    item.update(over)
    return item


def collection(nik: str, receipt: str, **over: Any) -> dict[str, Any]:
    item = {
        "client_id": str(uuid.uuid4()),
        "kind": "collection",
        "nik": nik,
        "amount": 16_800,
        "months": 1,
        "receipt": receipt,
        "collected_at": dt.datetime.now(tz=dt.UTC).replace(microsecond=0).isoformat(),
    }
    item.update(over)
    return item
