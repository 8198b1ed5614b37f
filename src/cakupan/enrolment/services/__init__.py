"""Bulk enrolment from a roster file: one service used by the upload page, the API and the command line.

`roster_import` reads the file (every cell as text), maps its headers, checks each row, and in one
transaction merges the valid rows into persons, employment and memberships (set-based, idempotent by
natural keys), writes the row-level report (in a thread, while PostgreSQL writes the rows) and records
one audit event with the counts. A failure anywhere rolls everything back and deletes the report:
rerunning the same file is always safe.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

import polars as pl
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.accounts.scope import Scope, agency_scope
from cakupan.core.audit import audit_record
from cakupan.core.errors import FieldError, InvalidInput
from cakupan.core.phases import Phases, phase
from cakupan.core.upload_limits import check_size
from cakupan.enrolment.models import RosterImport
from cakupan.enrolment.private import leftovers_remove, reports_dir, staging_dir
from cakupan.enrolment.readers import map_columns, read_table, roster_headers
from cakupan.enrolment.reasons import ERROR_CODES
from cakupan.enrolment.services.merge import Progress, Target, merge_decide, merge_write
from cakupan.enrolment.services.merge_load import merge_path
from cakupan.enrolment.services.payer import payer_columns, payer_income
from cakupan.enrolment.services.report import status_expr, template_xlsx, write_report
from cakupan.enrolment.services.validate import check_rows
from cakupan.partners.models import PartnerAgency
from cakupan.registry.models import Segment
from cakupan.registry.selectors import employer_list, sponsor_list
from cakupan.registry.services.wages import wage_history_sync

__all__ = ["REPORTS_DIR", "merge_path", "parse_as", "report_path", "roster_import", "template_xlsx"]

SEGMENTS = (Segment.PU, Segment.BPU)


def REPORTS_DIR() -> Path:  # noqa: N802 - read at call time: tests point VAR_DIR elsewhere
    return reports_dir()  # VAR_DIR/private/reports, mode 0700 (enrolment/private.py)


def report_path(record: RosterImport, extension: str) -> Path:
    return REPORTS_DIR() / f"{record.report_name}.{extension}"


def parse_as(text: str) -> tuple[str, str]:
    """ "employer:NPP", "sponsor:ID" or "agency:ID" -> (kind, key); bad text is a field error on "as"."""
    kind, _sep, key = (text or "").partition(":")
    kind = kind.strip().lower()
    if kind not in RosterImport.TargetKind.values or not key.strip():
        raise InvalidInput.single("as", _("Say for whom: employer:NPP, sponsor:ID or agency:ID."))
    return kind, key.strip()


def _target(actor: Any, scope: Scope, as_: tuple[str, Any], segment: str | None) -> Target:
    kind, key = as_ if isinstance(as_, tuple) and len(as_) == 2 else ("", "")
    deny = InvalidInput.single("as", _("Unknown employer, sponsor or agency, or one you may not act for."))
    default = Segment.BPU if kind == "sponsor" else Segment.PU
    segment = segment or default
    if segment not in SEGMENTS:
        raise InvalidInput.single("segment", _("Choose PU or BPU."))
    if segment != default:
        # Employers and agencies enrol wage earners paid by the employer; sponsors pay for informal
        # workers (rules.md §1.2-1.3).
        raise InvalidInput.single(
            "segment",
            _("Employer and agency rosters are PU (wage earners); sponsor rosters are BPU."),
        )
    text = str(key).strip()
    if kind == "employer":
        employer = employer_list(user=actor, scope=scope).filter(npp=text.upper()).first()
        if employer is None:  # a sponsor's scope holds no employer
            raise deny
        return Target(kind=kind, segment=segment, employer=employer)
    if not (text.isascii() and text.isdigit()):
        raise deny
    if kind == "sponsor":
        sponsor = sponsor_list(user=actor, scope=scope).filter(pk=int(text)).first()
        if sponsor is None:
            raise deny
        return Target(kind=kind, segment=segment, sponsor=sponsor)
    if kind == "agency":
        agency = PartnerAgency.objects.filter(scope.agencies(), pk=int(text)).first()
        if agency is None:
            raise deny
        return Target(kind=kind, segment=segment, agency=agency, agency_scope=agency_scope(agency))
    raise deny


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
        target = _target(actor, scope, as_, segment)
    except InvalidInput as exc:
        errors += exc.errors
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
    today = timezone.localdate()
    with phase(phases, "validate"):
        checked = check_rows(
            table.frame,
            mapping,
            segment=target.segment,
            nik_numeric=mapping["nik"] in table.numeric_columns,
            today=today,
            numbers=table.row_numbers,
            income_default=payer_income(target, today),
        )
        checked = payer_columns(checked, target)
    if progress is not None:
        progress("validated", checked.height, checked.height)
    sha256 = hashlib.sha256(content).hexdigest()
    staging = staging_dir()
    committed = False
    try:
        with transaction.atomic():
            record = _run(
                actor, target, table.frame, checked, name, sha256, staging, dry_run, progress, phases
            )
            committing = time.perf_counter()
        committed = True  # past the commit (deferred constraints are checked there)
        if phases is not None:
            phases["commit"] = time.perf_counter() - committing
    except IntegrityError as exc:  # a concurrent import of the same persons; nothing was written
        raise InvalidInput.single(
            "file", _("Another import changed the same records at the same time; run this one again.")
        ) from exc
    finally:
        # Committed: the report moves into place. Rolled back: it is deleted, so no report of an import
        # that never happened is left behind.
        if staging.is_dir():
            for path in staging.iterdir():
                if committed:
                    path.replace(REPORTS_DIR() / path.name)
                else:
                    path.unlink()
            staging.rmdir()
    return record


def _final(checked: pl.DataFrame, outcome: pl.DataFrame, *, dry_run: bool, masks: bool) -> pl.DataFrame:
    """The checked rows with the merge's status, and its reasons added to the few rows it gave any.

    A row held for branch review (linking.py) reads "imported" in a dry run, as a new person's row does:
    a dry run costs nothing and must not answer whether a NIK is registered. The import itself files
    the row for the branch office, which sees who uploaded it, and says so. For a role that sees NIKs
    masked every row written reads "imported": "updated" or "unchanged" would confirm a guessed NIK."""
    held = pl.col("status") == "held"
    if masks:
        outcome = outcome.with_columns(
            status=pl.when(pl.col("status").is_in(["updated", "unchanged"]))
            .then(pl.lit("imported"))
            .otherwise("status")
        )
    if dry_run:
        outcome = outcome.with_columns(status=pl.when(held).then(pl.lit("imported")).otherwise("status"))
    else:
        outcome = outcome.with_columns(
            extra=pl.when(held).then(pl.concat_list("extra", pl.lit("link_review"))).otherwise("extra")
        )
    final = checked.join(
        outcome.select("number", "status", "reg_birth", "reg_sex", "other_sponsor"), on="number", how="left"
    ).with_columns(status=pl.col("status").fill_null(""))
    extra = outcome.filter(pl.col("extra").list.len() > 0).select("number", "extra")
    if extra.height == 0:
        return final
    # Only the rows with added reasons are touched: concatenating lists over every row costs seconds.
    added = (
        final.select("number", "codes")
        .join(extra, on="number")
        .select("number", codes=pl.concat_list("codes", "extra"))
        .with_columns(rejected=pl.col("codes").list.eval(pl.element().is_in(ERROR_CODES)).list.any())
    )
    return final.update(added, on="number")


def _run(
    actor: Any,
    target: Target,
    frame: pl.DataFrame,
    checked: pl.DataFrame,
    name: str,
    sha256: str,
    staging: Path,
    dry_run: bool,
    progress: Progress | None,
    phases: Phases | None,
) -> RosterImport:
    record = RosterImport.objects.create(
        uploader=actor,
        target_kind=target.kind,
        employer=target.employer,
        sponsor=target.sponsor,
        agency=target.agency,
        segment=target.segment,
        file_name=name[:255],
        sha256=sha256,
        dry_run=dry_run,
        status=RosterImport.Status.DRY_RUN,
    )
    stamp = dt.datetime.now(tz=dt.UTC).strftime("%Y%m%d-%H%M%S")
    record.report_name = f"roster-{record.pk}-{stamp}-{record.sha256[:8]}"
    target = replace(target, roster_import_id=record.pk)
    outcome, staged = merge_decide(checked, target, dry_run=dry_run, progress=progress, phases=phases)
    with phase(phases, "counts"):
        masks = target.scope is not None and target.scope.masks_nik
        final = _final(checked, outcome, dry_run=dry_run, masks=masks)
        _count(record, final, dry_run=dry_run)

    writes = not dry_run
    label = "report (in parallel)" if writes else "report"

    def report() -> None:
        with phase(phases, label):
            write_report(staging / record.report_name, frame, final)

    # Every row's outcome is known: the report is written in a thread while PostgreSQL writes the rows
    # (polars, and psycopg waiting on the server, release the GIL). Leaving the block waits for the
    # report, whether the writes succeeded or failed.
    with ThreadPoolExecutor(max_workers=1) as pool:
        written = pool.submit(report)
        if writes:
            merge_write(target, progress=progress, phases=phases, total=staged)
        written.result()
    record.finished_at = timezone.now()
    record.save()
    if not dry_run and "employer_id" in checked.columns:
        # The jobs the rows wrote keep their wages with the month they start (registry wage history).
        employer_ids = [int(e) for e in checked["employer_id"].drop_nulls().unique().to_list()]
        if employer_ids:
            with phase(phases, "wage history"):
                wage_history_sync(actor=actor, employer_ids=employer_ids)
    if not dry_run:
        with phase(phases, "audit"):
            _audit(actor, record, target)
    return record


def _count(record: RosterImport, final: pl.DataFrame, *, dry_run: bool) -> None:
    shown = final.select(status_expr().alias("shown"), pl.col("status"), pl.col("rejected"))
    record.rows = final.height
    record.rejected = int(shown["rejected"].sum())
    for key in ("imported", "updated", "unchanged", "held"):
        setattr(record, key, int(shown.filter(~pl.col("rejected") & (pl.col("status") == key)).height))
    record.warnings = int((shown["shown"] == "warning").sum())
    if not dry_run:
        written = record.imported + record.updated + record.unchanged + record.held
        record.status = RosterImport.Status.DONE if written else RosterImport.Status.REFUSED


def _audit(actor: Any, record: RosterImport, target: Target) -> None:
    audit_record(
        actor=actor,
        action="import",
        instance=record,
        changes={
            **record.counts(),
            "warnings": record.warnings,
            "held": record.held,
            "file_name": record.file_name,
            "sha256": record.sha256,
            "target": f"{target.kind}:{_target_key(target)}",
            "segment": target.segment,
        },
    )


def _target_key(target: Target) -> str:
    if target.employer is not None:
        return target.employer.npp
    obj = target.sponsor or target.agency
    return str(obj.pk) if obj is not None else ""
