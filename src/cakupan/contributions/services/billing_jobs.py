"""The billing run as a background job, for pages: `billing_run_start(period=, actor=)`.

Every execution of a billing run is recorded by a `Job`: status, log, start and end of the execution are
the job's, and the run keeps what is billing's (period, cursor, counts, duration, and its own status, which
says whether its bills are complete and holds the period). A page's run executes inside its job; the command
line's (and the schedule's) gets a job of its own (`run_job_ensure`), ended with the run (`run_job_end`).
"""

from __future__ import annotations

import os
import traceback
from typing import Any

from django.utils import timezone

from cakupan.accounts.permissions import Perm, require
from cakupan.jobs.models import Job
from cakupan.jobs.services import HOST, job_kind_register, job_progress, job_start

JOB_KIND = "billing_run"


def _billing_job(*, job: Job, parameters: dict[str, Any], actor: Any) -> dict[str, Any]:
    from cakupan.contributions.models import BillingRun
    from cakupan.contributions.services.billing import billing_run

    def progress(done: int, total: int) -> None:
        job_progress(job, done=done, total=total)

    run = BillingRun.objects.get(pk=parameters["run"]) if parameters.get("run") else None
    run = billing_run(period=parameters["period"], actor=actor, progress=progress, run=run)
    return {"run": run.pk, "status": run.status, "counts": run.counts}


def register_job_kinds() -> None:
    # Safe to repeat: a run resumes its period from its cursor (the last chunk committed).
    job_kind_register(JOB_KIND, _billing_job, retries=2, heavy=True)


def billing_run_start(*, period: str, actor: Any) -> Job:
    """Check the period, record a queued BillingRun and start it as a job (InvalidInput for a bad period)."""
    from cakupan.contributions.services.billing import billing_run_prepare

    require(actor, Perm.BILLING_RUN)
    run = billing_run_prepare(period=period, actor=actor)
    job = job_start(kind=JOB_KIND, parameters={"period": run.period, "run": run.pk}, actor=actor)
    run.job = job
    run.save(update_fields=["job"])
    return job


def run_job_ensure(run: Any, *, actor: Any) -> bool:
    """Give `run` the job that records this execution: the job this process runs it in (a page's, a retry),
    else a new one held running by this process (the command line, the schedule). True when new."""
    job = Job.objects.filter(pk=run.job_id).first() if run.job_id else None
    if job is not None and job.status == Job.Status.RUNNING and job.pid in (os.getpid(), os.getppid()):
        run.job = job
        return False
    job = Job.objects.create(
        kind=JOB_KIND,
        parameters={"period": run.period, "run": run.pk},
        actor=actor if getattr(actor, "pk", None) is not None else None,
        status=Job.Status.RUNNING,
        pid=os.getpid(),
        host=HOST,
        started_at=timezone.now(),
        attempts=1,
    )
    type(run).objects.filter(pk=run.pk).update(job=job)
    run.job = job
    return True


def run_job_end(run: Any, *, own: bool, error: Exception | None) -> None:
    """End the job `run_job_ensure` made (a page's job is ended by jobs.services.job_run). A run stopped
    early (a test standing for a kill) leaves its job running, as a killed process would."""
    if not own or run.job is None:
        return
    running = Job.objects.filter(pk=run.job.pk, status=Job.Status.RUNNING)
    if error is not None:
        reason = f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=5)}"
        running.update(status=Job.Status.FAILED, error=reason, finished_at=timezone.now())
    elif run.status == "done":
        result = {"run": run.pk, "status": run.status, "counts": run.counts}
        running.update(status=Job.Status.DONE, result=result, finished_at=timezone.now())
