"""The workforce (the coverage denominator): import BPS-style tables, ship the real BPS figures, and pick
the figure that applies to a month under the configured definition."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import SYSTEM, Perm, require
from cakupan.core.audit import audit_record
from cakupan.core.errors import FieldError, InvalidInput
from cakupan.core.upload_limits import check_file, check_rows
from cakupan.coverage.models import WorkforceStat
from cakupan.regions.models import Region

BPS_FILE = Path(__file__).resolve().parent.parent / "data" / "bps_workforce.csv"
REQUIRED_COLUMNS = ("region_code", "year", "survey_month", "employed", "formal", "informal")
OPTIONAL_INT_COLUMNS = ("labour_force", "public_servants")
SECTOR_PREFIX = "sector_"  # optional columns sector_<key>: employed persons in that sector
NATIONAL_CODES = ("", "ID", "00")  # Indonesia as a whole

# The denominator definitions. "employed": everyone BPS counts as working (Sakernas). "employed_private":
# without civil servants, armed forces and police, who have their own schemes (PP 70/2015 for ASN JKK/JKM
# through Taspen; Asabri for TNI/Polri): the `public_servants` column when imported, else the employed
# figure times (1 - CAKUPAN_COVERAGE_PUBLIC_SERVANT_SHARE).
DENOMINATORS = {
    "employed": _("employed population (BPS Sakernas)"),
    "employed_private": _(
        "employed population without civil servants, armed forces and police (own schemes)"
    ),
}
# Default share: about 4.0 % of the employed are ASN, TNI or Polri (BKN 2024: ~4.8 M ASN; TNI ~0.45 M;
# Polri ~0.45 M; against 144.64 M employed). An assumption, configurable; not an official BPS figure.
DEFAULT_PUBLIC_SERVANT_SHARE = "0.040"


@dataclass(frozen=True)
class Denominator:
    key: str
    label: str
    share: Decimal | None  # the public-servant share applied when the column is missing

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "label": str(self.label)}
        if self.share is not None:
            out["public_servant_share"] = str(self.share)
        return out


def denominator_config() -> Denominator:
    """The configured definition (settings CAKUPAN_COVERAGE_DENOMINATOR, ..._PUBLIC_SERVANT_SHARE)."""
    key = getattr(settings, "CAKUPAN_COVERAGE_DENOMINATOR", "employed")
    if key not in DENOMINATORS:
        raise ValueError(f"CAKUPAN_COVERAGE_DENOMINATOR must be one of {sorted(DENOMINATORS)}, not {key!r}")
    share = None
    if key == "employed_private":
        share = Decimal(
            str(getattr(settings, "CAKUPAN_COVERAGE_PUBLIC_SERVANT_SHARE", DEFAULT_PUBLIC_SERVANT_SHARE))
        )
    return Denominator(key=key, label=str(DENOMINATORS[key]), share=share)


def denominator_of(stat: WorkforceStat, config: Denominator | None = None) -> int:
    config = config or denominator_config()
    if config.key == "employed":
        return stat.employed
    if stat.public_servants is not None:
        return stat.employed - stat.public_servants
    assert config.share is not None
    kept = Decimal(stat.employed) * (Decimal(1) - config.share)
    return int(kept.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def workforce_for(*, region_code: str | None, period: str) -> WorkforceStat | None:
    """The latest survey round at or before the period's month (Sakernas rounds: Feb and Aug)."""
    year, month = int(period[:4]), int(period[5:7])
    rounds = WorkforceStat.objects.filter(
        Q(year__lt=year) | Q(year=year, survey_month__lte=month),
        **({"region_id": region_code} if region_code else {"region__isnull": True}),
    )
    return rounds.order_by("-year", "-survey_month").first()


# --- import ---------------------------------------------------------------------------------------------


def _rows_from_file(path: Path) -> list[dict[str, str]]:
    # The same limits as a roster (a bomb is refused before a parser unpacks it); InvalidInput on "file".
    check_file(path, path.name)
    if path.suffix.lower() in (".xlsx", ".xls"):
        import fastexcel
        import polars as pl  # fastexcel reads XLSX; only needed here

        try:
            frame = pl.read_excel(path, infer_schema_length=0)
        except (fastexcel.FastExcelError, pl.exceptions.PolarsError) as exc:
            # A corrupt or non-XLSX upload is bad input, not a crash.
            raise ValueError(str(exc).splitlines()[0]) from exc
        check_rows(frame.height, frame.width)
        return [{k: "" if v is None else str(v) for k, v in row.items()} for row in frame.to_dicts()]
    text = path.read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _int(
    row: dict[str, str], col: str, where: str, errors: list[FieldError], *, required: bool
) -> int | None:
    raw = (row.get(col) or "").strip().replace(",", "").replace("_", "")
    if not raw:
        if required:
            errors.append(FieldError(f"{where}.{col}", _("This value is required.")))
        return None
    try:
        value = int(raw)
    except ValueError:
        errors.append(FieldError(f"{where}.{col}", _("Enter a whole number.")))
        return None
    if value < 0:
        errors.append(FieldError(f"{where}.{col}", _("Must not be negative.")))
        return None
    return value


