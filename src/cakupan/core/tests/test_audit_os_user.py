"""Writes through the command line name the operating-system account that ran them (AuditEvent.os_user),
with or without --user; pages and the API leave it empty."""

from __future__ import annotations

import getpass
from typing import Any

import pytest
from conftest import World
from django.contrib.auth import get_user_model
from django.db import connections

from cakupan import cli
from cakupan.core.audit import audit_record, command_audited
from cakupan.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_events_inside_a_command_name_the_os_user_and_only_there(world: World) -> None:
    with command_audited("deploy") as name:
        inside = audit_record(actor=None, action="load", entity="regions.region")
    outside = audit_record(actor=world.admin, action="load", entity="regions.region")
    assert name == "deploy"
    assert inside.os_user == "deploy"
    assert outside.os_user == ""


def _cakupan(monkeypatch: Any, capsys: Any, *argv: str) -> str:
    monkeypatch.setattr("sys.argv", ["cakupan", *argv])
    # A command closes every connection when it ends; the test's transaction lives on that connection.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    cli.main()
    return str(capsys.readouterr().out)


def test_the_cakupan_entry_point_records_the_os_user_without_user(
    world: World, monkeypatch: Any, capsys: Any
) -> None:
    _cakupan(monkeypatch, capsys, "billing", "run", "--period", "2025-04")
    event = AuditEvent.objects.get(action="billing.run")
    assert event.os_user == getpass.getuser()
    assert event.actor_id == world.admin.pk  # the first national admin's authority, and who ran it


def test_the_cakupan_entry_point_records_the_named_user(world: World, monkeypatch: Any, capsys: Any) -> None:
    admin = get_user_model().objects.create_user(username="pusat_kedua", role="national_admin")
    _cakupan(monkeypatch, capsys, "billing", "run", "--period", "2025-04", "--user", admin.username)
    event = AuditEvent.objects.get(action="billing.run")
    assert (event.actor_id, event.os_user) == (admin.pk, getpass.getuser())
    assert AuditEvent.objects.exclude(os_user=getpass.getuser()).filter(action="billing.run").count() == 0
