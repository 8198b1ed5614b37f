"""Bulk enrolment from a roster file: one service used by the upload page, the API and the command line.

`roster_import` reads the file (every cell as text), maps its headers, checks each row, and in one
transaction merges the valid rows into persons, employment and memberships (set-based, idempotent by
natural keys), writes the row-level report (in a thread, while PostgreSQL writes the rows) and records
one audit event with the counts. A failure anywhere rolls everything back and deletes the report:
rerunning the same file is always safe. The steps after reading are the one pipeline (pipeline.py) that
rows given in code go through too (`roster_rows_import`, rows.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.core.errors import FieldError, InvalidInput
from cakupan.core.phases import Phases, phase
from cakupan.core.upload_limits import check_size
from cakupan.enrolment.models import RosterImport
from cakupan.enrolment.private import leftovers_remove, reports_dir
from cakupan.enrolment.readers import map_columns, read_table, roster_headers
from cakupan.enrolment.services.merge import Progress, Target
from cakupan.enrolment.services.merge_load import merge_path
from cakupan.enrolment.services.pipeline import Source, roster_run, roster_target
from cakupan.enrolment.services.report import template_xlsx
from cakupan.enrolment.services.rows import RowOutcome, RowsImport, roster_rows_import
from cakupan.registry.models import Segment

__all__ = [
    "REPORTS_DIR",
    "RowOutcome",
    "RowsImport",
    "merge_path",
    "parse_as",
    "report_path",
    "roster_import",
    "roster_rows_import",
    "template_xlsx",
]
FILE_TARGETS = ("employer", "sponsor", "agency")  # "self" is for rows given in code (rows.py)


def REPORTS_DIR() -> Path:  # noqa: N802 - read at call time: tests point VAR_DIR elsewhere
    return reports_dir()  # VAR_DIR/private/reports, mode 0700 (enrolment/private.py)


def report_path(record: RosterImport, extension: str) -> Path:
    return REPORTS_DIR() / f"{record.report_name}.{extension}"


def parse_as(text: str) -> tuple[str, str]:
    """ "employer:NPP", "sponsor:ID" or "agency:ID" -> (kind, key); bad text is a field error on "as"."""
    kind, _sep, key = (text or "").partition(":")
    kind = kind.strip().lower()
    if kind not in FILE_TARGETS or not key.strip():
        raise InvalidInput.single("as", _("Say for whom: employer:NPP, sponsor:ID or agency:ID."))
    return kind, key.strip()


def _content(path_or_file: Any, file_name: str | None) -> tuple[bytes, str]:
    if isinstance(path_or_file, (str, Path)):
        path = Path(path_or_file)
        if not path.is_file():
            raise InvalidInput.single("file", _("No such file."))
        check_size(path.stat().st_size)  # before reading it into memory
        return path.read_bytes(), file_name or path.name
    handle: IO[bytes] = path_or_file
    data = handle.read()
    return data, file_name or str(getattr(handle, "name", "") or "roster")


def roster_import(
    *,
    actor: Any,
    path_or_file: Any,
    as_: tuple[str, Any],
    segment: str | None = None,
    dry_run: bool = False,
    file_name: str | None = None,
    progress: Progress | None = None,
    phases: Phases | None = None,
) -> RosterImport:
    """`progress(stage, done, total)`, if given, hears "validated" once and "merged" per chunk; `phases`, if
    given, receives the seconds spent in each phase."""
    scope = require(actor, Perm.ROSTER_UPLOAD)
    leftovers_remove()  # reports half-written by killed imports
    errors: list[FieldError] = []
    target: Target | None = None
    try:
        target = roster_target(actor, scope, as_, segment)
    except InvalidInput as exc:
        errors += exc.errors
    if target is not None and target.kind == "self":  # rows given in code only (rows.py)
        errors.append(FieldError("as", _("Say for whom: employer:NPP, sponsor:ID or agency:ID.")))
        target = None
    try:
        with phase(phases, "read"):
            content, name = _content(path_or_file, file_name)
            table = read_table(content, name, known_headers=roster_headers())
    except InvalidInput as exc:
        raise InvalidInput(errors + exc.errors) from exc
    if target is None:
        raise InvalidInput(errors)
    target = replace(target, scope=scope)
    # No region column: the payer's regency; a sponsor's roster without income: the sponsor's basis
    # (payer.py).
    required = ["nik", "full_name", "birth_date", "sex"]
    if target.segment == Segment.PU:
        required.append("basic_wage")
    if target.kind == "agency":
        required.append("npp")
    mapping = map_columns(table.frame.columns, required=tuple(required))
    source = Source(
        frame=table.frame,
        mapping=mapping,
        name=name,
        sha256=hashlib.sha256(content).hexdigest(),
        field="file",
        nik_numeric=mapping["nik"] in table.numeric_columns,
        numbers=table.row_numbers,
    )
    record, _final = roster_run(
        actor=actor, target=target, source=source, dry_run=dry_run, progress=progress, phases=phases
    )
    return record
