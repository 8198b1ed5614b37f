"""Importing province and regency boundaries (GeoJSON keyed by Kemendagri codes) for the choropleth.

Each feature is projected once, at import, to an SVG path in a national equirectangular frame (x grows
east, y grows south; 0.01° a unit). Indonesia lies on the equator, so the plain lon/lat projection
distorts little. Rounding to the unit is the simplification: consecutive vertices that fall on the same
unit are dropped, and rings that shrink below three points are left out, so a page stays light.

Quirks of real files (shared/geo/README.md) and what we do with them:
- regencies of the six Papua-region provinces keep pre-2022 codes (91.01 Merauke is now 93.01): mapped
  through regions.LegacyRegionCode;
- provinces split from Papua in 2022 repeat their parent's KODE_PROV (91, 92): a repeated code is resolved
  by the feature's name (PROVINSI or name) against the official names; failing that, the feature is skipped;
- missing regencies: reported (`missing`), the map draws them grey.
Everything skipped is reported with its reason; nothing is written unless the file is readable.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.core.audit import audit_record
from cakupan.core.errors import InvalidInput
from cakupan.coverage.models import Boundary
from cakupan.regions.models import LegacyRegionCode, Region

ORIGIN_LON, ORIGIN_LAT, UNITS_PER_DEGREE = 95.0, 6.0, 100
KEYS = ("code", "KODE_PROV", "kode", "KDPKAB", "id")
NAME_KEYS = ("name", "PROVINSI", "WADMKK", "nama")
CODE_RE = re.compile(r"^\d{2}(\.\d{2})?$")


def project(lon: float, lat: float) -> tuple[int, int]:
    return round((lon - ORIGIN_LON) * UNITS_PER_DEGREE), round((ORIGIN_LAT - lat) * UNITS_PER_DEGREE)


def _rings(geometry: dict[str, Any]) -> list[list[Any]]:
    kind = geometry.get("type")
    coords = geometry.get("coordinates") or []
    if kind == "Polygon":
        return list(coords)
    if kind == "MultiPolygon":
        return [ring for polygon in coords for ring in polygon]
    return []


def geometry_path(geometry: dict[str, Any]) -> tuple[str, tuple[int, int, int, int], int] | None:
    """(SVG path, bounding box, vertices kept) of a Polygon or MultiPolygon; None when nothing is left."""
    parts: list[str] = []
    xs: list[int] = []
    ys: list[int] = []
    for ring in _rings(geometry):
        points: list[tuple[int, int]] = []
        for position in ring:
            point = project(float(position[0]), float(position[1]))
            if not points or points[-1] != point:
                points.append(point)
        if len(points) > 1 and points[0] == points[-1]:
            points.pop()
        if len(set(points)) < 3:
            continue
        parts.append("M" + "L".join(f"{x} {y}" for x, y in points) + "Z")
        xs += [x for x, _y in points]
        ys += [y for _x, y in points]
    if not parts:
        return None
    return "".join(parts), (min(xs), min(ys), max(xs), max(ys)), len(xs)


def _norm(name: str) -> str:
    text = re.sub(r"^provinsi\s+", "", name.strip().lower())
    return re.sub(r"[^a-z0-9]", "", text)


def _key_of(properties: dict[str, Any], key: str | None) -> str:
    if key:
        return str(properties.get(key) or "").strip()
    for candidate in KEYS:
        if properties.get(candidate) not in (None, ""):
            return str(properties[candidate]).strip()
    return ""


def _name_of(properties: dict[str, Any]) -> str:
    return next((str(properties[k]) for k in NAME_KEYS if properties.get(k)), "")


def _load(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput.single("file", _("Cannot read the file: %(error)s") % {"error": exc}) from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or not features:
        raise InvalidInput.single("file", _("Not a GeoJSON FeatureCollection with features."))
    return features


@transaction.atomic
def boundaries_import(*, actor: Any, path: Path, key: str | None = None) -> dict[str, Any]:
    """Insert or replace the boundaries in the file. Returns counts, `skipped` (code, name, reason) and the
    regencies of the imported provinces that have no boundary (`missing`)."""
    require(actor, Perm.BOUNDARIES_IMPORT)
    features = _load(path)
    regions = {r.code: r for r in Region.objects.filter(level__in=[1, 2])}
    legacy = dict(LegacyRegionCode.objects.values_list("code", "current_id"))
    by_name: dict[tuple[int, str], str] = {(r.level, _norm(r.name)): r.code for r in regions.values()}
    raw_codes = Counter(_key_of(f.get("properties") or {}, key) for f in features)
    skipped: list[dict[str, str]] = []
    mapped: list[dict[str, str]] = []
    chosen: dict[str, Boundary] = {}
    for feature in features:
        properties = feature.get("properties") or {}
        raw, name = _key_of(properties, key), _name_of(properties)
        code = raw
        if not CODE_RE.match(raw):
            skipped.append({"code": raw, "name": name, "reason": "not a province or regency code"})
            continue
        level = 1 if "." not in raw else 2
        if level == 2 and raw in legacy:
            code = legacy[raw]  # a pre-2022 Papua code: its successor (regions.LegacyRegionCode)
        elif raw_codes[raw] > 1:
            code = by_name.get((level, _norm(name)), "")  # a split province repeating its parent's code
        if code and code != raw:
            mapped.append({"from": raw, "to": code, "name": name})
        if not code or code not in regions:
            reason = "duplicated code, name not matched" if raw_codes[raw] > 1 else "unknown code"
            skipped.append({"code": raw, "name": name, "reason": reason})
            continue
        if code in chosen:
            skipped.append({"code": raw, "name": name, "reason": f"second feature for {code}"})
            continue
        drawn = geometry_path(feature.get("geometry") or {})
        if drawn is None:
            skipped.append({"code": raw, "name": name, "reason": "no polygon geometry"})
            continue
        svg, box, vertices = drawn
        chosen[code] = Boundary(
            region_id=code,
            path=svg,
            min_x=box[0],
            min_y=box[1],
            max_x=box[2],
            max_y=box[3],
            vertices=vertices,
            source=path.name[:300],
        )
    Boundary.objects.filter(region_id__in=list(chosen)).delete()
    Boundary.objects.bulk_create(chosen.values(), batch_size=500)
    provinces = {code[:2] for code in chosen if "." in code}
    missing = sorted(c for c, r in regions.items() if r.level == 2 and c[:2] in provinces and c not in chosen)
    result: dict[str, Any] = {
        "imported": len(chosen),
        "provinces": sum(1 for c in chosen if "." not in c),
        "regencies": sum(1 for c in chosen if "." in c),
        "vertices": sum(b.vertices for b in chosen.values()),
        "mapped": mapped,
        "skipped": skipped,
        "missing": missing,
    }
    audit_record(
        actor=actor,
        action="coverage.boundaries_import",
        entity="coverage.boundary",
        changes={k: v if isinstance(v, int) else len(v) for k, v in result.items()} | {"file": path.name},
    )
    return result
