"""Scheduled work, declared here instead of in a crontab: each worker's housekeeping thread enqueues the
entries that are due (worker.housekeeping_round).

An entry runs a management command as a job of kind "command" (its log is the command's output), in the
zone of settings.TIME_ZONE, daily at `at` or monthly on `day` at `at`. Its latest due time is enqueued once:
a `ScheduledRun` row, unique (name, due_at), is inserted with the job, so of two workers' schedulers only
the first enqueues it. A due time more than `grace` ago is not caught up (a machine off for a week runs the
daily entries once, at their next due time or at once when still within grace), so a new installation
does not start last month's billing.
"""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from cakupan.jobs.models import Job, ScheduledRun
from cakupan.jobs.services import job_create, job_enqueue, job_kind_register, job_log

COMMAND_KIND = "command"


def _previous_month(due: dt.datetime) -> list[str]:
    first = due.date().replace(day=1)
    return [f"{(first - dt.timedelta(days=1)):%Y-%m}"]


@dataclass(frozen=True)
class Entry:
    name: str
    command: list[str]  # e.g. ["coverage", "snapshot", "--due"]
    at: dt.time
    day: int | None = None  # monthly on this day; None: daily
    every: dt.timedelta | None = None  # instead of daily: every so often from midnight (`at` unused)
    grace: dt.timedelta = dt.timedelta(hours=6)
    # Arguments that depend on the due time (the billed month), appended to `command`.
    arguments_at: Callable[[dt.datetime], list[str]] | None = field(default=None, compare=False)

    def latest_due(self, now: dt.datetime) -> dt.datetime:
        """The latest due time at or before `now` (aware, in settings.TIME_ZONE)."""
        local = now.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        if self.every is not None:
            midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
            return midnight + ((local - midnight) // self.every) * self.every
        due = local.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        if self.day is None:
            return due if due <= local else due - dt.timedelta(days=1)
        due = due.replace(day=self.day)
        if due > local:
            previous = due.replace(day=1) - dt.timedelta(days=1)
            due = due.replace(year=previous.year, month=previous.month)
        return due

    def arguments(self, due: dt.datetime) -> list[str]:
        more = self.arguments_at(due) if self.arguments_at is not None else []
        return [*self.command, *more]


# Every command here is safe to repeat (the "command" kind retries): a second snapshot run finds nothing
# due, a purge finds nothing old, reminders are one per overdue step, a billing run resumes its period.
SCHEDULE: list[Entry] = [
    # The monthly billing of the month that has just ended (contributions are due by the 15th after it).
    Entry("billing-monthly", ["billing", "run"], dt.time(1, 0), day=1, grace=dt.timedelta(days=3),
          arguments_at=lambda due: ["--period", *_previous_month(due)]),
    # Snapshots of the months due, and the memberships whose scheduled end has come.
    Entry("coverage-snapshot-due", ["coverage", "snapshot", "--due"], dt.time(2, 15)),
    # Reports and stored uploads past CAKUPAN_RETENTION_DAYS.
    Entry("retention-purge", ["retention", "purge"], dt.time(2, 30)),
    # A reminder for each compliance step whose deadline has passed.
    Entry("compliance-remind", ["compliance", "remind"], dt.time(7, 0)),
    # Sponsors' bills of the month that has ended against their funding, flagged before the run bills them.
    Entry("sponsors-bill-check", ["sponsors", "check"], dt.time(0, 30), day=1, grace=dt.timedelta(days=3),
          arguments_at=lambda due: ["--period", *_previous_month(due)]),
    # Runway alerts 90, 60 and 30 days before a sponsor's money or funded period ends (each raised once).
    Entry("sponsors-alerts", ["sponsors", "alerts"], dt.time(6, 30)),
    # The figures of the home pages (registry.figures): recounted when older than their max age.
    Entry("home-figures", ["home_figures_refresh"], dt.time(0, 0), every=dt.timedelta(minutes=10),
          grace=dt.timedelta(minutes=10)),
]  # fmt: skip


def command_job(*, job: Job, parameters: dict[str, Any], actor: Any) -> dict[str, Any]:
    """The "command" kind: runs one of the schedule's commands; its output is the job's log."""
    arguments = [str(a) for a in parameters["arguments"]]
    if not any(entry.command == arguments[: len(entry.command)] for entry in SCHEDULE):
        raise ValueError(f"not a scheduled command: {' '.join(arguments)}")
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*arguments, stdout=out, stderr=err)
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise RuntimeError(
                f"exit code {exc.code}: {out.getvalue()[-2000:]}{err.getvalue()[-2000:]}"
            ) from exc
    finally:
        job_log(job, (out.getvalue() + err.getvalue()).strip()[-20_000:])
    return {"arguments": arguments}


def register_job_kinds() -> None:
    job_kind_register(COMMAND_KIND, command_job, retries=2, heavy=True)


def schedule_enqueue_due(*, now: dt.datetime | None = None, schedule: list[Entry] | None = None) -> list[Job]:
    """Enqueue each entry whose latest due time has no ScheduledRun yet; returns the jobs enqueued."""
    now = now or timezone.now()
    started = []
    for entry in SCHEDULE if schedule is None else schedule:
        due = entry.latest_due(now)
        if now - due > entry.grace or ScheduledRun.objects.filter(name=entry.name, due_at=due).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=entry.name, due_at=due)
                job = job_create(
                    kind=COMMAND_KIND, parameters={"entry": entry.name, "arguments": entry.arguments(due)}
                )
                run.job = job
                run.save(update_fields=["job"])
                job_enqueue(job)
        except IntegrityError:
            continue  # another worker's scheduler enqueued it first
        started.append(job)
    return started
