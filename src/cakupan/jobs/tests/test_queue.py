"""The queue with real workers (`cakupan worker` processes) on a database of their own (served.py): retries
with back-off, a worker killed with SIGKILL, the limit on heavy jobs with two workers, the schedule with two
schedulers. Kinds of jobs/tests/kinds.py, through CAKUPAN_JOB_MODULES."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cakupan.enrolment.tests.served import query, served_env
from cakupan.jobs.services import _process_alive

START = """
import json
import os
from cakupan.jobs.services import job_start
print(json.dumps([job_start(kind=kind, parameters=p).pk for kind, p in {jobs!r}]))
"""


def _rows(env: dict[str, str], sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows read straight from the workers' database: polling through `cakupan shell` would start Django
    each time."""
    url = env["DATABASE_URL"]
    if url.startswith("sqlite"):
        import sqlite3

        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as conn:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def _state(env: dict[str, str], ids: list[int]) -> list[dict[str, Any]]:
    states = []
    for job_id in ids:
        [(status, attempts, log, error, result)] = _rows(
            env, "SELECT status, attempts, log, error, result FROM jobs_job WHERE id = %s", (job_id,)
        )
        result = json.loads(result) if isinstance(result, str) else result
        states.append({"status": status, "attempts": attempts, "log": log, "error": error, "result": result})
    return states


def _tasks(env: dict[str, str], job_id: int) -> list[tuple[str, float]]:
    """The queue's tasks of a job, oldest first: status and start (seconds since the epoch)."""
    from django_tasks_db.models import DBTaskResult

    table = DBTaskResult._meta.db_table
    rows = _rows(env, f"SELECT status, started_at, args_kwargs FROM {table} ORDER BY enqueued_at")  # noqa: S608
    tasks = []
    for status, started, args in rows:
        if (json.loads(args) if isinstance(args, str) else args)["args"] == [job_id]:
            when = dt.datetime.fromisoformat(started) if isinstance(started, str) else started
            tasks.append((status, when.timestamp() if when else 0.0))
    return tasks


@pytest.fixture(scope="module")
def served(tmp_path_factory: Any) -> dict[str, str]:
    env = served_env(tmp_path_factory.mktemp("queue"))
    env.update(
        CAKUPAN_JOB_MODULES="cakupan.jobs.tests.kinds",
        CAKUPAN_JOB_RETRY_SECONDS="1",
        CAKUPAN_SCHEDULE_SECONDS="0.5",
        CAKUPAN_HEAVY_JOBS="1",
    )
    return env


def _start(env: dict[str, str], *jobs: tuple[str, dict[str, Any]]) -> list[int]:
    return list(query(env, START.format(jobs=list(jobs))))


def _until_ended(env: dict[str, str], ids: list[int], *, within: float = 400) -> list[dict[str, Any]]:
    deadline = time.monotonic() + within
    states = _state(env, ids)
    while any(s["status"] in ("queued", "running") for s in states) and time.monotonic() < deadline:
        time.sleep(0.5)
        states = _state(env, ids)
    return states


def _batch(env: dict[str, str], *, timeout: float) -> None:
    """One `cakupan worker --batch`: the ready jobs run (dead ones reaped first), then it exits cleanly."""
    done = subprocess.run(
        [sys.executable, "-m", "cakupan.cli", "worker", "--batch", "--verbosity", "0"],
        env=env,
        timeout=timeout,
        capture_output=True,
    )
    assert done.returncode == 0, done.stderr


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "cakupan.cli",
        "worker",
        "--interval",
        "0.2",
        "--no-schedule",
        "--verbosity",
        "0",
    ]
    return subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)  # noqa: S603


@contextlib.contextmanager
def _workers(env: dict[str, str], count: int) -> Iterator[list[subprocess.Popen[bytes]]]:
    processes = [_worker(env) for _ in range(count)]
    try:
        yield processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_a_failing_job_is_retried_with_back_off_and_stops_at_the_limit(served: dict[str, str]) -> None:
    never, second = _start(served, ("test_flaky", {"succeed_on": 99}), ("test_flaky", {"succeed_on": 2}))
    with _workers(served, 1):
        states = _until_ended(served, [never, second])
    assert states[0]["status"] == "failed"
    assert states[0]["attempts"] == 3  # the first and the kind's two retries, then no more
    assert "attempt 3 fails" in states[0]["error"]
    assert "attempt 1 of 3, the next in 1 s" in states[0]["log"]
    assert "attempt 2 of 3, the next in 2 s" in states[0]["log"]
    assert states[1]["status"] == "done", states[1]
    assert states[1]["result"] == {"attempts": 2}
    # Each attempt is its own task on the queue, started no sooner than its back-off allows.
    tasks = _tasks(served, never)
    assert [t[0] for t in tasks] == ["SUCCESSFUL"] * 3
    starts = [t[1] for t in tasks]
    assert starts[1] - starts[0] >= 1.0
    assert starts[2] - starts[1] >= 2.0


