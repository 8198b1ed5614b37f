"""Recording, queueing and running persisted background jobs.

A job kind is a name registered with `job_kind_register(kind, func, retries=, heavy=)`;
`func(job=, parameters=, actor=)` does the work, may call `job_progress(job, done=, total=)` and
`job_log(job, text)`, and returns a JSON result. `job_start` records the job and enqueues a django-tasks
task for it in the same transaction (the queue is a table of the same database), so a page answers at once
and a worker (`cakupan worker`, jobs/worker.py) runs it: in a child process held to the job limits, under
`cakupan jobs run <id>`, which calls `job_run` (as a test or a command may directly).

`retries` says how often a failed job is started again, `CAKUPAN_JOB_RETRY_SECONDS` after its first failure
and twice as long after each next one: only kinds that are safe to repeat have any (docs/design.md, "Jobs").
A job whose worker is gone (killed, the machine stopped) is failed, or queued again when its kind retries:
`job_reap_dead` (each worker, every few seconds) and `job_refresh` (the page that polls one job) find it.
Works on SQLite (WAL, see settings) and PostgreSQL: the job row and the task row are the only shared state.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from cakupan.accounts.permissions import SYSTEM
from cakupan.core.errors import InvalidInput
from cakupan.jobs.models import Job

JobFunc = Callable[..., Any]
HOST = socket.gethostname()
GONE = "failed: its process is gone (killed, or the machine stopped)"


@dataclass(frozen=True)
class JobKind:
    func: JobFunc
    retries: int = 0  # further attempts after a failure: only for kinds safe to repeat
    heavy: bool = False  # at most CAKUPAN_HEAVY_JOBS of these run at once on a machine


JOB_KINDS: dict[str, JobKind] = {}


def job_kind_register(kind: str, func: JobFunc, *, retries: int = 0, heavy: bool = False) -> None:
    JOB_KINDS[kind] = JobKind(func=func, retries=retries, heavy=heavy)


def job_create(*, kind: str, parameters: dict[str, Any], actor: Any = None) -> Job:
    if kind not in JOB_KINDS:
        raise InvalidInput.single("kind", f"Unknown job kind: {kind}.")
    user = actor if getattr(actor, "pk", None) is not None else None
    return Job.objects.create(kind=kind, parameters=parameters, actor=user)


def job_enqueue(job: Job, *, delay_seconds: float = 0) -> None:
    """Put a queued job on the queue (again): a new task whose id the job keeps; a task that finds the job
    holding another task id does nothing, so an old task never runs a job twice."""
    from cakupan.jobs.tasks import run_job

    task = run_job
    if delay_seconds > 0:
        task = run_job.using(run_after=timezone.now() + dt.timedelta(seconds=delay_seconds))
    result = task.enqueue(job.pk)
    job.task_id = str(result.id)
    Job.objects.filter(pk=job.pk).update(task_id=job.task_id)


def job_start(*, kind: str, parameters: dict[str, Any], actor: Any = None) -> Job:
    """Record a job and queue it for a worker; returns the queued job."""
    job = job_create(kind=kind, parameters=parameters, actor=actor)
    job_enqueue(job)
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


def _claim(job_id: int) -> bool:
    """A job this process may run: one its worker (our parent) has claimed, or a queued one (run directly)."""
    if Job.objects.filter(pk=job_id, status=Job.Status.RUNNING, pid=os.getppid(), host=HOST).exists():
        return True
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING,
        started_at=timezone.now(),
        pid=os.getpid(),
        host=HOST,
        attempts=F("attempts") + 1,
    )
    return bool(claimed)


def job_run(*, job_id: int) -> Job:
    """Run a job in this process; the job ends done or failed, never leaves an exception behind."""
    claimed = _claim(job_id)
    job = Job.objects.get(pk=job_id)
    if not claimed:
        raise InvalidInput.single("job", f"Job {job_id} is {job.status}, not queued.")
    kind = JOB_KINDS.get(job.kind)
    try:
        if kind is None:
            raise LookupError(f"unknown job kind {job.kind!r}")
        # A job no user started (the schedule, the command line) runs as SYSTEM; services check either.
        result = kind.func(job=job, parameters=job.parameters, actor=job.actor or SYSTEM)
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


def job_fail(*, job_id: int, reason: str) -> bool:
    """Marks a job that is still queued or running failed, with `reason` as its error and last log line;
    False if it had already ended (its own process recorded the outcome)."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status not in (Job.Status.QUEUED, Job.Status.RUNNING):
        return False
    return bool(
        Job.objects.filter(pk=job_id, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).update(
            status=Job.Status.FAILED, error=reason, log=f"{job.log}{reason}\n", finished_at=timezone.now()
        )
    )


def retry_delay(attempts: int) -> float:
    """Seconds before the next attempt after `attempts` failed ones: the base, doubled each time."""
    return float(settings.CAKUPAN_JOB_RETRY_SECONDS) * 2 ** max(attempts - 1, 0)


