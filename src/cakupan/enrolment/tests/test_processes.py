"""The product in other processes, as in production: the command's memory on hostile files, a job over
its memory limit, and an import killed (SIGKILL) at several points. Each runs `cakupan ...` against a
database of its own (served.py); a kill point is a flag file the child writes, not a sleep."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from cakupan.enrolment.tests import bombs
from cakupan.enrolment.tests.conftest import GOOD_ROWS, write_csv
from cakupan.enrolment.tests.served import cakupan, query, served_env

NPP = "employer:NPP00001"
COUNTS = """
import json
from pathlib import Path
from django.conf import settings
from cakupan.enrolment.models import RosterImport
from cakupan.registry.models import Person
reports = Path(settings.VAR_DIR) / "private" / "reports"
names = sorted(p.name for p in reports.iterdir()) if reports.is_dir() else []
counts = {"imports": RosterImport.objects.count(), "persons": Person.objects.count()}
print(json.dumps({**counts, "files": names}))
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: Any) -> dict[str, str]:
    return served_env(tmp_path_factory.mktemp("served"))


# Runs argv[1:] with stderr closed to it, waits, and prints the child's peak resident memory (KiB) on stderr.
_PEAK_OF_CHILD = (
    "import os, sys\n"
    "pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ,"
    " file_actions=[(os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)])\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "print(usage.ru_maxrss, file=sys.stderr)\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def test_the_command_refuses_bombs_with_exit_2_in_little_memory(
    served: dict[str, str], tmp_path: Path
) -> None:
    files = {
        "xlsx zip bomb": bombs.xlsx_repeated_rows(tmp_path, rows=1_000_000),
        "xlsx far cell": bombs.xlsx_far_cell(tmp_path, "XFD1048576"),
        "ods repeats": bombs.ods_repeated(tmp_path / "b.ods", rows=1_048_576, columns=16_384),
    }
    for label, path in files.items():
        start = time.perf_counter()
        out_path = tmp_path / "out.json"
        # The command is started by a small interpreter that reports its child's peak memory. Spawned from
        # this test process directly, the child's peak would include this process's pages: Linux records the
        # memory a child leaves at exec, and posix_spawn's child shares this process's memory until then.
        spawn = [
            sys.executable,
            "-c",
            _PEAK_OF_CHILD,
            sys.executable,
            "-m",
            "cakupan.cli",
            "roster",
            "import",
        ]
        spawn += [str(path), "--as", NPP, "--json"]
        peak_path = tmp_path / "peak.txt"
        with out_path.open("wb") as sink, peak_path.open("wb") as peak_sink:
            pid = os.posix_spawn(
                sys.executable,
                spawn,
                served,
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, sink.fileno(), 1),
                    (os.POSIX_SPAWN_DUP2, peak_sink.fileno(), 2),
                ],
            )
            _pid, status, _usage = os.wait4(pid, 0)
        returncode, out = os.waitstatus_to_exitcode(status), out_path.read_text()
        peak = int(peak_path.read_text().split()[-1]) / 1024
        seconds = time.perf_counter() - start
        assert returncode == 2, out
        assert json.loads(out)["errors"][0]["field"] == "file"
        # Django and polars loaded: some 120 MiB; a parser that started would take gigabytes.
        assert peak < 400, f"{label}: {peak:.0f} MiB"
        print(
            f"\n[{label}] {path.stat().st_size:,} bytes ({_unpacked(path):,} unpacked): exit 2 in "
            f"{seconds:.1f} s, peak {peak:.0f} MiB"
        )


def _job_until_ended(env: dict[str, str], path: Path, name: str) -> tuple[str, str, str, Any]:
    """Starts a roster job of `path` as the page does (job_start: on the queue), runs a worker over the
    queue (`cakupan worker --batch`, which runs the job in a limited child) and reads the job's row;
    returns status, error, log and result."""
    start = f"""
import json
from cakupan.accounts.models import User
from cakupan.jobs.services import job_start
parameters = {{"path": "{path}", "file_name": "{name}", "as": "{NPP}", "segment": None, "dry_run": False}}
job = job_start(kind="roster_import", actor=User.objects.get(username="admin"), parameters=parameters)
print(json.dumps(job.pk))
"""
    job_id = query(env, start)
    state = f"""
import json
from cakupan.jobs.models import Job
job = Job.objects.get(pk={job_id})
print(json.dumps([job.status, job.error, job.log, job.result]))
"""
    worker = cakupan(env, "worker", "--batch", "--verbosity", "0", timeout=600)
    assert worker.returncode == 0, worker.stderr
    status, error, log, result = query(env, state)
    return status, error, log, result


