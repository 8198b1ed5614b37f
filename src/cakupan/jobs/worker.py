"""What a worker (`cakupan worker`) does around django-tasks' database worker.

django-tasks (with django-tasks-db) gives the queue: a task row per job, taken by one worker with a locked
UPDATE, priorities, `run_after`. It runs a task in the worker's own process and has no retries, no
heartbeat, no limit on heavy work and no schedule; this module adds them, thinly:

- `job_execute` (the task's body) claims the job, and runs it in a child (`cakupan jobs run <id>`) held to
  CAKUPAN_JOB_MEMORY_BYTES of address space and CAKUPAN_JOB_CPU_SECONDS of CPU (rlimits), killed after
  CAKUPAN_JOB_WALL_SECONDS, and killed with the worker (PR_SET_PDEATHSIG). While it waits, it writes the
  job's heartbeat. A failed attempt is retried after its back-off when the kind allows (services.job_failed).
- A heavy kind first takes one of CAKUPAN_HEAVY_JOBS slots of this machine: an flock on a file under
  VAR_DIR/job-slots, which the kernel releases when the worker dies. No slot free: the job goes back on the
  queue a few seconds later, and the worker takes other work.
- A housekeeping thread reaps dead jobs (services.job_reap_dead) and enqueues the schedule entries that are
  due (jobs/schedule.py), every CAKUPAN_SCHEDULE_SECONDS.
`cakupan serve` starts CAKUPAN_WORKERS workers beside gunicorn (core/management/commands/serve.py).
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import os
import resource
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import OperationalError, close_old_connections, connections
from django.db.models import F
from django.utils import timezone

from cakupan.jobs.models import Job
from cakupan.jobs.services import HOST, JOB_KINDS, job_enqueue, job_failed, job_reap_dead

# A heavy job that finds every slot taken waits this long on the queue before it asks again.
SLOT_WAIT_SECONDS = 3.0
_PR_SET_PDEATHSIG = 1


def _slots_dir() -> Path:
    path = Path(settings.VAR_DIR) / "job-slots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def heavy_slot() -> Iterator[bool]:
    """Holds one of this machine's CAKUPAN_HEAVY_JOBS slots while open (True), or yields False when all are
    taken. A slot is an exclusive flock: released on close, or by the kernel when the process dies."""
    held: IO[bytes] | None = None
    for n in range(max(int(settings.CAKUPAN_HEAVY_JOBS), 1)):
        handle = (_slots_dir() / f"heavy-{n}.lock").open("ab")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        held = handle
        break
    try:
        yield held is not None
    finally:
        if held is not None:
            held.close()


def _limit_child() -> None:  # pragma: no cover - runs in the child between fork and exec
    memory = int(settings.CAKUPAN_JOB_MEMORY_BYTES)
    cpu = int(settings.CAKUPAN_JOB_CPU_SECONDS)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # SIGXCPU at the soft limit; the kernel's SIGKILL a few seconds later if it is ignored.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    with contextlib.suppress(OSError, AttributeError):  # Linux: the child dies with its worker
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _death(returncode: int, *, timed_out: bool) -> tuple[str, bool]:
    """Why a child ended without recording its outcome, and whether a limit ended it (then a retry would
    end the same way)."""
    memory_mib = int(settings.CAKUPAN_JOB_MEMORY_BYTES) // (1 << 20)
    if timed_out:
        return f"killed: over the wall-clock limit of {settings.CAKUPAN_JOB_WALL_SECONDS} s", True
    if returncode == -signal.SIGXCPU or returncode == -signal.SIGKILL:
        text = f"killed by {signal.Signals(-returncode).name}: over the CPU limit of "
        return text + f"{settings.CAKUPAN_JOB_CPU_SECONDS} s, or killed from outside", True
    if returncode == -signal.SIGABRT:
        # What a native library (calamine, polars) does when an allocation fails under RLIMIT_AS.
        return f"aborted (SIGABRT): most likely over the memory limit of {memory_mib} MiB", True
    if returncode < 0:
        return f"killed by {signal.Signals(-returncode).name}", False
    return f"the job's process ended with exit code {returncode} without finishing the job", False


def _beat(job_id: int) -> None:
    # SQLite: a long job's write transaction may hold the lock; the next beat will do (same host anyway).
    with contextlib.suppress(OperationalError):
        Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(heartbeat_at=timezone.now())


def _run_limited(job_id: int) -> tuple[int, bool]:
    """Runs `cakupan jobs run <id>` in a limited child, beating while it works; (exit code, timed out)."""
    command = [sys.executable, "-m", "cakupan.cli", "jobs", "run", str(job_id)]
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, preexec_fn=_limit_child)  # noqa: S603
    wall = float(settings.CAKUPAN_JOB_WALL_SECONDS)
    beat = float(settings.CAKUPAN_JOB_HEARTBEAT_SECONDS)
    began = timezone.now()
    while True:
        left = wall - (timezone.now() - began).total_seconds()
        if left <= 0:
            child.kill()
            return child.wait(), True
        try:
            return child.wait(timeout=min(beat, left)), False
        except subprocess.TimeoutExpired:
            _beat(job_id)


def job_execute(*, job_id: int, task_id: str) -> None:
    """The body of the queue's task: run job `job_id` if it is still queued under this task."""
    job = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED, task_id=task_id).first()
    if job is None:
        return  # ended, reaped, or queued again under a newer task
    kind = JOB_KINDS.get(job.kind)
    with heavy_slot() if kind is not None and kind.heavy else contextlib.nullcontext(True) as slot:
        if not slot:
            job_enqueue(job, delay_seconds=SLOT_WAIT_SECONDS)
            return
        claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED, task_id=task_id).update(
            status=Job.Status.RUNNING,
            pid=os.getpid(),
            host=HOST,
            started_at=timezone.now(),
            heartbeat_at=timezone.now(),
            finished_at=None,
            attempts=F("attempts") + 1,
        )
        if not claimed:
            return
        connections.close_all()  # the child may hold the SQLite write lock for long; hold no connection
        returncode, timed_out = _run_limited(job_id)
    if timed_out or returncode not in (0, 1):  # 0 done, 1 failed and recorded by the job itself
        reason, limit = _death(returncode, timed_out=timed_out)
        job_failed(job_id=job_id, reason=reason, may_retry=not limit)
    elif returncode == 1:
        ended = Job.objects.get(pk=job_id)
        job_failed(job_id=job_id, reason=ended.error)


