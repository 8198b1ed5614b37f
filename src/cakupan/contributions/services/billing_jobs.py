"""The billing run as a background job, for pages: `billing_run_start(period=, actor=)`."""

from __future__ import annotations

from typing import Any

from cakupan.accounts.permissions import Perm, require
from cakupan.jobs.models import Job
from cakupan.jobs.services import job_kind_register, job_progress, job_start

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
