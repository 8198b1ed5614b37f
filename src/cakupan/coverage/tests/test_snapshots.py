"""Snapshot counts against hand-built memberships at the boundaries of the period's last day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cakupan.core.errors import InvalidInput
from cakupan.coverage.models import CoverageSnapshot, SnapshotBuild
from cakupan.coverage.services.snapshots import snapshot_build
from cakupan.coverage.tests.factories import bpu, person
from cakupan.registry import services
from cakupan.registry.models import Membership

DAY = dt.date(2025, 5, 31)  # last day of 2025-05


@pytest.fixture
def cohort(world: Any) -> dict[str, Membership]:
    admin = world.admin
    apbd = services.sponsor_register(actor=admin, name="APBD Kab. Malang", kind="apbd", region="35.07")
    m = {
        "starts_on_day": bpu(actor=admin, who=person(actor=admin, district="32.16.01", serial=11), start=DAY),
        "starts_after": bpu(
            actor=admin, who=person(actor=admin, district="32.16.01", serial=12), start=DAY + dt.timedelta(1)
        ),
        "ends_on_day": bpu(
            actor=admin, who=person(actor=admin, district="35.73.03", serial=13), start=dt.date(2024, 1, 1)
        ),
        "ended_before": bpu(
            actor=admin, who=person(actor=admin, district="35.73.03", serial=14), start=dt.date(2024, 1, 1)
        ),
        "inactive": bpu(
            actor=admin, who=person(actor=admin, district="35.73.03", serial=15), start=dt.date(2024, 1, 1)
        ),
        "apbd": bpu(
            actor=admin,
            who=person(actor=admin, district="35.07.01", serial=16),
            start=dt.date(2024, 1, 1),
            sponsor=apbd,
        ),
    }
    services.membership_end(actor=admin, membership=m["ends_on_day"], end_date=DAY)
    services.membership_end(actor=admin, membership=m["ended_before"], end_date=DAY - dt.timedelta(1))
    # Arrears make a membership non-active (no service for it yet): set the status in the database.
    Membership.objects.filter(pk=m["inactive"].pk).update(status=Membership.Status.INACTIVE)
    return m


def rows(period: str, level: int) -> dict[tuple[str, str, str], int]:
    qs = CoverageSnapshot.objects.filter(period=period, level=level)
    return {(r.region_id, r.segment, r.sector): r.active for r in qs}


def test_counts_at_the_period_end(cohort: Any) -> None:
    result = snapshot_build(period="2025-05")
    # world: the nurse (PU, hospital in 35.73.01) and the driver (BPU, CSR, lives in 35.73.02, from 1 May).
    assert rows("2025-05", 2) == {
        ("35.73", "PU", "rumah_sakit"): 1,
        ("35.73", "BPU", "csr"): 1,
        ("35.73", "BPU", "other"): 1,  # ended on the last day: still active that day
        ("32.16", "BPU", "other"): 1,  # started on the last day
        ("35.07", "BPU", "vulnerable-apbd"): 1,
    }
    assert rows("2025-05", 1) == {
        ("35", "PU", "rumah_sakit"): 1,
        ("35", "BPU", "csr"): 1,
        ("35", "BPU", "other"): 1,
        ("35", "BPU", "vulnerable-apbd"): 1,
        ("32", "BPU", "other"): 1,
    }
    assert result["active"] == 5
    assert SnapshotBuild.objects.get(period="2025-05").active == 5


def test_an_earlier_month_counts_the_then_active(cohort: Any) -> None:
    snapshot_build(period="2025-04")
    # April: the driver (from May) and the two May starters are out; both ended ones were still active.
    assert rows("2025-04", 2) == {
        ("35.73", "PU", "rumah_sakit"): 1,
        ("35.73", "BPU", "other"): 2,
        ("35.07", "BPU", "vulnerable-apbd"): 1,
    }


def test_rebuild_replaces_the_period(cohort: Any, world: Any) -> None:
    snapshot_build(period="2025-05")
    snapshot_build(period="2025-06")
    first = rows("2025-05", 2)
    services.membership_end(
        actor=world.admin, membership=world.driver_membership, end_date=dt.date(2025, 5, 2)
    )
    snapshot_build(period="2025-05")
    after = rows("2025-05", 2)
    assert ("35.73", "BPU", "csr") in first
    assert ("35.73", "BPU", "csr") not in after
    assert sum(after.values()) == sum(first.values()) - 1
    assert rows("2025-06", 2)  # other periods untouched


def test_query_count_does_not_grow_with_memberships(world: Any) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            snapshot_build(period="2025-05")
        return len(ctx.captured_queries)

    count()  # the first build creates its SnapshotBuild row; later builds update it
    before = count()
    for serial in range(30, 40):
        bpu(
            actor=world.admin,
            who=person(actor=world.admin, district="35.73.01", serial=serial),
            start=dt.date(2025, 1, 1),
        )
    assert count() == before
    assert rows("2025-05", 2)[("35.73", "BPU", "other")] == 10


@pytest.mark.parametrize("bad", ["2025-13", "2025-5", "", "may"])
def test_bad_period_is_refused(db: Any, bad: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        snapshot_build(period=bad)
    assert exc.value.errors[0].field == "period"
    assert not SnapshotBuild.objects.exists()
