"""Bulk runs started from the command line or as a job: one audit event each, with its counts, naming the
user (--user, or the job's starter) and the operating-system account."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import World
from django.contrib.auth import get_user_model
from django.core.management import call_command

from cakupan.contributions.tests.payment_fixtures import account_make
from cakupan.core.audit import command_audited
from cakupan.core.models import AuditEvent
from cakupan.coverage.services.snapshots import JOB_KIND
from cakupan.jobs.services import job_create, job_run

pytestmark = pytest.mark.django_db


def test_payments_import_names_the_user_and_the_os_account(world: World, tmp_path: Path) -> None:
    account_make(va="8810000000000001", employer=world.hospital)
    csv = tmp_path / "statement.csv"
    csv.write_text("virtual_account,amount,date,reference\n8810000000000001,100000,2025-06-01,R1\n")
    with command_audited("operator"):
        call_command("payments", "import", str(csv), "--user", "staf_malang", stdout=io.StringIO())
    event = AuditEvent.objects.get(action="payment.import_statement")
    assert (event.actor_id, event.os_user) == (world.branch_malang.pk, "operator")
    assert (event.changes["recorded"], event.changes["amount_recorded"], event.changes["held"]) == (
        1,
        100_000,
        0,
    )


def test_a_snapshot_command_without_user_is_not_anonymous(world: World) -> None:
    with command_audited("cron"):
        call_command("coverage", "snapshot", "--period", "2025-05", stdout=io.StringIO())
    event = AuditEvent.objects.get(action="coverage.snapshot_build")
    assert (event.actor_id, event.os_user) == (world.admin.pk, "cron")
    assert event.changes["active"] >= 1


def test_a_snapshot_job_names_its_starter(world: World) -> None:
    admin = get_user_model().objects.create_user(username="pusat_kedua", role="national_admin")
    job = job_create(kind=JOB_KIND, parameters={"period": "2025-05"}, actor=admin)
    assert job_run(job_id=job.pk).status == "done"
    event = AuditEvent.objects.get(action="coverage.snapshot_build")
    assert event.actor_id == admin.pk
    assert set(event.changes) == {"replaced_rows", "regency_rows", "province_rows", "facility_rows", "active"}
