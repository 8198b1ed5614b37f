"""`cakupan coverage snapshot --due` (the scheduled job) and the "coverage_snapshot" jobs kind."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from cakupan.coverage.models import CoverageSnapshot, SnapshotBuild
from cakupan.coverage.services.snapshots import snapshot_build, snapshot_due_periods
from cakupan.jobs.models import Job
from cakupan.jobs.services import job_create, job_run


def _shift(period: str, months: int) -> str:
    index = int(period[:4]) * 12 + int(period[5:7]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def test_due_builds_the_missing_months_then_nothing(world: Any, capsys: Any) -> None:
    today = timezone.localdate()
    last_month = _shift(f"{today.year:04d}-{today.month:02d}", -1)
    oldest = _shift(last_month, -3)
    snapshot_build(period=oldest)  # built today, long after its end: complete, not built again
    call_command("coverage", "snapshot", "--due")
    expected = [_shift(oldest, 1), _shift(oldest, 2), last_month]
    assert "built " + ", ".join(expected) in capsys.readouterr().out
    assert sorted(SnapshotBuild.objects.values_list("period", flat=True)) == [oldest, *expected]
    # world's nurse and driver are active in every month since mid-2025: each new month has its rows
    assert all(CoverageSnapshot.objects.filter(period=p).exists() for p in expected)
    job = Job.objects.get(kind="coverage_snapshot")
    assert (job.status, job.result, job.progress_done) == ("done", {"built": expected}, 3)

    call_command("coverage", "snapshot", "--due")
    assert "nothing to do" in capsys.readouterr().out
    assert SnapshotBuild.objects.count() == 4


def test_due_periods_by_hand(db: Any) -> None:
    august = dt.date(2025, 8, 10)
    assert snapshot_due_periods(today=august) == ["2025-07"]  # nothing built yet: last month only
    snapshot_build(period="2025-05")
    assert snapshot_due_periods(today=august) == ["2025-06", "2025-07"]
    assert snapshot_due_periods(today=dt.date(2026, 1, 3))[-2:] == ["2025-11", "2025-12"]
    # built on the month's last day: its figures may be partial, so the month is built again
    SnapshotBuild.objects.filter(period="2025-05").update(
        built_at=timezone.make_aware(dt.datetime(2025, 5, 31, 12, 0))
    )
    assert snapshot_due_periods(today=august) == ["2025-05", "2025-06", "2025-07"]
    assert snapshot_due_periods(today=dt.date(2025, 6, 1)) == ["2025-05"]


def test_job_kind_builds_one_period(world: Any) -> None:
    job = job_run(job_id=job_create(kind="coverage_snapshot", parameters={"period": "2025-05"}).pk)
    assert (job.status, job.result) == ("done", {"built": ["2025-05"]})
    assert SnapshotBuild.objects.get(period="2025-05").active == 2  # world's nurse and driver


@pytest.mark.parametrize("bad", [{"period": "2025-13"}, {}])
def test_job_with_a_bad_period_fails_and_builds_nothing(db: Any, bad: dict[str, str]) -> None:
    job = job_run(job_id=job_create(kind="coverage_snapshot", parameters=bad).pk)
    assert job.status == "failed"
    assert not SnapshotBuild.objects.exists()
