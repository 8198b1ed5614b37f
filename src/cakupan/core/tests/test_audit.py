"""Audit events: who did what to which object, with the changed fields, in the change's own transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from conftest import World
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from cakupan.core.audit import audit_record, diff, snapshot
from cakupan.core.models import AuditEvent
from cakupan.registry import services
from cakupan.registry.models import Person
from cakupan.registry.nik import nik_compose


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # The world's users cost seconds of PBKDF2 per test; password hashing is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_snapshot_gives_ids_for_foreign_keys_and_iso_dates(world: World) -> None:
    assert snapshot(world.nurse, ["address_region", "birth_date", "sex"]) == {
        "address_region": "35.73.01",
        "birth_date": "1990-03-05",
        "sex": "P",
    }


def test_diff_keeps_only_changes_and_never_a_password() -> None:
    before = {"a": 1, "b": "x", "password": "old"}
    after = {"a": 1, "b": "y", "password": "new", "c": None}
    assert diff(before, after) == {"b": ["x", "y"]}
    assert diff({}, {"c": 3}) == {"c": [None, 3]}


def test_audit_record_names_the_actor_and_the_object(world: World) -> None:
    event = audit_record(
        actor=world.branch_malang, action="update", instance=world.hospital, changes={"x": [1, 2]}
    )
    event.refresh_from_db()
    assert (event.actor_id, event.action, event.entity, event.entity_id) == (
        world.branch_malang.pk,
        "update",
        "registry.employer",
        str(world.hospital.pk),
    )
    assert event.changes == {"x": [1, 2]}
    assert event.at is not None


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_a_system_action_has_no_actor(db: Any, actor: Any) -> None:
    event = audit_record(actor=actor, action="load", entity="regions.region", changes={"created": 0})
    assert (event.actor_id, event.entity, event.entity_id) == (None, "regions.region", "")


def _register_then_fail(world: World, events_before: int) -> None:
    born = dt.date(1991, 4, 4)
    with transaction.atomic():
        services.person_register(
            actor=world.admin,
            nik=nik_compose(district_code="35.07.01", birth_date=born, sex="L", serial=5),
            full_name="Sementara",
            birth_date=born,
            sex="L",
            address_region="35.07.01",
        )
        assert AuditEvent.objects.count() == events_before + 1
        raise RuntimeError("a later step of the same request fails")


def test_the_event_is_rolled_back_with_its_change(world: World) -> None:
    events, persons = AuditEvent.objects.count(), Person.objects.count()
    with pytest.raises(RuntimeError):
        _register_then_fail(world, events)
    assert (AuditEvent.objects.count(), Person.objects.count()) == (events, persons)


def test_every_world_write_left_one_event(world: World) -> None:
    # conftest builds the world through services: 2 offices, 2 employers, 1 sponsor, 3 persons,
    # 2 employments, 2 memberships.
    # (The regions were loaded once per test database, before any test: that event is not the world's.)
    actions = list(AuditEvent.objects.exclude(entity="regions.region").values_list("entity", "action"))
    assert sorted(actions) == sorted(
        [("regions.branchoffice", "create")] * 2
        + [("registry.employer", "create")] * 2
        + [("registry.sponsor", "create")]
        + [("registry.person", "create")] * 3
        + [("registry.employment", "create")] * 2
        + [("registry.membership", "create")] * 2
    )
    assert set(AuditEvent.objects.filter(entity__startswith="registry.").values_list("actor", flat=True)) == {
        world.admin.pk
    }