def test_a_job_whose_worker_is_killed_is_marked_failed(served: dict[str, str], tmp_path: Path) -> None:
    flag = tmp_path / "hang.pid"
    [job] = _start(served, ("test_hang", {"flag": str(flag)}))
    worker = _worker(served)
    try:
        deadline = time.monotonic() + 240
        while not flag.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert flag.exists(), "the job never started"
        child = int(flag.read_text())
        assert _state(served, [job])[0]["status"] == "running"
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    # The job's process dies with its worker (PR_SET_PDEATHSIG) rather than working on unseen.
    deadline = time.monotonic() + 10
    while _process_alive(child, None) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _process_alive(child, None)
    # The next worker's first round (or the page polling the job) finds it dead.
    _batch(served, timeout=120)
    [state] = _state(served, [job])
    assert state["status"] == "failed"
    assert "process is gone" in state["error"]
    assert state["attempts"] == 1  # a kind that is not safe to repeat is not retried
    assert [t[0] for t in _tasks(served, job)] == ["FAILED"]


@pytest.mark.parametrize("limit", [1, 2])
def test_heavy_jobs_keep_to_the_limit_with_two_workers(served: dict[str, str], limit: int) -> None:
    env = {**served, "CAKUPAN_HEAVY_JOBS": str(limit)}
    ids = _start(env, ("test_sleep", {"seconds": 2}), ("test_sleep", {"seconds": 2}))
    with _workers(env, 2):
        states = _until_ended(env, ids)
    assert [s["status"] for s in states] == ["done", "done"], states
    first, second = sorted((s["result"]["start"], s["result"]["end"]) for s in states)
    overlap = second[0] < first[1]
    # With one slot the second waits for the first; with two (the control) they run together.
    assert overlap == (limit == 2), (first, second)


SCHEDULE_AT = """
import json, time, datetime as dt, zoneinfo
from django.conf import settings
from cakupan.jobs.schedule import SCHEDULE, schedule_enqueue_due
entries = [e for e in SCHEDULE if e.name in ("compliance-remind", "retention-purge")]
now = dt.datetime.now(zoneinfo.ZoneInfo(settings.TIME_ZONE)).replace(hour=7, minute=1)
time.sleep(max({at} - time.time(), 0))  # both schedulers at the same instant
print(json.dumps([job.pk for job in schedule_enqueue_due(now=now, schedule=entries)]))
"""

SCHEDULED = """
import json
import os
from cakupan.jobs.models import Job, ScheduledRun
print(json.dumps({
    "runs": sorted(ScheduledRun.objects.values_list("name", flat=True)),
    "jobs": [[j.parameters["entry"], j.status, j.log] for j in Job.objects.filter(kind="command")],
}))
"""


def test_a_due_entry_is_enqueued_once_by_two_schedulers_and_runs(served: dict[str, str]) -> None:
    at = time.time() + 8
    code = SCHEDULE_AT.format(at=at)
    command = [sys.executable, "-m", "cakupan.cli", "shell", "-c", code]
    both = [
        subprocess.Popen(command, env=served, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # noqa: S603
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in both]
    assert all(process.returncode == 0 for process in both), outputs
    enqueued = [json.loads(out.decode().strip().splitlines()[-1]) for out, _err in outputs]
    assert sorted(len(ids) for ids in enqueued) in ([0, 2], [1, 1])  # each entry by one of them
    _batch(served, timeout=300)
    state = query(served, SCHEDULED)
    assert state["runs"] == ["compliance-remind", "retention-purge"]
    assert sorted(entry for entry, _status, _log in state["jobs"]) == ["compliance-remind", "retention-purge"]
    assert all(status == "done" for _entry, status, _log in state["jobs"]), state
    assert any("reminders: 0" in log for _entry, _status, log in state["jobs"])


def test_a_worker_started_before_migrate_waits_and_stops_cleanly(tmp_path: Path) -> None:
    """`cakupan serve` on a new database file starts its job workers at once: a worker must wait for the
    migrated schema (not die on a missing table and take the web server down with it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAKUPAN_")}
    env.update(CAKUPAN_VAR_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'new.sqlite3'}")
    command = [sys.executable, "-m", "cakupan.cli", "worker", "--interval", "0.2"]
    worker = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        assert worker.stdout is not None
        seen = b""
        deadline = time.monotonic() + 60
        while b"not migrated yet" not in seen and time.monotonic() < deadline and worker.poll() is None:
            seen += worker.stdout.readline()
        assert b"not migrated yet" in seen, seen.decode()
        time.sleep(1)  # past the first query of a worker that would die on the missing table
        assert worker.poll() is None, seen.decode()
    finally:
        worker.send_signal(signal.SIGTERM)
        rest = worker.communicate(timeout=30)[0]
    assert worker.returncode == 0, (seen + rest).decode()
