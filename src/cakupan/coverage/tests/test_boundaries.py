"""Boundary import (a tiny fixture of our own, with the quirks of real files) and the choropleth."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from cakupan.accounts.permissions import SYSTEM
from cakupan.core.errors import InvalidInput
from cakupan.coverage.models import Boundary, WorkforceStat
from cakupan.coverage.services.boundaries import boundaries_import, geometry_path, project
from cakupan.coverage.services.snapshots import snapshot_build


def square(lon: float, lat: float, size: float) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(props: dict[str, Any], geometry: dict[str, Any] | None) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def write(tmp_path: Path, features: list[dict[str, Any]], name: str = "fixture.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@pytest.fixture
def regencies(tmp_path: Path) -> Path:
    return write(
        tmp_path,
        [
            feature({"code": "35.73", "name": "Kota Malang"}, square(112.6, -8.0, 0.1)),
            feature({"code": "35.07", "name": "Kabupaten Malang"}, square(112.3, -8.4, 0.6)),
            feature({"code": "91.01", "name": "Kabupaten Merauke"}, square(139.0, -8.5, 1.0)),  # pre-2022
            feature({"code": "35.76", "name": "Kota Mojokerto"}, None),  # null geometry
            feature({"code": "99.99", "name": "Nowhere"}, square(100, 0, 1)),
        ],
    )


def test_projection_and_path() -> None:
    assert project(95.0, 6.0) == (0, 0)
    assert project(112.61, -7.98) == (1761, 1398)
    drawn = geometry_path(square(112.6, -8.0, 0.1))
    assert drawn == ("M1760 1400L1770 1400L1770 1390L1760 1390Z", (1760, 1390, 1770, 1400), 4)
    # A ring smaller than the drawing unit vanishes: nothing is left to draw.
    assert geometry_path(square(112.6, -8.0, 0.001)) is None


def test_regency_import_maps_legacy_codes_and_reports_skips(world: Any, regencies: Path) -> None:
    result = boundaries_import(actor=SYSTEM, path=regencies)
    assert set(Boundary.objects.values_list("region_id", flat=True)) == {"35.73", "35.07", "93.01"}
    assert result["mapped"] == [{"from": "91.01", "to": "93.01", "name": "Kabupaten Merauke"}]
    assert {(s["code"], s["reason"]) for s in result["skipped"]} == {
        ("35.76", "no polygon geometry"),
        ("99.99", "unknown code"),
    }
    assert "35.76" in result["missing"]
    assert "35.73" not in result["missing"]
    assert Boundary.objects.get(region_id="35.73").vertices == 4
    # Importing again replaces rather than duplicates.
    boundaries_import(actor=SYSTEM, path=regencies)
    assert Boundary.objects.count() == 3


def test_duplicated_province_codes_resolved_by_name(world: Any, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            feature({"KODE_PROV": "91", "PROVINSI": "Papua"}, square(138, -3, 2)),
            feature({"KODE_PROV": "91", "PROVINSI": "Papua Selatan"}, square(138, -8, 2)),
            feature({"KODE_PROV": "91", "PROVINSI": "Papua Entah"}, square(136, -5, 1)),
            feature({"KODE_PROV": "35", "PROVINSI": "Jawa Timur"}, square(111, -8, 3)),
        ],
    )
    result = boundaries_import(actor=SYSTEM, path=path, key="KODE_PROV")
    assert set(Boundary.objects.values_list("region_id", flat=True)) == {"91", "93", "35"}
    assert result["skipped"] == [
        {"code": "91", "name": "Papua Entah", "reason": "duplicated code, name not matched"}
    ]


def test_unreadable_file_writes_nothing(world: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json")
    with pytest.raises(InvalidInput) as exc:
        boundaries_import(actor=SYSTEM, path=bad)
    assert exc.value.errors[0].field == "file"
    assert not Boundary.objects.exists()


def test_command_prints_json_and_exit_code(world: Any, regencies: Path, capsys: Any) -> None:
    call_command("boundaries", "import", str(regencies), "--key", "code")
    assert json.loads(capsys.readouterr().out)["imported"] == 3
    with pytest.raises(SystemExit) as exc:
        call_command("boundaries", "import", str(regencies.with_name("missing.geojson")))
    assert exc.value.code == 2


def test_dashboard_draws_choropleth_when_boundaries_exist(world: Any, regencies: Path) -> None:
    WorkforceStat.objects.create(region_id="35.73", year=2024, survey_month=8, employed=40, source="test")
    snapshot_build(period="2025-05")
    client = Client()
    client.force_login(world.admin)
    before = client.get("/coverage/", {"period": "2025-05", "region": "35"}).content.decode()
    assert 'id="choropleth"' not in before
    boundaries_import(actor=SYSTEM, path=regencies)
    page = client.get("/coverage/", {"period": "2025-05", "region": "35"}).content.decode()
    assert 'id="choropleth"' in page
    # Kota Malang: 2 active of 40 (5 %), the lightest colour; Kab. Malang has no workforce figure: grey.
    fills = re.findall(r'<path d="[^"]*" fill="(#\w+)"[^>]*data-code="([\d.]+)"', page)
    assert {code: fill for fill, code in fills} == {"35.73": "#e5f5e0", "35.07": "#d9d9d9"}
    # The frame: Kab. Malang spans x 1730-1790, y 1380-1440; plus a margin of 4.
    assert 'viewBox="1726 1376 68 68"' in page
    # Nationally there are no province boundaries yet: the tile grid stays.
    national = client.get("/coverage/", {"period": "2025-05"}).content.decode()
    assert 'id="tile-map"' in national
