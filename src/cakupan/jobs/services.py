"""Starting and running persisted background jobs.

A job kind is a name registered with `job_kind_register(kind, func)`; `func(job=, parameters=, actor=)`
does the work, may call `job_progress(job, done=, total=)` and `job_log(job, text)`, and returns a JSON
result. `job_start` records the job and launches `cakupan jobs run <id>` as a detached process, so a page
answers at once and the work survives the request; `job_run` is what that process (or a test) calls.
Works on SQLite (WAL, see settings) and PostgreSQL: the job row is the only shared state.
"""

from __future__ import annotations

import os
import subprocess
import sys
import traceback
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cakupan.accounts.permissions import SYSTEM
from cakupan.core.errors import InvalidInput
from cakupan.jobs.models import Job

JobFunc = Callable[..., Any]
JOB_KINDS: dict[str, JobFunc] = {}


def job_kind_register(kind: str, func: JobFunc) -> None:
    JOB_KINDS[kind] = func


def job_create(*, kind: str, parameters: dict[str, Any], actor: Any = None) -> Job:
    if kind not in JOB_KINDS:
        raise InvalidInput.single("kind", f"Unknown job kind: {kind}.")
    user = actor if getattr(actor, "pk", None) is not None else None
    return Job.objects.create(kind=kind, parameters=parameters, actor=user)


def job_start(*, kind: str, parameters: dict[str, Any], actor: Any = None) -> Job:
    """Record a job and run it in a detached `cakupan jobs run <id>` process; returns the queued job."""
    job = job_create(kind=kind, parameters=parameters, actor=actor)

    def launch() -> None:
        log_path = settings.VAR_DIR / f"job-{job.pk}.log"
        with open(log_path, "ab") as out:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
                [sys.executable, "-m", "cakupan.cli", "jobs", "run", str(job.pk)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # detached: survives the web worker that started it
                env=os.environ.copy(),
            )
        Job.objects.filter(pk=job.pk).update(pid=process.pid)

    # The child reads the row: launch only once it is committed.
    transaction.on_commit(launch)
    return job


def job_progress(job: Job, *, done: int, total: int | None = None) -> None:
    job.progress_done = done
    fields = {"progress_done": done}
    if total is not None:
        job.progress_total = total
        fields["progress_total"] = total
    Job.objects.filter(pk=job.pk).update(**fields)


def job_log(job: Job, text: str) -> None:
    job.log = f"{job.log}{text}\n"
    Job.objects.filter(pk=job.pk).update(log=job.log)


def job_run(*, job_id: int) -> Job:
    """Run a queued job in this process; the job ends done or failed, never leaves an exception behind."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now(), pid=os.getpid()
    )
    job = Job.objects.get(pk=job_id)
    if not claimed:
        raise InvalidInput.single("job", f"Job {job_id} is {job.status}, not queued.")
    func = JOB_KINDS.get(job.kind)
    try:
        if func is None:
            raise LookupError(f"unknown job kind {job.kind!r}")
        # A job no user started (cron, the command line) runs as SYSTEM; services check either.
        result = func(job=job, parameters=job.parameters, actor=job.actor or SYSTEM)
    except Exception as exc:
        job.status = Job.Status.FAILED
        job.error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"
        job.result = None
    else:
        job.status = Job.Status.DONE
        job.result = result
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "result", "finished_at"])
    return job
