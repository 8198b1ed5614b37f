"""Enrolment rows given in code (the field sync, the outreach conversion): the roster's own pipeline.

`roster_rows_import` takes rows as mappings keyed by the roster's field names (`ROW_FIELDS`, the keys of
readers.HEADERS), turns them into the text frame a roster file becomes, and runs the same pipeline as a
file (pipeline.roster_run: check_rows, payer_columns, merge_decide, merge_write, counts, audit) in one
transaction. The answer is per row, in input order: its status, its reasons and the field errors they
make, the sponsor already paying, and the person and membership written or found, read in one query
after the merge. No report file is written: the caller answers row by row.

Authorisation stays with the caller: it passes the scope its own `require(actor, Perm...)` gave
(FIELD_SYNC for agents, OUTREACH_CONVERT for outreach staff); targets and persons are checked in it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import polars as pl
from django.db.models import FilteredRelation, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, may
from cakupan.accounts.scope import Scope
from cakupan.core.errors import FieldError, Forbidden, InvalidInput
from cakupan.enrolment.models import RosterImport
from cakupan.enrolment.readers import HEADERS
from cakupan.enrolment.reasons import REASONS, reason
from cakupan.enrolment.services.merge import Target, chunks
from cakupan.enrolment.services.pipeline import Source, roster_run, roster_target
from cakupan.registry.models import Membership, Person, Segment

ROW_FIELDS = tuple(HEADERS)  # nik, full_name, birth_date, sex, address_region, phone, npp, ...
# Who may have rows enrolled for them in code: the caller has checked one of these for its actor.
ROWS_PERMS = (Perm.ROSTER_UPLOAD, Perm.FIELD_SYNC, Perm.OUTREACH_CONVERT)
WRITTEN = ("imported", "updated", "unchanged")
# The field of the row each error reason is about.
_PREFIXES = {
    "nik_": "nik",
    "name_": "full_name",
    "birth_date_": "birth_date",
    "employer_": "npp",
    "membership_": "nik",
}
_FIELDS = {
    "duplicate": "nik",
    "sex_invalid": "sex",
    "region_invalid": "address_region",
    "phone_invalid": "phone",
    "wage_invalid": "basic_wage",
    "allowance_invalid": "fixed_allowance",
    "income_invalid": "declared_income",
    "start_date_invalid": "start_date",
    "program_invalid": "programs",
    "sector_invalid": "bpu_sector",
    "conflict_birth_date": "birth_date",
    "conflict_sex": "sex",
}


def code_field(code: str) -> str:
    """The row field a reason code is about."""
    if code in _FIELDS:
        return _FIELDS[code]
    return next((f for prefix, f in _PREFIXES.items() if code.startswith(prefix)), "nik")


@dataclass(frozen=True)
class RowOutcome:
    index: int  # the row's position in the rows given (0-based)
    status: str  # imported, updated, unchanged, held or rejected
    codes: tuple[str, ...]  # every reason (errors, warnings, link_review), enrolment/reasons.py
    errors: tuple[FieldError, ...]  # the error reasons as field errors, in the active language
    other_sponsor: str | None  # the sponsor already paying (membership_other_sponsor)
    person_id: int | None  # the registered person of the row's NIK, if any (written or found)
    membership_id: int | None  # the membership the row wrote or found (imported/updated/unchanged)


@dataclass(frozen=True)
class RowsImport:
    record: RosterImport  # counts, target, audit: as for a file
    rows: list[RowOutcome]  # in input order


def _cell(value: Any) -> str | None:
    """A value as the text a roster cell would hold; TypeError for what no cell holds."""
    if isinstance(value, str):  # the usual case first
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return ",".join(v.strip() for v in value) or None
    raise TypeError(value)


def _frame(rows: Any) -> pl.DataFrame:
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Sequence) or not rows:
        raise InvalidInput.single("rows", _("Give at least one row."))
    columns: dict[str, list[str | None]] = {f: [] for f in ROW_FIELDS}
    errors: list[FieldError] = []
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            errors.append(FieldError(f"rows[{index}]", _("Each row is a mapping of field names to values.")))
            continue
        errors += [FieldError(f"rows[{index}].{k}", _("Unknown field.")) for k in row if k not in columns]
        for name, values in columns.items():
            try:
                values.append(_cell(row.get(name)))
            except TypeError:
                errors.append(FieldError(f"rows[{index}].{name}", _("Give text, a whole number or a date.")))
                values.append(None)
    if errors:
        raise InvalidInput(errors)
    return pl.DataFrame(columns, schema=dict.fromkeys(ROW_FIELDS, pl.Utf8))


def roster_rows_import(
    *,
    actor: Any,
    scope: Scope,
    target: tuple[str, Any],
    rows: Sequence[Mapping[str, Any]],
    source: str,
    dry_run: bool = False,
    region_default: str | None = None,
) -> RowsImport:
    """`target`: ("self", None) (BPU, the worker pays), ("sponsor", id), ("employer", NPP) or
    ("agency", id), within `scope`. `source`: what the rows are, kept as the import's file name (e.g.
    "field sync agen_satu"). `region_default`: for a self-paid target, where a new person whose row gives no
    address lives (cut to its regency, as a payer's region is; a registered person keeps theirs). Bad rows
    or target: InvalidInput, nothing written."""
    if not any(may(scope, perm) for perm in ROWS_PERMS):
        raise Forbidden(_("Your role may not do this."))
    errors: list[FieldError] = []
    resolved: Target | None = None
    try:
        resolved = replace(
            roster_target(actor, scope, target, None), scope=scope, region_default=region_default
        )
    except InvalidInput as exc:
        errors += [FieldError("target", e.message) for e in exc.errors]
    try:
        frame = _frame(rows)
    except InvalidInput as exc:
        raise InvalidInput(errors + exc.errors) from exc
    if resolved is None:
        raise InvalidInput(errors)
    digest = hashlib.sha256(json.dumps(frame.rows(), separators=(",", ":")).encode()).hexdigest()
    record, final = roster_run(
        actor=actor,
        target=resolved,
        source=Source(
            frame=frame,
            mapping={f: f for f in ROW_FIELDS},
            name=str(source or "rows"),
            sha256=digest,
            field="rows",
            numbers=pl.int_range(1, frame.height + 1, dtype=pl.Int64, eager=True),
            report=False,
        ),
        dry_run=dry_run,
    )
    return RowsImport(record=record, rows=_outcomes(final, resolved, dry_run=dry_run))


def _found(final: pl.DataFrame, target: Target) -> dict[str, tuple[int, dict[int | None, int]]]:
    """NIK -> (person id, {employer id or None: active membership id of the target's segment}): one
    query (per 2,000 NIKs)."""
    niks = sorted({n for n in final["nik"].to_list() if n})
    out: dict[str, tuple[int, dict[int | None, int]]] = {}
    for part in chunks(niks):
        active = FilteredRelation(
            "memberships",
            condition=Q(memberships__status=Membership.Status.ACTIVE, memberships__segment=target.segment),
        )
        found = (
            Person.objects.filter(nik__in=part)
            .annotate(active=active)
            .values_list("nik", "pk", "active__pk", "active__employer_id")
        )
        for nik, person_id, member_id, employer_id in found:
            _pid, members = out.setdefault(nik, (person_id, {}))
            if member_id is not None:
                members[employer_id] = member_id
    return out


def _errors(codes: list[str], values: dict[str, Any], lang: str) -> tuple[FieldError, ...]:
    params = {
        "row": values["first_number"],
        "sponsor": values["other_sponsor"] or "",
    }
    out = []
    for code in codes:
        if not REASONS[code][0]:
            continue
        quoted = dict(params)
        if code == "conflict_birth_date":
            quoted["registered"] = values["reg_birth"] or ""
        elif code == "conflict_sex":
            quoted["registered"] = values["reg_sex"] or ""
        template = str(REASONS[code][1 if lang == "id" else 2])
        used = {k: v for k, v in quoted.items() if f"%({k})s" in template}
        out.append(FieldError(code_field(code), reason(code, **used).text(lang)))
    return tuple(out)


def _outcomes(final: pl.DataFrame, target: Target, *, dry_run: bool) -> list[RowOutcome]:
    found = _found(final, target)
    lang = "id" if (translation.get_language() or "").startswith("id") else "en"
    pu = target.segment == Segment.PU
    outcomes = []
    columns = ("number", "nik", "status", "rejected", "codes", "first_number", "reg_birth", "reg_sex")
    for values in final.select(*columns, "other_sponsor", *(["employer_id"] if pu else [])).iter_rows(
        named=True
    ):
        codes = list(values["codes"] or [])
        status = "rejected" if values["rejected"] else (values["status"] or "unchanged")
        person_id, members = found.get(values["nik"] or "", (None, {}))
        member_id = None
        if status in WRITTEN and not dry_run:
            member_id = members.get(values["employer_id"] if pu else None)
        outcomes.append(
            RowOutcome(
                index=int(values["number"]) - 1,
                status=status,
                codes=tuple(codes),
                errors=_errors(codes, values, lang),
                other_sponsor=values["other_sponsor"],
                person_id=person_id,
                membership_id=member_id,
            )
        )
    return outcomes
