"""The schedule's due times, its grace, and one job per entry and due time (in this process; two
schedulers in two processes: test_queue.py)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from cakupan.jobs.models import Job, ScheduledRun
from cakupan.jobs.schedule import SCHEDULE, Entry, schedule_enqueue_due

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


def at(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=JAKARTA)


def test_daily_and_monthly_due_times() -> None:
    daily = Entry("d", ["retention", "purge"], dt.time(2, 30))
    assert daily.latest_due(at(2025, 5, 10, 2, 29)) == at(2025, 5, 9, 2, 30)
    assert daily.latest_due(at(2025, 5, 10, 2, 30)) == at(2025, 5, 10, 2, 30)
    monthly = Entry("m", ["billing", "run"], dt.time(1, 0), day=1)
    assert monthly.latest_due(at(2025, 1, 1, 0, 59)) == at(2024, 12, 1, 1, 0)
    assert monthly.latest_due(at(2025, 3, 1, 1, 0)) == at(2025, 3, 1, 1, 0)
    # UTC "now" is read in the schedule's zone: 18:30 UTC on the 9th is 01:30 on the 10th in Jakarta.
    assert daily.latest_due(dt.datetime(2025, 5, 9, 18, 30, tzinfo=dt.UTC)) == at(2025, 5, 9, 2, 30)


def test_an_interval_entry_is_due_at_each_step_from_midnight() -> None:
    every = Entry("e", ["home_figures_refresh"], dt.time(0, 0), every=dt.timedelta(minutes=10))
    assert every.latest_due(at(2025, 5, 10, 0, 0)) == at(2025, 5, 10, 0, 0)
    assert every.latest_due(at(2025, 5, 10, 13, 59)) == at(2025, 5, 10, 13, 50)
    assert every.latest_due(at(2025, 5, 10, 14, 0)) == at(2025, 5, 10, 14, 0)
    # The home figures are on the schedule, and their command is one the "command" kind accepts.
    [home] = [e for e in SCHEDULE if e.name == "home-figures"]
    assert home.every == dt.timedelta(minutes=10)
    assert home.arguments(at(2025, 5, 10, 1, 0)) == ["home_figures_refresh"]


def test_monthly_billing_bills_the_month_just_ended() -> None:
    [billing] = [e for e in SCHEDULE if e.name == "billing-monthly"]
    assert billing.arguments(at(2025, 1, 1, 1, 0)) == ["billing", "run", "--period", "2024-12"]


@pytest.mark.django_db
def test_a_due_entry_is_enqueued_once_and_not_after_its_grace() -> None:
    entry = Entry("remind", ["compliance", "remind"], dt.time(7, 0), grace=dt.timedelta(hours=6))
    assert schedule_enqueue_due(now=at(2025, 5, 10, 6, 59), schedule=[entry]) == []  # yesterday's: past grace
    [job] = schedule_enqueue_due(now=at(2025, 5, 10, 7, 1), schedule=[entry])
    assert job.kind == "command"
    assert job.parameters == {"entry": "remind", "arguments": ["compliance", "remind"]}
    assert job.task_id  # on the queue
    assert schedule_enqueue_due(now=at(2025, 5, 10, 12, 0), schedule=[entry]) == []  # the same due time
    assert ScheduledRun.objects.get().job_id == job.pk
    [tomorrow] = schedule_enqueue_due(now=at(2025, 5, 11, 7, 0), schedule=[entry])
    assert tomorrow.pk != job.pk
    assert Job.objects.filter(kind="command").count() == 2


@pytest.mark.django_db
def test_the_command_kind_runs_only_the_schedule_s_commands() -> None:
    from cakupan.jobs.services import job_create, job_run

    job = job_run(job_id=job_create(kind="command", parameters={"arguments": ["flush", "--noinput"]}).pk)
    assert job.status == "failed"
    assert "not a scheduled command" in job.error
    done = job_run(job_id=job_create(kind="command", parameters={"arguments": ["compliance", "remind"]}).pk)
    assert done.status == "done", done.error
    assert "reminders: 0" in done.log