def test_a_job_runs_to_done_under_the_default_limits(served: dict[str, str], tmp_path: Path) -> None:
    status, error, _log, result = _job_until_ended(served, write_csv(tmp_path / "r.csv", GOOD_ROWS), "r.csv")
    assert status == "done", error
    assert result["imported"] + result["unchanged"] == 3


def test_a_job_over_its_memory_limit_is_killed_and_marked_failed(
    served: dict[str, str], tmp_path: Path
) -> None:
    # Limits raised so the file reaches the parser: 100 columns x a million rows is a grid of 3.2 GB
    # (32 bytes a cell) that the parser allocates at once; the job may have 1.5 GiB.
    env = {
        **served,
        "CAKUPAN_UPLOAD_MAX_CELLS": str(10**12),
        "CAKUPAN_UPLOAD_MAX_COLUMNS": "1000",
        "CAKUPAN_JOB_MEMORY_BYTES": str(1536 << 20),
    }
    path = bombs.xlsx_far_cell(tmp_path, "CV1000000")
    status, error, log, _result = _job_until_ended(env, path, "far.xlsx")
    assert status == "failed"
    assert "memory limit of 1536 MiB" in error
    assert "memory limit" in log


def _import_killed_at(env: dict[str, str], csv_path: Path, point: str, flag: Path) -> None:
    """Starts an import in a child that stops at `point` (writes `flag`, then waits), and kills it."""
    script = f"""
import time
import zipfile
from pathlib import Path
import cakupan.enrolment.services as services
import cakupan.enrolment.services.pipeline as pipeline
from cakupan.accounts.models import User

def stop(at):
    if at == "{point}":
        Path("{flag}").write_text("here")
        time.sleep(600)

real_write = pipeline.write_report
def write_report(*args, **kwargs):
    written = real_write(*args, **kwargs)
    stop("report")
    return written

pipeline.write_report = write_report
services.roster_import(
    actor=User.objects.get(username="admin"), path_or_file=Path("{csv_path}"), as_=("employer", "NPP00001"),
    progress=lambda stage, done, total: stop({{"validated": "read", "merged": "merge"}}[stage]),
)
"""
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "cakupan.cli", "shell", "-c", script],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not flag.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert flag.exists(), child.stderr.read().decode() if child.poll() is not None and child.stderr else ""
    child.send_signal(signal.SIGKILL)
    child.wait()
    flag.unlink()


@pytest.mark.parametrize("point", ["read", "merge", "report"])
def test_an_import_killed_leaves_nothing_and_a_rerun_imports_everything(
    served: dict[str, str], tmp_path: Path, point: str
) -> None:
    env = {**served, "CAKUPAN_VAR_DIR": str(tmp_path / "var")}
    csv_path = write_csv(tmp_path / "r.csv", GOOD_ROWS)
    before = query(env, COUNTS)
    _import_killed_at(env, csv_path, point, tmp_path / "flag")
    after = query(env, COUNTS)
    assert (after["imports"], after["persons"]) == (before["imports"], before["persons"])
    leftovers = [name for name in after["files"] if name.startswith(".tmp-")]
    assert after["files"] == leftovers  # no report of an import that never happened
    reports = tmp_path / "var" / "private" / "reports"
    if point == "report":  # the whole report, written where no page serves it
        (leftover,) = leftovers
        assert sorted(p.suffix for p in (reports / leftover).iterdir()) == [".csv", ".xlsx"]
    for leftover in leftovers:  # found later, past the grace period
        an_hour_ago = time.time() - 3600
        os.utime(reports / leftover, (an_hour_ago, an_hour_ago))

    rerun = cakupan(env, "roster", "import", str(csv_path), "--as", NPP, "--json", timeout=300)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert json.loads(rerun.stdout)["imported"] + json.loads(rerun.stdout)["unchanged"] == 3
    final = query(env, COUNTS)
    assert not [name for name in final["files"] if name.startswith(".tmp-")]
    assert len(final["files"]) == 2
    assert reports.stat().st_mode & 0o777 == 0o700
    assert {(reports / name).stat().st_mode & 0o777 for name in final["files"]} == {0o600}


def _unpacked(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(entry.file_size for entry in archive.infolist())
