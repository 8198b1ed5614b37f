"""Targets, achievement and the least-squares forecast, against hand-computed figures."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from cakupan.core.errors import InvalidInput
from cakupan.coverage.forecast import trend_fit
from cakupan.coverage.models import CoverageSnapshot, CoverageTarget
from cakupan.coverage.services.targets import target_progress, target_set, targets_import


def test_trend_fit_by_hand() -> None:
    # x = 0..3, y = 100, 110, 125, 135: slope 60/5 = 12, intercept 117.5 - 12 * 1.5 = 99.5,
    # residuals 0.5, -1.5, 1.5, -0.5: SSR 5, std sqrt(5 / 2).
    fit = trend_fit([(0, 100), (1, 110), (2, 125), (3, 135)])
    assert fit.slope == 12
    assert fit.intercept == Fraction(199, 2)
    assert fit.residual_std == pytest.approx((5 / 2) ** 0.5)


def put(region: str, series: dict[str, int]) -> None:
    now = timezone.now()
    CoverageSnapshot.objects.bulk_create(
        CoverageSnapshot(
            period=p, level=2, region_id=region, segment="BPU", sector="other", active=v, built_at=now
        )
        for p, v in series.items()
    )


@pytest.fixture
def series(world: Any) -> None:
    put("35.73", {"2025-01": 100, "2025-02": 110, "2025-03": 125, "2025-04": 135})
    put("35.07", {"2025-01": 10, "2025-02": 10, "2025-03": 10, "2025-04": 10})


def test_forecast_and_status(series: None, world: Any) -> None:
    at_risk = target_set(actor=world.admin, region="35.73", year=2025, target=240)
    p = target_progress(target=at_risk, period="2025-04")
    # December = x 11: 99.5 + 12 * 11 = 231.5 -> 232; range 231.5 ± 1.581 -> 230 .. 233.
    assert (p["active"], p["forecast"], p["forecast_low"], p["forecast_high"]) == (135, 232, 230, 233)
    assert p["achievement"] == round(135 / 240, 4)
    assert p["status"] == "at_risk"
    assert p["trend_months"] == 4
    on_track = target_set(actor=world.admin, region="35.73", year=2025, target=240 - 10)
    assert on_track.pk == at_risk.pk  # one target per region, year and segment
    assert target_progress(target=on_track, period="2025-04")["status"] == "on_track"


def test_branch_target_sums_its_regencies(series: None, world: Any) -> None:
    target = target_set(actor=world.admin, branch_office="MLG", year=2025, segment="BPU", target=100)
    p = target_progress(target=target, period="2025-04")
    # 35.73 + 35.07: 110, 120, 135, 145 -> slope 12, mean 127.5, intercept 109.5; December 109.5 + 132.
    assert p["active"] == 145
    assert p["forecast"] == 242
    assert p["status"] == "on_track"


def test_target_errors(world: Any) -> None:
    with pytest.raises(InvalidInput) as exc:
        target_set(
            actor=world.admin, region="35.73", branch_office="MLG", year="20x5", segment="XX", target=0
        )
    assert [e.field for e in exc.value.errors] == ["region", "segment", "year", "target"]


def test_targets_import_all_or_nothing(world: Any, tmp_path: Path) -> None:
    good = tmp_path / "t.csv"
    good.write_text(
        "region,branch_office,year,segment,target,note\n"
        ",MLG,2020,,234000,Malang 2020\n"
        ",MLG,2020,BPU,45000,informal\n"
    )
    assert targets_import(actor=world.admin, path=good) == {"rows": 2, "created": 2}
    bad = tmp_path / "b.csv"
    bad.write_text("region,year,segment,target\n35.73,2026,,1000\n99.99,2026,,5\n")
    with pytest.raises(InvalidInput) as exc:
        targets_import(actor=world.admin, path=bad)
    assert [e.field for e in exc.value.errors] == ["row 2.region"]
    assert CoverageTarget.objects.count() == 2