def migrations_pending() -> bool:
    """True while the database lacks a migration of this code (a worker started before `cakupan migrate`)."""
    from django.db import DEFAULT_DB_ALIAS
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    finally:
        connections.close_all()


def database_ready_wait(stop: threading.Event, *, poll_seconds: float = 5.0) -> bool:
    """Waits until the database is migrated, so a worker started beside the web server before `cakupan
    migrate` (a container started in any order, `cakupan serve` on a new file) waits instead of dying on a
    missing table. SIGTERM or SIGINT while waiting ends the wait: returns False, and the worker exits 0."""
    if not migrations_pending():
        return True
    import logging

    logging.getLogger("cakupan.jobs").warning(
        "database not migrated yet: the worker waits for `cakupan migrate` (checking every %.0f s)",
        poll_seconds,
    )
    previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stop.wait(poll_seconds):
            if not migrations_pending():
                return True
        return False
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def housekeeping_round(*, schedule: bool = True) -> None:
    """One round of what a worker does beside its tasks: end dead jobs, enqueue due schedule entries."""
    from cakupan.jobs.schedule import schedule_enqueue_due

    close_old_connections()
    job_reap_dead()
    if schedule:
        schedule_enqueue_due()


def housekeeping_start(stop: threading.Event, *, schedule: bool = True) -> threading.Thread:
    def loop() -> None:
        while not stop.is_set():
            try:
                housekeeping_round(schedule=schedule)
            except Exception:
                import logging

                logging.getLogger("cakupan.jobs").exception("job housekeeping failed")
            finally:
                connections.close_all()
            stop.wait(float(settings.CAKUPAN_SCHEDULE_SECONDS))

    thread = threading.Thread(target=loop, name="cakupan-jobs-housekeeping", daemon=True)
    thread.start()
    return thread
