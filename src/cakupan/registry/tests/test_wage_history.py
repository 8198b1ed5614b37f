"""Wage history (issue 18 point 3): each employment keeps its wages with the month they start in, written by
the employment services and, set-based, by the roster import; the migration seeds one row per job."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from conftest import World
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cakupan.core.models import AuditEvent
from cakupan.registry import services
from cakupan.registry.models import Employment, WageHistory
from cakupan.registry.selectors import wage_history_of
from cakupan.registry.services.wages import wage_history_sync
from cakupan.registry.tests.service_checks import new_person, refused

SEED = importlib.import_module("cakupan.registry.migrations.0008_wage_history")


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class _Editor:
    """What the migration's RunPython uses of a schema editor (SQLite's cannot open inside a test's
    transaction): its connection, and execute()."""

    connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def history(job: Employment) -> list[tuple[str, int, int]]:
    return [
        (f"{w.start_month:%Y-%m}", w.basic_wage, w.fixed_allowance)
        for w in WageHistory.objects.filter(employment=job).order_by("start_month")
    ]


def start(world: World, **overrides: Any) -> Employment:
    data: dict[str, Any] = {
        "actor": world.admin,
        "employer": world.factory,
        "start_date": dt.date(2024, 1, 17),
        "basic_wage": 5_000_000,
        "fixed_allowance": 500_000,
    }
    data.update(overrides)
    if "person" not in data:
        data["person"] = new_person(world)
    return services.employment_start(**data)


def test_a_new_job_keeps_its_first_wage_from_its_start_month(world: World) -> None:
    job = start(world)
    assert history(job) == [("2024-01", 5_000_000, 500_000)]


def test_a_changed_wage_is_kept_from_the_month_given_and_the_old_one_stays(world: World) -> None:
    job = start(world)
    events = AuditEvent.objects.count()
    services.employment_update(
        actor=world.hr_factory, employment=job, basic_wage=6_000_000, wage_from=dt.date(2024, 7, 9)
    )
    assert history(job) == [("2024-01", 5_000_000, 500_000), ("2024-07", 6_000_000, 500_000)]
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert event.changes["wage_from"] == [None, "2024-07-01"]
    # A second change in the same month replaces that month's wage.
    services.employment_update(
        actor=world.admin, employment=job, fixed_allowance=0, wage_from=dt.date(2024, 7, 28)
    )
    assert history(job)[-1] == ("2024-07", 6_000_000, 0)
    assert len(history(job)) == 2


def test_a_change_without_a_month_starts_this_month(world: World) -> None:
    job = start(world)
    services.employment_update(actor=world.admin, employment=job, basic_wage=5_100_000)
    this_month = f"{timezone.localdate():%Y-%m}"
    assert history(job)[-1] == (this_month, 5_100_000, 500_000)


def test_a_change_of_other_fields_writes_no_wage(world: World) -> None:
    job = start(world)
    services.employment_update(actor=world.admin, employment=job, occupation="kesehatan")
    assert len(history(job)) == 1


@pytest.mark.parametrize(
    "wage_from", [dt.date(2023, 12, 31), "2024-07", dt.date.today() + dt.timedelta(days=400)]
)
def test_a_bad_wage_month_is_refused_and_nothing_is_written(world: World, wage_from: Any) -> None:
    job = start(world)
    before = history(job)
    refused(
        lambda: services.employment_update(
            actor=world.admin, employment=job, basic_wage=7_000_000, wage_from=wage_from
        ),
        "wage_from",
    )
    job.refresh_from_db()
    assert job.basic_wage == 5_000_000
    assert history(job) == before


def test_the_roster_sync_is_set_based_and_keeps_earlier_wages(world: World) -> None:
    def jobs(n: int, first_serial: int) -> list[Employment]:
        return [
            start(world, person=new_person(world, serial=first_serial + k), start_date=dt.date(2023, 3, 5))
            for k in range(n)
        ]

    def bulk_change(batch: list[Employment], wage: int) -> None:
        # As the roster import writes: bulk, around the services (no history row of its own).
        for job in batch:
            job.basic_wage = wage
        Employment.objects.bulk_update(batch, ["basic_wage"])

    small, large = jobs(2, 100), jobs(12, 200)
    WageHistory.objects.filter(employment=small[0]).delete()  # a job the import created without history
    bulk_change(small, 5_500_000)
    with CaptureQueriesContext(connection) as few:
        done = wage_history_sync(
            actor=world.hr_factory, month=dt.date(2025, 2, 3), employer_ids=[world.factory.pk]
        )
    assert done == {"started": 1, "changed": 1}
    assert history(small[0]) == [("2023-03", 5_500_000, 500_000)]
    assert history(small[1]) == [("2023-03", 5_000_000, 500_000), ("2025-02", 5_500_000, 500_000)]
    bulk_change(large, 8_000_000)
    with CaptureQueriesContext(connection) as many:
        done = wage_history_sync(
            actor=world.hr_factory, month=dt.date(2025, 2, 3), employer_ids=[world.factory.pk]
        )
    assert done == {"started": 0, "changed": 12}
    assert len(many.captured_queries) == len(few.captured_queries)
    # Nothing changed: a second run writes nothing.
    assert wage_history_sync(actor=world.hr_factory, employer_ids=[world.factory.pk]) == {
        "started": 0,
        "changed": 0,
    }


def test_the_selector_reads_a_workers_jobs_as_one_history(world: World) -> None:
    person = new_person(world)
    first = start(world, person=person, start_date=dt.date(2020, 1, 1), end_date=dt.date(2021, 5, 31))
    second = start(world, person=person, employer=world.hospital, start_date=dt.date(2021, 6, 1))
    services.employment_update(
        actor=world.admin, employment=second, basic_wage=7_000_000, wage_from=dt.date(2022, 3, 1)
    )
    assert wage_history_of([first.pk, second.pk]) == [
        (dt.date(2020, 1, 1), 5_500_000),
        (dt.date(2021, 6, 1), 5_500_000),
        (dt.date(2022, 3, 1), 7_500_000),
    ]


def test_the_migration_seeds_one_row_per_job_from_its_start_month(world: World) -> None:
    jobs = [
        start(world, person=new_person(world, serial=300 + k), start_date=dt.date(2022, 8, 31))
        for k in range(3)
    ]
    WageHistory.objects.all().delete()
    SEED.seed(None, _Editor())
    assert WageHistory.objects.count() == Employment.objects.count()
    assert all(history(job) == [("2022-08", 5_000_000, 500_000)] for job in jobs)
