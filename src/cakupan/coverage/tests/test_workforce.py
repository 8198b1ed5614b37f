"""Workforce import (field errors, nothing written on a bad file), the shipped BPS figures, and the rate
under each denominator definition."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from cakupan.accounts.models import Role
from cakupan.accounts.scope import Scope
from cakupan.coverage import selectors
from cakupan.coverage.models import CoverageSnapshot, WorkforceStat
from cakupan.coverage.services.snapshots import snapshot_build
from cakupan.coverage.services.workforce import workforce_for

ADMIN = Scope(role=Role.NATIONAL_ADMIN, everything=True)
HEADER = "region_code,year,survey_month,employed,formal,informal,source\n"


def run(capsys: Any, *args: str) -> tuple[int, Any]:
    code = 0
    try:
        call_command(*args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, json.loads(capsys.readouterr().out)


def test_import_good_file(db: Any, tmp_path: Path, capsys: Any) -> None:
    f = tmp_path / "w.csv"
    f.write_text(
        HEADER + "35.07,2024,8,1500000,600000,900000,synthetic demo\n35,2024,2,22000000,,,BPS Jatim\n"
    )
    code, out = run(capsys, "workforce", "import", str(f))
    assert (code, out) == (0, {"created": 2, "updated": 0})
    stat = WorkforceStat.objects.get(region_id="35.07")
    assert (stat.employed, stat.formal, stat.informal, stat.source) == (
        1500000,
        600000,
        900000,
        "synthetic demo",
    )
    code, out = run(capsys, "workforce", "import", str(f))
    assert out == {"created": 0, "updated": 2}


def test_bad_file_names_fields_and_writes_nothing(db: Any, tmp_path: Path, capsys: Any) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(
        HEADER
        + "35.07,2024,8,1000,600,400,ok\n"
        + "99.99,2024,5,12x,,,src\n"
        + "35.73,2024,8,100,60,30,src\n"
        + "35.07,2024,8,1000,,,dup\n"
    )
    code, out = run(capsys, "workforce", "import", str(f))
    assert code == 2
    fields = [e["field"] for e in out["errors"]]
    assert fields == [
        "row 2.region_code",
        "row 2.survey_month",
        "row 2.employed",
        "row 3.employed",  # 60 + 30 != 100
        "row 4.region_code",  # the same round twice
    ]
    assert not WorkforceStat.objects.exists()


def test_missing_column(db: Any, tmp_path: Path, capsys: Any) -> None:
    f = tmp_path / "cols.csv"
    f.write_text("region_code,year,employed\n35.73,2024,5\n")
    code, out = run(capsys, "workforce", "import", str(f))
    assert code == 2
    assert [e["field"] for e in out["errors"]] == [
        "columns.survey_month",
        "columns.formal",
        "columns.informal",
    ]


def test_bps_figures_with_their_source(db: Any, capsys: Any) -> None:
    run(capsys, "workforce", "load-bps")
    malang = workforce_for(region_code="35.73", period="2025-05")
    assert malang is not None
    assert (malang.employed, malang.labour_force, malang.year, malang.survey_month) == (
        436742,
        465095,
        2024,
        8,
    )
    assert "BPS Kota Malang" in malang.source
    assert not malang.synthetic
    # Before the August 2024 round the August 2023 figure applies.
    earlier = workforce_for(region_code="35.73", period="2024-07")
    assert earlier is not None
    assert earlier.employed == 428699
    national = workforce_for(region_code=None, period="2025-05")
    assert national is not None
    assert national.employed == 144_640_000
    lhok = workforce_for(region_code="11.73", period="2025-05")
    assert lhok is not None
    assert lhok.employed == 86570


@pytest.fixture
def malang_snapshot(world: Any) -> None:
    # world: two active in Kota Malang on 31 May 2025 (the nurse, PU, and the driver, BPU via CSR).
    WorkforceStat.objects.create(region_id="35.73", year=2024, survey_month=8, employed=20, source="test")
    snapshot_build(period="2025-05")


def test_rate_is_active_over_employed(malang_snapshot: None) -> None:
    answer = selectors.coverage_show(scope=ADMIN, region="35.73", period="2025-05")
    assert answer["active"] == 2
    assert answer["workforce"] == 20
    assert answer["rate"] == 0.1
    assert answer["by_segment"] == {"PU": 1, "BPU": 1, "JAKON": 0, "PMI": 0}
    assert answer["by_sector"] == {"csr": 1, "rumah_sakit": 1}
    assert answer["denominator"]["key"] == "employed"


def test_rate_without_public_servants_share(malang_snapshot: None, settings: Any) -> None:
    settings.CAKUPAN_COVERAGE_DENOMINATOR = "employed_private"
    settings.CAKUPAN_COVERAGE_PUBLIC_SERVANT_SHARE = "0.25"
    answer = selectors.coverage_show(scope=ADMIN, region="35.73", period="2025-05")
    assert answer["workforce"] == 15
    assert answer["rate"] == round(2 / 15, 4)
    assert answer["denominator"] == {
        "key": "employed_private",
        "label": answer["denominator"]["label"],
        "public_servant_share": "0.25",
    }


def test_rate_without_public_servants_column(malang_snapshot: None, settings: Any) -> None:
    settings.CAKUPAN_COVERAGE_DENOMINATOR = "employed_private"
    WorkforceStat.objects.filter(region_id="35.73").update(public_servants=10)
    answer = selectors.coverage_show(scope=ADMIN, region="35.73", period="2025-05")
    assert answer["workforce"] == 10
    assert answer["rate"] == 0.2


def test_national_sums_provinces(malang_snapshot: None) -> None:
    answer = selectors.coverage_show(scope=ADMIN, region="", period="2025-05")
    assert answer["region"] == "ID"
    assert answer["active"] == 2
    assert answer["workforce"] is None
    assert CoverageSnapshot.objects.filter(level=1).count() == 2


def test_a_spreadsheet_bomb_is_refused_before_it_is_unpacked(db: Any, tmp_path: Path, capsys: Any) -> None:
    """Workforce statistics come as spreadsheets too: the roster's limits (core.upload_limits) hold here."""
    from cakupan.enrolment.tests import bombs

    bomb = bombs.xlsx_repeated_rows(tmp_path, 1_000_000)  # under 1 MB, 244 MB unpacked
    code, out = run(capsys, "workforce", "import", str(bomb))
    assert code == 2
    assert [error["field"] for error in out["errors"]] == ["file"]
    assert not WorkforceStat.objects.exists()
