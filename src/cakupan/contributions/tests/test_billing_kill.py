"""A billing run killed with SIGKILL in a real subprocess, at several points, on PostgreSQL and SQLite.

The child process runs the real `billing_run` against the test database; at the chosen point it sends itself
SIGKILL (no clean-up runs, its connection drops, its open transaction is lost), as the OOM killer or an
operator would. After each kill: no bill is visible to the readers with a wrong amount (a run's bills stay
hidden until it completes), the dead run does not block its period, and resuming it gives exactly the bills
of an uninterrupted run. A run that is alive (paused between chunks) refuses a second start of its period.

The data must be committed for the child to see it, so these tests are transactional: the flush after each
one empties every table, the regions too, which the other tests read from the session's setup; they are
loaded again before each test here and once after the module.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from cakupan.contributions import selectors_payments as sel
from cakupan.contributions.models import Bill, BillingRun, BillLine
from cakupan.contributions.services.billing import billing_run, billing_run_prepare
from cakupan.contributions.services.billing_claim import held_elsewhere
from cakupan.contributions.tests.factories import pu_member_make
from cakupan.contributions.tests.test_billing import state
from cakupan.core.errors import InvalidInput
from cakupan.core.models import AuditEvent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("regions_back_after_module")]

PERIOD = "2025-04"
CHUNK = 3
CHILD = Path(__file__).with_name("billing_kill_child.py")


class Shared:
    """The test database as the child process sees it. PostgreSQL: the same database. SQLite: the tests run
    in memory, so the database is copied to a file for the child (SQLite's backup API) and copied back
    after it, which also replays what a killed SQLite writer left behind (its WAL, its lost transaction)."""

    def __init__(self, tmp_path: Path) -> None:
        self.file = tmp_path / "shared.sqlite3"

    def url(self) -> str:
        s = connection.settings_dict
        if connection.vendor == "postgresql":
            password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
            host = s["HOST"] or "127.0.0.1"
            return f"postgresql://{s['USER']}{password}@{host}:{s['PORT'] or 5432}/{s['NAME']}"
        connection.ensure_connection()
        with sqlite3.connect(self.file) as target:
            connection.connection.backup(target)
        return f"sqlite:///{self.file}"

    def back(self) -> None:
        if connection.vendor == "sqlite":
            source = sqlite3.connect(self.file)
            try:
                source.backup(connection.connection)
            finally:
                source.close()


def _child(shared: Shared, point: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": shared.url(), "DJANGO_SETTINGS_MODULE": "cakupan.settings"}
    return subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(CHILD), point, PERIOD, str(CHUNK)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.fixture
def world(regions_in_transactional_db: Any, world: Any) -> Any:
    return world


@pytest.fixture
def clean(world: Any) -> list[tuple[Any, ...]]:
    """Eight PU members (three chunks of three), billed once without interruption: the expected state."""
    for serial in range(7):
        pu_member_make(world.admin, world.factory, serial, wage=4_000_000 + 1_000 * serial)
    billing_run(period=PERIOD, chunk_size=CHUNK)
    expected = state()
    BillLine.objects.all().delete()
    Bill.objects.all().delete()
    BillingRun.objects.all().delete()
    AuditEvent.objects.filter(action="billing.run").delete()
    return expected


def _nothing_visible_wrong(world: Any, expected: list[tuple[Any, ...]]) -> None:
    """Every bill a reader sees has the amount of the uninterrupted run (here: none is seen yet)."""
    wanted = {row[0]: row[3] for row in expected if len(row) == 5}
    seen = list(sel.bill_list(user=world.admin).values_list("account__virtual_account", "amount_due"))
    assert all(wanted[va] == due for va, due in seen)
    assert not Bill.objects.completed().filter(period=PERIOD).exists()


@pytest.mark.parametrize(
    "point",
    [
        "accounts",  # inside the first chunk, its payer accounts written, nothing committed
        "between",  # after the first chunk committed, outside any transaction
        "mid_chunk",  # in the second chunk, its lines inserted, not committed
        "final",  # in the last transaction: totals computed, run not yet marked done
    ],
)
def test_killed_run_hides_its_bills_and_resumes_to_the_clean_state(
    world: Any, clean: list[tuple[Any, ...]], point: str, tmp_path: Path
) -> None:
    shared = Shared(tmp_path)
    child = _child(shared, point)
    _out, err = child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL, err
    shared.back()
    _nothing_visible_wrong(world, clean)
    killed = BillingRun.objects.get(period=PERIOD)
    if point != "accounts":  # the first chunk committed: the run's cursor moved
        assert killed.status == "running"
        assert killed.cursor > 0
    # The dead process holds nothing: a new start takes the same run over instead of refusing.
    assert not held_elsewhere(killed)
    assert billing_run_prepare(period=PERIOD).pk == killed.pk
    resumed = billing_run(period=PERIOD, chunk_size=CHUNK)
    assert resumed.pk == killed.pk
    assert resumed.status == "done"
    assert state() == clean
    assert BillingRun.objects.count() == 1
    event = AuditEvent.objects.get(action="billing.run")
    assert event.entity_id == str(resumed.pk)
    bills = sum(1 for row in clean if len(row) == 5)
    assert (event.changes["bills"], event.changes["lines"]) == (bills, len(clean) - bills)


def test_a_live_run_refuses_a_second_start_until_it_is_killed(
    world: Any, clean: list[tuple[Any, ...]], tmp_path: Path
) -> None:
    shared = Shared(tmp_path)
    child = _child(shared, "pause")
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "paused"  # one chunk committed, the process alive
        shared.back()
        running = BillingRun.objects.get(period=PERIOD)
        assert running.pid == child.pid
        assert held_elsewhere(running)
        _nothing_visible_wrong(world, clean)
        for start in (billing_run_prepare, billing_run):
            with pytest.raises(InvalidInput) as exc:
                start(period=PERIOD)
            assert exc.value.errors[0].field == "period"
        assert BillingRun.objects.count() == 1
    finally:
        child.kill()
        child.communicate(timeout=60)
    shared.back()
    assert not held_elsewhere(BillingRun.objects.get(period=PERIOD))
    done = billing_run(period=PERIOD, chunk_size=CHUNK)
    assert done.status == "done"
    assert state() == clean
