"""Coverage targets: import and form writes, monthly achievement and the year-end forecast."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.core.audit import audit_record
from cakupan.core.errors import FieldError, InvalidInput
from cakupan.coverage.forecast import month_index, round_half_up, trend_fit
from cakupan.coverage.models import CoverageSnapshot, CoverageTarget
from cakupan.regions.models import BranchOffice, Region
from cakupan.rules.period import Period

SEGMENTS = ("", "PU", "BPU", "JAKON", "PMI")
DEFAULT_TREND_MONTHS = 6


def _target_check(
    *, region: str, branch_office: str, year: Any, segment: str, target: Any, where: str = ""
) -> tuple[dict[str, Any], list[FieldError]]:
    pre = f"{where}." if where else ""
    errors: list[FieldError] = []
    out: dict[str, Any] = {"region_id": None, "branch_office_id": None}
    region, branch_office, segment = region.strip(), branch_office.strip(), segment.strip().upper()
    if bool(region) == bool(branch_office):
        errors.append(FieldError(f"{pre}region", _("Give either a region or a branch office code.")))
    elif region:
        if not Region.objects.filter(code=region, level__in=[1, 2]).exists():
            errors.append(FieldError(f"{pre}region", _("Unknown province or regency/city code.")))
        out["region_id"] = region
    else:
        office = BranchOffice.objects.filter(code=branch_office).first()
        if office is None:
            errors.append(FieldError(f"{pre}branch_office", _("Unknown branch office code.")))
        else:
            out["branch_office_id"] = office.pk
    if segment == "ALL":
        segment = ""
    if segment not in SEGMENTS:
        errors.append(FieldError(f"{pre}segment", _("Choose PU, BPU, JAKON, PMI or leave empty for all.")))
    out["segment"] = segment
    for name, value, low, high in (("year", year, 2000, 2100), ("target", target, 1, 10**10)):
        try:
            number = int(str(value).strip().replace(",", ""))
        except ValueError:
            errors.append(FieldError(f"{pre}{name}", _("Enter a whole number.")))
            continue
        if not low <= number <= high:
            errors.append(FieldError(f"{pre}{name}", _("Out of range.")))
        out[name] = number
    return out, errors


def _save(item: dict[str, Any], note: str) -> tuple[CoverageTarget, bool]:
    key = {k: item[k] for k in ("region_id", "branch_office_id", "year", "segment")}
    return CoverageTarget.objects.update_or_create(**key, defaults={"target": item["target"], "note": note})


@transaction.atomic
def target_set(
    *,
    actor: Any,
    region: str = "",
    branch_office: str = "",
    year: Any,
    segment: str = "",
    target: Any,
    note: str = "",
) -> CoverageTarget:
    require(actor, Perm.TARGET_SET)
    item, errors = _target_check(
        region=region, branch_office=branch_office, year=year, segment=segment, target=target
    )
    if errors:
        raise InvalidInput(errors)
    obj, _created = _save(item, note[:300])
    audit_record(actor=actor, action="coverage.target_set", instance=obj, changes={"target": obj.target})
    return obj


@transaction.atomic
def targets_import(*, actor: Any, path: Path) -> dict[str, int]:
    """CSV columns: region (or branch_office), year, segment (empty = all), target, note. All or nothing."""
    require(actor, Perm.TARGET_SET)
    try:
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInput.single("file", _("Cannot read the file: %(error)s") % {"error": exc}) from exc
    if not rows:
        raise InvalidInput.single("file", _("The file has no data rows."))
    missing = [c for c in ("year", "target") if c not in rows[0]]
    if "region" not in rows[0] and "branch_office" not in rows[0]:
        missing.append("region")
    if missing:
        raise InvalidInput([FieldError(f"columns.{c}", _("This column is missing.")) for c in missing])
    items, errors = [], []
    for n, row in enumerate(rows, start=1):
        item, errs = _target_check(
            region=row.get("region") or "",
            branch_office=row.get("branch_office") or "",
            year=row.get("year") or "",
            segment=row.get("segment") or "",
            target=row.get("target") or "",
            where=f"row {n}",
        )
        errors += errs
        items.append((item, (row.get("note") or "")[:300]))
    if errors:
        raise InvalidInput(errors)
    created = sum(_save(item, note)[1] for item, note in items)
    audit_record(
        actor=actor,
        action="coverage.targets_import",
        entity="coverage.coveragetarget",
        changes={"file": path.name, "rows": len(items), "created": created},
    )
    return {"rows": len(items), "created": created}


# --- achievement and forecast (reads snapshots only) -----------------------------------------------------


def target_regions(target: CoverageTarget) -> list[str]:
    if target.region_id:
        return [target.region_id]
    return list(target.branch_office.regions.values_list("code", flat=True)) if target.branch_office else []


def active_series(*, regions: list[str], segment: str, periods: list[str]) -> dict[str, int]:
    """Active participants per period for the given snapshot regions (provinces or regencies)."""
    rows = CoverageSnapshot.objects.filter(period__in=periods, region_id__in=regions)
    if segment:
        rows = rows.filter(segment=segment)
    sums = rows.values("period").annotate(total=Sum("active")).order_by("period")
    return {r["period"]: int(r["total"]) for r in sums}


def target_progress(
    *, target: CoverageTarget, period: str, months: int = DEFAULT_TREND_MONTHS
) -> dict[str, Any]:
    """Achievement in `period` and the December forecast from the last `months` snapshots up to it.

    The range is the forecast ± one residual standard deviation of the fit; "on track" when the forecast
    reaches the target.
    """
    regions = target_regions(target)
    end = month_index(period)
    wanted = [str(Period.from_index(i)) for i in range(end - months + 1, end + 1)]
    series = active_series(regions=regions, segment=target.segment, periods=wanted)
    active = series.get(period)
    out: dict[str, Any] = {
        "year": target.year,
        "segment": target.segment or "all",
        "target": target.target,
        "active": active,
        "achievement": None if active is None else round(active / target.target, 4),
        "forecast": None,
        "forecast_low": None,
        "forecast_high": None,
        "status": None,
        "trend_months": len(series),
    }
    if not series:
        return out
    fit = trend_fit([(month_index(p), v) for p, v in sorted(series.items())])
    december = month_index(f"{target.year}-12")
    forecast = fit.at(december)
    out["forecast"] = round_half_up(forecast)
    out["forecast_low"] = round_half_up(forecast - fit.residual_std)
    out["forecast_high"] = round_half_up(forecast + fit.residual_std)
    out["slope_per_month"] = round(float(fit.slope), 2)
    out["status"] = "on_track" if out["forecast"] >= target.target else "at_risk"
    return out
