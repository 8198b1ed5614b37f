"""Starting and running persisted background jobs.

A job kind is a name registered with `job_kind_register(kind, func)`; `func(job=, parameters=, actor=)`
does the work, may call `job_progress(job, done=, total=)` and `job_log(job, text)`, and returns a JSON
result. `job_start` records the job and launches `cakupan jobs supervise <id>` as a detached process,
so a page answers at once and the work survives the request. The supervisor runs `cakupan jobs run <id>`
(which calls `job_run`, as a test may directly) in a child process held to CAKUPAN_JOB_MEMORY_BYTES of
address space, CAKUPAN_JOB_CPU_SECONDS of CPU and CAKUPAN_JOB_WALL_SECONDS of wall clock, and marks the
job failed with a log line saying which limit ended it. A job left "running" by a process that is gone
(the supervisor killed too, the machine stopped) is marked failed at the next start of any job
(`job_reap_dead`).
Works on SQLite (WAL, see settings) and PostgreSQL: the job row is the only shared state.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import signal
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
    """Record a job and run it under a detached `cakupan jobs supervise <id>`; returns the queued job."""
    job_reap_dead()
    job = job_create(kind=kind, parameters=parameters, actor=actor)

    def launch() -> None:
        log_path = settings.VAR_DIR / f"job-{job.pk}.log"
        descriptor = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with open(descriptor, "ab") as out:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
                [sys.executable, "-m", "cakupan.cli", "jobs", "supervise", str(job.pk)],
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


def _limit_child() -> None:  # pragma: no cover - runs in the child between fork and exec
    memory = int(settings.CAKUPAN_JOB_MEMORY_BYTES)
    cpu = int(settings.CAKUPAN_JOB_CPU_SECONDS)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # SIGXCPU at the soft limit; the kernel's SIGKILL a few seconds later if it is ignored.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))


def _death(returncode: int, *, timed_out: bool) -> str:
    memory_mib = int(settings.CAKUPAN_JOB_MEMORY_BYTES) // (1 << 20)
    if timed_out:
        return f"killed: over the wall-clock limit of {settings.CAKUPAN_JOB_WALL_SECONDS} s"
    if returncode == -signal.SIGXCPU or returncode == -signal.SIGKILL:
        return (
            f"killed by {signal.Signals(-returncode).name}: over the CPU limit of "
            f"{settings.CAKUPAN_JOB_CPU_SECONDS} s, or killed from outside"
        )
    if returncode == -signal.SIGABRT:
        # What a native library (calamine, polars) does when an allocation fails under RLIMIT_AS.
        return f"aborted (SIGABRT): most likely over the memory limit of {memory_mib} MiB"
    if returncode < 0:
        return f"killed by {signal.Signals(-returncode).name}"
    return f"the worker process ended with exit code {returncode} without finishing the job"


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


def job_supervise(*, job_id: int) -> Job:
    """Run `cakupan jobs run <id>` in a child held to the job limits and wait for it; a child that dies
    without recording its outcome (a signal, an abort) leaves the job failed with the reason logged."""
    command = [sys.executable, "-m", "cakupan.cli", "jobs", "run", str(job_id)]
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, preexec_fn=_limit_child)  # noqa: S603
    Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(pid=child.pid)
    timed_out = False
    try:
        returncode = child.wait(timeout=settings.CAKUPAN_JOB_WALL_SECONDS)
    except subprocess.TimeoutExpired:
        timed_out = True
        child.kill()
        returncode = child.wait()
    if timed_out or returncode not in (0, 1):  # 0 done, 1 failed and recorded by the job itself
        job_fail(job_id=job_id, reason=_death(returncode, timed_out=timed_out))
    return Job.objects.get(pk=job_id)


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


def job_reap_dead() -> list[int]:
    """Marks failed the running (or launched, still queued) jobs whose process is gone; returns their
    ids. Cheap: two queries for a handful of jobs, one signal-0 per job."""
    running = Job.objects.filter(status=Job.Status.RUNNING).values_list("pk", "pid", "started_at")
    dead = [job_id for job_id, pid, since in running if pid is not None and not _process_alive(pid, since)]
    # A queued job with a pid has had its supervisor launched; gone before claiming it, nothing will.
    queued = Job.objects.filter(status=Job.Status.QUEUED, pid__isnull=False).values_list("pk", "pid")
    dead += [job_id for job_id, pid in queued if pid is not None and not _process_alive(pid, None)]
    for job_id in dead:
        job_fail(job_id=job_id, reason="failed: its process is gone (killed, or the machine stopped)")
    return dead


def job_refresh(job: Job) -> Job:
    """The job as it stands, marked failed first if its process is gone: a page that polls one job learns of
    a killed job at once, without waiting for the next job start to reap it."""
    launched = job.status == Job.Status.RUNNING or (job.status == Job.Status.QUEUED and job.pid is not None)
    if launched and job.pid is not None:
        since = job.started_at if job.status == Job.Status.RUNNING else None
        if not _process_alive(job.pid, since):
            job_fail(job_id=job.pk, reason="failed: its process is gone (killed, or the machine stopped)")
            job.refresh_from_db()
    return job