def job_failed(*, job_id: int, reason: str, may_retry: bool = True) -> str:
    """After an attempt failed (the job recorded it, or its process died): queue the job again after its
    back-off when its kind retries and attempts are left, else leave it failed. Returns "retried" or
    "failed"."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        return "failed"
    kind = JOB_KINDS.get(job.kind)
    ending = [Job.Status.QUEUED, Job.Status.RUNNING, Job.Status.FAILED]
    # A job never claimed (attempts 0: a row of an older version) counts as one attempt.
    if may_retry and kind is not None and job.status in ending and max(job.attempts, 1) <= kind.retries:
        delay = retry_delay(job.attempts)
        line = f"{reason.splitlines()[0] if reason else 'failed'}; attempt {job.attempts} of "
        line += f"{kind.retries + 1}, the next in {delay:.0f} s"
        again = Job.objects.filter(pk=job_id, status__in=ending, attempts=job.attempts).update(
            status=Job.Status.QUEUED,
            error=reason,
            log=f"{job.log}{line}\n",
            pid=None,
            host="",
            heartbeat_at=None,
            finished_at=None,
        )
        if again:
            job_enqueue(job, delay_seconds=delay)
            return "retried"
    job_fail(job_id=job_id, reason=reason)
    return "failed"


def _process_alive(pid: int, since: dt.datetime | None) -> bool:
    """Is `pid` still a process that was running at `since` (the job's start)? A zombie is dead, and a
    process started later is another program that was given the same pid (after a restart)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[-1].split()
        with open("/proc/stat", "rb") as system:
            boot = next(int(line.split()[1]) for line in system if line.startswith(b"btime"))
    except (OSError, StopIteration, IndexError):
        return True  # no /proc (not Linux): kill(0) answered, trust it
    if fields[0] == b"Z":  # dead, not yet reaped by its parent
        return False
    started = boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    return since is None or started <= since.timestamp() + 2  # the clock ticks are coarse


def _holder_gone(job: Job) -> bool:
    """A running job's worker is gone: on this host its process is dead (at once); on another host its
    heartbeat is older than the lease. (A job's child dies with its worker: PR_SET_PDEATHSIG.)"""
    if job.host and job.host != HOST:
        lease = dt.timedelta(seconds=float(settings.CAKUPAN_JOB_LEASE_SECONDS))
        return job.heartbeat_at is None or job.heartbeat_at < timezone.now() - lease
    if job.pid is None:
        return False
    since = job.started_at if job.status == Job.Status.RUNNING else None
    return not _process_alive(job.pid, since)


def _orphans() -> list[Job]:
    """Queued jobs whose task a worker took and then lost before claiming the job (killed in between, or the
    task failed outside the job): they are put on the queue again. A task taken less than a lease ago may
    still be on its way to claiming."""
    from django_tasks_db.models import DBTaskResult

    queued = list(Job.objects.filter(status=Job.Status.QUEUED).exclude(task_id="").only("pk", "task_id"))
    if not queued:
        return []
    lease = timezone.now() - dt.timedelta(seconds=float(settings.CAKUPAN_JOB_LEASE_SECONDS))
    lost = DBTaskResult.objects.filter(id__in=[job.task_id for job in queued]).filter(
        Q(status="SUCCESSFUL") | Q(status="FAILED") | Q(status="RUNNING", started_at__lt=lease)
    )
    lost_ids = {str(task_id) for task_id in lost.values_list("id", flat=True)}
    return [job for job in queued if job.task_id in lost_ids]


def _task_end(task_id: str) -> None:
    """The task of a job whose worker died stays RUNNING in the queue's table: mark it failed there too."""
    from django_tasks_db.models import DBTaskResult

    if task_id:
        DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
            status="FAILED", finished_at=timezone.now()
        )


def job_reap_dead() -> list[int]:
    """Fails (or queues again, when their kind retries) the running jobs whose worker is gone, and the
    queued ones whose launched process died before claiming them; queues again the queued jobs whose task
    was lost. Returns the ids of the jobs found dead. Cheap: a few queries, one signal-0 per job."""
    fields = ("pk", "kind", "pid", "host", "started_at", "heartbeat_at", "status", "task_id")
    running = Job.objects.filter(status=Job.Status.RUNNING).only(*fields)
    dead = [job for job in running if _holder_gone(job)]
    # A queued job with a pid had a process launched for it that died before claiming it.
    dead += [
        job for job in Job.objects.filter(status=Job.Status.QUEUED, pid__isnull=False) if _holder_gone(job)
    ]
    for job in dead:
        _task_end(job.task_id)
        job_failed(job_id=job.pk, reason=GONE)
    for job in _orphans():
        job_enqueue(job)
    return [job.pk for job in dead]


def job_refresh(job: Job) -> Job:
    """The job as it stands, ended first if its worker is gone: a page that polls one job learns of a killed
    job at once, without waiting for a worker's next round."""
    launched = job.status == Job.Status.RUNNING or (job.status == Job.Status.QUEUED and job.pid is not None)
    if launched and _holder_gone(job):
        _task_end(job.task_id)
        job_failed(job_id=job.pk, reason=GONE)
        job.refresh_from_db()
    return job