def workforce_rows_parse(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Checked rows, or InvalidInput naming every bad field as `row N.column` (N counts data rows from 1)."""
    errors: list[FieldError] = []
    if not rows:
        raise InvalidInput.single("file", _("The file has no data rows."))
    missing = [c for c in REQUIRED_COLUMNS if c not in rows[0]]
    if missing:
        raise InvalidInput([FieldError(f"columns.{c}", _("This column is missing.")) for c in missing])
    known = set(Region.objects.filter(level__in=[1, 2]).values_list("code", flat=True))
    parsed: list[dict[str, Any]] = []
    seen: set[tuple[str, int | None, int | None]] = set()
    for n, row in enumerate(rows, start=1):
        where = f"row {n}"
        before = len(errors)
        code = (row.get("region_code") or "").strip()
        if code in NATIONAL_CODES:
            code = ""
        elif code not in known:
            errors.append(FieldError(f"{where}.region_code", _("Unknown province or regency/city code.")))
        year = _int(row, "year", where, errors, required=True)
        if year is not None and not 2000 <= year <= 2100:
            errors.append(FieldError(f"{where}.year", _("Enter a year between 2000 and 2100.")))
        month = _int(row, "survey_month", where, errors, required=True)
        if month is not None and month not in (2, 8):
            errors.append(
                FieldError(f"{where}.survey_month", _("Sakernas rounds are February (2) or August (8)."))
            )
        employed = _int(row, "employed", where, errors, required=True)
        formal = _int(row, "formal", where, errors, required=False)
        informal = _int(row, "informal", where, errors, required=False)
        extra = {c: _int(row, c, where, errors, required=False) for c in OPTIONAL_INT_COLUMNS}
        sectors = {}
        for col in row:
            if col and col.startswith(SECTOR_PREFIX) and (row.get(col) or "").strip():
                sectors[col[len(SECTOR_PREFIX) :]] = _int(row, col, where, errors, required=False)
        if (
            employed is not None
            and formal is not None
            and informal is not None
            and formal + informal != employed
        ):
            errors.append(
                FieldError(f"{where}.employed", _("Formal plus informal must equal the employed total."))
            )
        if (
            employed is not None
            and extra["public_servants"] is not None
            and extra["public_servants"] > employed
        ):
            errors.append(FieldError(f"{where}.public_servants", _("Cannot exceed the employed total.")))
        key = (code, year, month)
        if key in seen:
            errors.append(FieldError(f"{where}.region_code", _("This region and survey round appear twice.")))
        seen.add(key)
        if len(errors) == before:
            synthetic = (row.get("synthetic") or "").strip().lower() in ("1", "true", "yes", "ya")
            source = (row.get("source") or "").strip() or ("synthetic" if synthetic else "")
            if not source:
                errors.append(FieldError(f"{where}.source", _("Name the source of the figures.")))
                continue
            parsed.append(
                {
                    "region_id": code or None,
                    "year": year,
                    "survey_month": month,
                    "employed": employed,
                    "formal": formal,
                    "informal": informal,
                    "sectors": sectors,
                    "source": source[:300],
                    "synthetic": synthetic,
                    **extra,
                }
            )
    if errors:
        raise InvalidInput(errors)
    return parsed


@transaction.atomic
def workforce_import(*, actor: Any, path: Path, default_source: str = "") -> dict[str, int]:
    """Insert or replace the rounds in the file; all or nothing."""
    require(actor, Perm.WORKFORCE_IMPORT)
    try:
        rows = _rows_from_file(path)
    except (OSError, UnicodeDecodeError, csv.Error, ValueError) as exc:
        raise InvalidInput.single("file", _("Cannot read the file: %(error)s") % {"error": exc}) from exc
    if default_source:
        for row in rows:
            row.setdefault("source", default_source)
            row["source"] = row["source"] or default_source
    parsed = workforce_rows_parse(rows)
    created = updated = 0
    for item in parsed:
        key = {k: item.pop(k) for k in ("region_id", "year", "survey_month")}
        _obj, was_created = WorkforceStat.objects.update_or_create(**key, defaults=item)
        created += was_created
        updated += not was_created
    audit_record(
        actor=actor,
        action="coverage.workforce_import",
        entity="coverage.workforcestat",
        changes={"file": path.name, "created": created, "updated": updated},
    )
    return {"created": created, "updated": updated}


def workforce_load_bps(*, actor: Any = SYSTEM) -> dict[str, int]:
    """The real BPS figures shipped with the app (rules.md §11.7), with their sources. Idempotent.
    Loaded by the command line and the demo (actor SYSTEM)."""
    require(actor, Perm.WORKFORCE_IMPORT)
    return workforce_import(actor=actor, path=BPS_FILE)
