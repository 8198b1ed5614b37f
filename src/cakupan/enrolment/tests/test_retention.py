"""Personal data at rest: reports and uploads private (0700 folders, 0600 files), deleted after the
retention period by a recorded job, the record kept with its counts; dead jobs marked failed."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from cakupan.enrolment.models import RosterImport
from cakupan.enrolment.services import report_path, roster_import
from cakupan.enrolment.services.background import roster_job_start
from cakupan.enrolment.tests.conftest import GOOD_ROWS, write_csv
from cakupan.jobs.models import Job
from cakupan.jobs.services import job_reap_dead

pytestmark = pytest.mark.django_db


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def _import(world: Any, tmp_path: Path, name: str) -> RosterImport:
    path = write_csv(tmp_path / name, GOOD_ROWS)
    return roster_import(actor=world.hr_hospital, path_or_file=path, as_=("employer", "NPP00001"))


def test_reports_and_uploads_are_private(world: Any, tmp_path: Path) -> None:
    record = _import(world, tmp_path, "r.csv")
    private = Path(settings.VAR_DIR) / "private"
    assert _mode(private) == _mode(private / "reports") == 0o700
    assert {_mode(report_path(record, ext)) for ext in ("xlsx", "csv")} == {0o600}
    upload = SimpleUploadedFile("big.csv", (tmp_path / "r.csv").read_bytes())
    roster_job_start(
        actor=world.hr_hospital, upload=upload, as_text="employer:NPP00001", segment=None, dry_run=False
    )
    (stored,) = (private / "uploads").iterdir()
    assert _mode(private / "uploads") == 0o700
    assert _mode(stored) == 0o600


def test_retention_purge_deletes_old_reports_and_uploads(world: Any, tmp_path: Path, client: Any) -> None:
    old, recent = _import(world, tmp_path, "old.csv"), _import(world, tmp_path, "new.csv")
    RosterImport.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=91))
    uploads = Path(settings.VAR_DIR) / "private" / "uploads"
    uploads.mkdir(mode=0o700)
    stale, fresh = uploads / "stale.xlsx", uploads / "fresh.xlsx"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    long_ago = time.time() - 91 * 86400
    os.utime(stale, (long_ago, long_ago))
    leftover = Path(settings.VAR_DIR) / "private" / "reports" / ".tmp-999999999-abc"
    leftover.mkdir()
    (leftover / "r.csv").write_text("NIK")
    os.utime(leftover, (long_ago, long_ago))

    out = io.StringIO()
    call_command("retention", "purge", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["reports_expired"], result["uploads"], result["leftovers"]) == (1, 1, 1)
    assert Job.objects.get(pk=result["job"]).kind == "retention_purge"
    old.refresh_from_db()
    assert old.report_name == ""
    assert old.imported == 3  # the record and its counts stay
    assert report_path(recent, "csv").is_file()
    assert sorted(p.name for p in uploads.iterdir()) == ["fresh.xlsx"]
    assert not leftover.exists()
    reports = sorted(p.name for p in (Path(settings.VAR_DIR) / "private" / "reports").iterdir())
    assert reports == sorted(f"{recent.report_name}.{ext}" for ext in ("csv", "xlsx"))

    client.force_login(world.hr_hospital)
    page = client.get(f"/rosters/{old.pk}/", HTTP_ACCEPT_LANGUAGE="id")
    assert "kedaluwarsa" in page.content.decode()
    assert client.get(f"/rosters/{old.pk}/report.csv").status_code == 404

    again = io.StringIO()
    call_command("retention", "purge", stdout=again)
    assert json.loads(again.getvalue())["reports_expired"] == 0


def test_reports_written_before_they_were_private_are_moved_in(world: Any) -> None:
    legacy = Path(settings.VAR_DIR) / "reports"
    legacy.mkdir()
    (legacy / "roster-1-x.csv").write_text("NIK")
    (legacy / "roster-1-x.csv").chmod(0o644)
    (legacy / ".tmp-abc").mkdir()
    call_command("retention", "purge", stdout=io.StringIO())
    moved = Path(settings.VAR_DIR) / "private" / "reports" / "roster-1-x.csv"
    assert _mode(moved) == 0o600
    assert not legacy.exists()


def test_a_running_job_whose_process_is_gone_is_marked_failed() -> None:
    ended = subprocess.Popen(["true"])  # noqa: S607 - a process that has ended, its pid free
    ended.wait()
    now = timezone.now()
    dead = Job.objects.create(kind="roster_import", status=Job.Status.RUNNING, pid=ended.pid, started_at=now)
    alive = Job.objects.create(
        kind="roster_import", status=Job.Status.RUNNING, pid=os.getpid(), started_at=now
    )
    # A pid given to a process younger than the job (after a restart) is not the job's process.
    reused = Job.objects.create(
        kind="roster_import",
        status=Job.Status.RUNNING,
        pid=os.getpid(),
        started_at=now - dt.timedelta(days=3650),
    )
    # A launched job whose supervisor died before claiming it.
    orphan = Job.objects.create(kind="roster_import", status=Job.Status.QUEUED, pid=ended.pid)
    assert sorted(job_reap_dead()) == sorted([dead.pk, reused.pk, orphan.pk])
    dead.refresh_from_db()
    assert dead.status == Job.Status.FAILED
    assert "process is gone" in dead.log
    alive.refresh_from_db()
    assert alive.status == Job.Status.RUNNING


def test_the_job_page_shows_a_killed_job_failed_at_once(world: Any, client: Any) -> None:
    """The page that polls a roster job reaps it when its process is gone, rather than polling "running"
    until some other job starts."""
    ended = subprocess.Popen(["true"])  # noqa: S607 - a process that has ended, its pid free
    ended.wait()
    job = Job.objects.create(
        kind="roster_import",
        status=Job.Status.RUNNING,
        pid=ended.pid,
        started_at=timezone.now(),
        actor=world.hr_hospital,
    )
    client.force_login(world.hr_hospital)
    page = client.get(f"/rosters/jobs/{job.pk}/progress")
    assert page.status_code == 200
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "process is gone" in job.log
