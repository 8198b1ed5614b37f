"""The benefit rule tables: versioned values, each with its source and confidence.

The tables live in `rules/tables/benefits.toml`. A deployment can change unconfirmed values without editing
that file: `CAKUPAN_BENEFIT_TABLES=/path/override.toml` is merged over it (versions matched by `version`).
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

TABLES_PATH = Path(__file__).resolve().parents[1] / "tables" / "benefits.toml"
OVERRIDE_ENV = "CAKUPAN_BENEFIT_TABLES"
VERSIONED = ("jkm", "scholarship", "jkk", "jkp", "jp", "jht")
# Weakest first: the confidence of a result is that of the weakest value it used.
CONFIDENCES = ("U", "B", "M", "C")


@dataclass(frozen=True)
class Cited:
    """One value from the tables, with where it comes from and how sure we are of it."""

    key: str
    value: Any
    confidence: str
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "value": self.value, "confidence": self.confidence, "source": self.source}


def weakest(confidences: Iterable[str]) -> str:
    return min(confidences, key=CONFIDENCES.index, default="C")


@dataclass(frozen=True)
class Version:
    """One version of a family's rules, e.g. JKM under PP 82/2019."""

    family: str
    name: str
    valid_from: dt.date
    valid_from_confidence: str
    data: Mapping[str, Any]

    def cited(self, key: str) -> Cited:
        entry = self.data[key]
        return Cited(
            f"{self.family}[{self.name}].{key}", entry["value"], entry["confidence"], entry["source"]
        )

    @property
    def mode(self) -> str:
        return str(self.data.get("mode", ""))


@dataclass(frozen=True)
class BenefitTables:
    raw: Mapping[str, Any]

    def versions(self, family: str) -> list[Version]:
        return [
            Version(
                family=family,
                name=item["version"],
                valid_from=dt.date.fromisoformat(item["valid_from"]),
                valid_from_confidence=item.get("valid_from_confidence", "C"),
                data=item,
            )
            for item in self.raw[family]
        ]

    def version(self, family: str, on: dt.date) -> Version | None:
        """The version in force on `on`: the last one starting on or before it (None before the first)."""
        found = None
        for version in self.versions(family):
            if version.valid_from <= on:
                found = version
        return found

    def first_valid_from(self, family: str) -> dt.date:
        return self.versions(family)[0].valid_from

    def section(self, name: str) -> Mapping[str, Any]:
        return dict(self.raw.get(name, {}))

    def documents(self, key: str) -> tuple[list[str], Cited]:
        entry = self.raw["documents"][key]
        items = [str(item) for item in entry["items"]]
        return items, Cited(f"documents.{key}", items, entry["confidence"], entry["source"])


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge `override` into `base`; lists of versions are merged by their `version` name.

    A cited entry ({value, confidence, source}) is replaced whole: a changed value must restate how sure we
    are of it and where it comes from, never inherit the old "confirmed".
    """
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        cited = isinstance(value, Mapping) and ("value" in value or "confidence" in value)
        if isinstance(current, Mapping) and isinstance(value, Mapping) and not cited:
            merged[key] = merge(current, value)
        elif key in VERSIONED and isinstance(current, list) and isinstance(value, list):
            by_name = {item["version"]: dict(item) for item in current}
            for item in value:
                name = item["version"]
                by_name[name] = merge(by_name.get(name, {}), item)
            merged[key] = sorted(by_name.values(), key=lambda item: item["valid_from"])
        else:
            merged[key] = value
    return merged


def check(raw: Mapping[str, Any]) -> None:
    """Fail loudly on a malformed table or override: a wrong table must never yield a quiet wrong amount."""
    for family in VERSIONED:
        items = raw.get(family)
        if not isinstance(items, list) or not items:
            raise ValueError(f"benefit tables: [[{family}]] is missing")
        starts = [dt.date.fromisoformat(item["valid_from"]) for item in items]
        if starts != sorted(starts):
            raise ValueError(f"benefit tables: [[{family}]] versions are not in date order")
        for item in items:
            for key, entry in item.items():
                cited = isinstance(entry, Mapping) and "value" in entry
                if cited and (entry.get("confidence") not in CONFIDENCES or not entry.get("source")):
                    raise ValueError(
                        f"benefit tables: {family}[{item['version']}].{key} lacks confidence/source"
                    )


def load_tables(path: Path = TABLES_PATH, *, override: Path | None = None) -> BenefitTables:
    with path.open("rb") as handle:
        raw: dict[str, Any] = tomllib.load(handle)
    if override is not None:
        with override.open("rb") as handle:
            raw = merge(raw, tomllib.load(handle))
    check(raw)
    return BenefitTables(raw)


@lru_cache(maxsize=4)
def _cached(override: str) -> BenefitTables:
    return load_tables(override=Path(override) if override else None)


def default_tables() -> BenefitTables:
    """The shipped tables, with the deployment's override file when CAKUPAN_BENEFIT_TABLES names one."""
    return _cached(os.environ.get(OVERRIDE_ENV, ""))
