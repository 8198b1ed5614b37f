"""A billing run's lifecycle seen from outside: its audit event, its bills hidden until it completes, one
live run per period (on both databases; the subprocess kills are in test_billing_kill.py)."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from cakupan.contributions import selectors_payments as sel
from cakupan.contributions.models import Bill, BillingRun
from cakupan.contributions.services.billing import billing_run, billing_run_prepare
from cakupan.contributions.services.billing_jobs import JOB_KIND
from cakupan.contributions.tests.factories import pu_member_make
from cakupan.core.audit import command_audited
from cakupan.core.errors import InvalidInput
from cakupan.core.models import AuditEvent
from cakupan.jobs.services import job_create, job_run

pytestmark = pytest.mark.django_db
PERIOD = "2025-04"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_run_records_one_audit_event_with_its_counts_and_actor(world: Any) -> None:
    for serial in range(3):
        pu_member_make(world.admin, world.factory, serial, wage=5_000_000)
    admin = _second_admin()
    run = billing_run(period=PERIOD, actor=admin)
    event = AuditEvent.objects.get(action="billing.run")
    assert (event.actor_id, event.entity, event.entity_id) == (
        admin.pk,
        "contributions.billingrun",
        str(run.pk),
    )
    due = sum(Bill.objects.filter(period=PERIOD).values_list("amount_due", flat=True))
    assert event.changes == {
        "period": PERIOD,
        "members": 4,
        "assessed": 4,
        "skipped": 0,
        "bills": 3,  # the hospital, the factory, the government's JKP
        "lines": 8,
        "new_bills": 3,
        "new_lines": 8,
        "amount_due": due,
    }
    assert due > 0
    assert event.os_user == ""  # not the command line


def test_a_resumed_run_records_one_event(world: Any) -> None:
    for serial in range(5):
        pu_member_make(world.admin, world.factory, serial, wage=5_000_000)
    billing_run(period=PERIOD, chunk_size=2, stop_after_chunks=1)
    assert not AuditEvent.objects.filter(action="billing.run").exists()
    billing_run(period=PERIOD, chunk_size=2)
    assert AuditEvent.objects.filter(action="billing.run").count() == 1


def test_a_job_run_names_the_user_who_started_it(world: Any) -> None:
    admin = _second_admin()
    run = billing_run_prepare(period=PERIOD, actor=admin)
    job = job_create(kind=JOB_KIND, parameters={"period": PERIOD, "run": run.pk}, actor=admin)
    assert job_run(job_id=job.pk).status == "done"
    assert AuditEvent.objects.get(action="billing.run").actor_id == admin.pk


def test_bills_of_an_unfinished_run_are_hidden_from_every_reader(world: Any) -> None:
    for serial in range(5):
        pu_member_make(world.admin, world.factory, serial, wage=5_000_000)
    run = billing_run(period=PERIOD, chunk_size=2, stop_after_chunks=1)
    written = Bill.objects.filter(period=PERIOD)
    assert written.exists()
    assert set(written.values_list("amount_due", flat=True)) == {0}  # totals come at the end
    assert not sel.bill_list(user=world.admin).exists()
    account = written.first().account  # type: ignore[union-attr]
    assert sel.statement(account=account, as_of=dt.date(2026, 1, 1))["bills"] == []
    assert sel.arrears_by_payer(user=world.admin, as_of=dt.date(2026, 1, 1)) == []
    api = APIClient()
    api.force_authenticate(world.admin)
    assert api.get(reverse("api-bill-list")).json()["count"] == 0
    billing_run(period=PERIOD, run=run)
    visible = list(sel.bill_list(user=world.admin).values_list("amount_due", flat=True))
    assert len(visible) == 3
    assert 0 not in visible
    assert api.get(reverse("api-bill-list")).json()["count"] == 3


def test_a_second_start_is_refused_while_the_run_lives_and_resumes_once_it_died(world: Any) -> None:
    for serial in range(3):
        pu_member_make(world.admin, world.factory, serial, wage=5_000_000)
    run = billing_run(period=PERIOD, chunk_size=2, stop_after_chunks=1)
    # The run as another live process holds it (our parent process lives as long as we do).
    BillingRun.objects.filter(pk=run.pk).update(pid=os.getppid())
    for start in (billing_run_prepare, billing_run):
        with pytest.raises(InvalidInput) as exc:
            start(period=PERIOD)
        assert exc.value.errors[0].field == "period"
        assert f"{PERIOD} " in exc.value.errors[0].message  # names the period held
    out = io.StringIO()
    with pytest.raises(SystemExit) as code:
        call_command("billing", "run", "--period", PERIOD, stdout=out, stderr=io.StringIO())
    assert code.value.code == 2
    assert json.loads(out.getvalue())["errors"][0]["field"] == "period"
    # Its process died: the next start takes it over and finishes it.
    BillingRun.objects.filter(pk=run.pk).update(pid=_dead_pid())
    done = billing_run(period=PERIOD)
    assert done.pk == run.pk
    assert done.status == "done"
    assert BillingRun.objects.count() == 1


def test_the_database_refuses_a_second_active_run_of_a_period(world: Any) -> None:
    from django.db import IntegrityError, transaction

    BillingRun.objects.create(period=PERIOD, status="running", pid=os.getppid())
    with pytest.raises(IntegrityError), transaction.atomic():
        BillingRun.objects.create(period=PERIOD, status="queued")
    BillingRun.objects.create(period=PERIOD, status="done")  # finished runs of a period are many


def test_the_command_names_its_user_and_the_os_account(world: Any) -> None:
    admin = _second_admin()
    with command_audited("operator"):
        call_command(
            "billing",
            "run",
            "--period",
            PERIOD,
            "--user",
            admin.username,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    event = AuditEvent.objects.get(action="billing.run")
    assert (event.actor_id, event.os_user) == (admin.pk, "operator")


def test_a_second_page_start_is_refused_while_the_first_job_waits(world: Any) -> None:
    from cakupan.contributions.services.billing_jobs import billing_run_start

    first = billing_run_start(period=PERIOD, actor=world.admin)  # its process starts at commit: pending
    with pytest.raises(InvalidInput) as exc:
        billing_run_start(period=PERIOD, actor=world.admin)
    assert exc.value.errors[0].field == "period"
    assert BillingRun.objects.get().job_id == first.pk


def test_a_finished_run_is_not_run_again(world: Any) -> None:
    done = billing_run(period=PERIOD)
    with pytest.raises(InvalidInput) as exc:
        billing_run(period=PERIOD, run=done)
    assert exc.value.errors[0].field == "period"
    assert BillingRun.objects.get().status == "done"


def _second_admin() -> Any:
    """A national admin who is not the first one: billing and snapshots are national work (Perm.BILLING_RUN,
    Perm.SNAPSHOT_BUILD), and the event must name this user, not the command line's fallback."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username="pusat_kedua", role="national_admin")
