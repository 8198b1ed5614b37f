"""Shared by the registry service tests: row counts, refusal checks, audit checks, valid input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from conftest import World

from cakupan.core.errors import InvalidInput
from cakupan.core.models import AuditEvent
from cakupan.registry import services
from cakupan.registry.models import Employer, Employment, Membership, Person, Sponsor
from cakupan.registry.nik import nik_compose

MODELS = (Person, Employer, Employment, Membership, Sponsor, AuditEvent)
TODAY = dt.date.today()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def refused(call: Callable[[], Any], field: str) -> InvalidInput:
    """`call` raises InvalidInput naming `field`, and no row of any kind was written."""
    before = counts()
    with pytest.raises(InvalidInput) as caught:
        call()
    assert field in [e.field for e in caught.value.errors], caught.value.errors
    assert counts() == before
    return caught.value


def one_new_event(before: int, *, actor: Any, action: str, instance: Any) -> AuditEvent:
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert event.actor_id == actor.pk
    assert event.action == action
    assert event.entity == instance._meta.label_lower
    assert event.entity_id == str(instance.pk)
    return event


def person_kwargs(
    *, district: str = "35.07.01", born: dt.date = dt.date(1988, 8, 17), sex: str = "L", serial: int = 11
) -> dict[str, Any]:
    return {
        "nik": nik_compose(district_code=district, birth_date=born, sex=sex, serial=serial),
        "full_name": "Budi  Santoso ",
        "birth_date": born,
        "sex": sex,
        "address_region": district,
        "phone": "+62 812-3456-7890",
    }


def new_person(world: World, serial: int = 11, **overrides: Any) -> Person:
    return services.person_register(actor=world.admin, **{**person_kwargs(serial=serial), **overrides})
