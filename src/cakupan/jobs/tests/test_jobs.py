"""Jobs: recording, running through `cakupan jobs run <id>` (synchronously here), failure capture."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command

from cakupan.contributions.models import BillingRun, BillLine
from cakupan.contributions.services.billing_jobs import billing_run_start
from cakupan.core.errors import InvalidInput
from cakupan.jobs.models import Job
from cakupan.jobs.services import job_create, job_kind_register

pytestmark = pytest.mark.django_db


def test_billing_job_runs_to_done_through_the_command(world: Any) -> None:
    job = billing_run_start(period="2025-04", actor=world.admin)
    assert job.status == "queued"
    run = BillingRun.objects.get(job=job)
    assert run.status == "queued"
    out = io.StringIO()
    call_command("jobs", "run", str(job.pk), stdout=out)
    job.refresh_from_db()
    run.refresh_from_db()
    assert job.status == "done", job.error
    assert (job.progress_done, job.progress_total) == (1, 1)
    assert job.result is not None
    assert job.result["run"] == run.pk
    assert run.status == "done"
    assert BillLine.objects.filter(bill__run=run).count() == 2
    assert json.loads(out.getvalue())["status"] == "done"


def test_a_job_runs_once(world: Any) -> None:
    job = billing_run_start(period="2025-04", actor=world.admin)
    call_command("jobs", "run", str(job.pk), stdout=io.StringIO())
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("jobs", "run", str(job.pk), stdout=out)
    assert exc.value.code == 2
    assert "not queued" in out.getvalue()


def test_a_failing_job_is_recorded_failed() -> None:
    def broken(*, job: Job, parameters: dict[str, Any], actor: Any) -> None:
        raise ValueError(f"bad parameter {parameters['x']}")

    job_kind_register("test_broken", broken)
    job = job_create(kind="test_broken", parameters={"x": 7})
    with pytest.raises(SystemExit) as exc:
        call_command("jobs", "run", str(job.pk), stdout=io.StringIO())
    assert exc.value.code == 1
    job.refresh_from_db()
    assert job.status == "failed"
    assert "bad parameter 7" in job.error
    assert job.finished_at is not None


def test_unknown_kind_and_bad_period_are_refused(world: Any) -> None:
    with pytest.raises(InvalidInput):
        job_create(kind="no_such_kind", parameters={})
    with pytest.raises(InvalidInput):
        billing_run_start(period="2025-13", actor=world.admin)
    assert not Job.objects.exists()
    assert not BillingRun.objects.exists()


def test_a_billing_run_records_its_execution_in_one_job(world: Any) -> None:
    """The run keeps billing's state; status, log and times of its execution are its job's, for the page's
    run (inside its job) and the command line's (a job of its own) alike."""
    from cakupan.contributions.services.billing import billing_run

    page_job = billing_run_start(period="2025-04", actor=world.admin)
    call_command("jobs", "run", str(page_job.pk), stdout=io.StringIO())
    page_job.refresh_from_db()
    assert BillingRun.objects.get(period="2025-04").job_id == page_job.pk
    assert Job.objects.filter(kind="billing_run").count() == 1  # no second job for the same execution
    assert "done: 1 members" in page_job.log
    run = billing_run(period="2025-05", actor=world.admin)
    assert run.job is not None
    own = Job.objects.get(pk=run.job.pk)
    assert (own.kind, own.status, own.parameters) == (
        "billing_run",
        "done",
        {"period": "2025-05", "run": run.pk},
    )
    assert own.started_at is not None
    assert own.finished_at is not None
    assert own.result is not None
    assert own.result["counts"]["members"] == run.counts["members"]
    assert "started: " in own.log
    assert "done: " in own.log
    assert not hasattr(run, "log")
