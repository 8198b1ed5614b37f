"""The one pipeline of every roster import, whether its rows come from a file (`roster_import`) or are
given in code (`roster_rows_import`, rows.py): the rows checked (validate.check_rows), given their payer's
columns (payer.payer_columns), decided and written in one set of statements (merge.py), counted, reported
and audited, in one transaction. The entry points only build the text frame and the target; nothing here
knows where the rows came from, so the two cannot decide differently.
"""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import polars as pl
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.scope import Scope, agency_scope
from cakupan.core.audit import audit_record
from cakupan.core.errors import InvalidInput
from cakupan.core.phases import Phases, phase
from cakupan.enrolment.models import RosterImport
from cakupan.enrolment.private import reports_dir, staging_dir
from cakupan.enrolment.reasons import ERROR_CODES
from cakupan.enrolment.services.merge import Progress, Target, merge_decide, merge_write
from cakupan.enrolment.services.payer import payer_columns, payer_income
from cakupan.enrolment.services.report import status_expr, write_report
from cakupan.enrolment.services.validate import check_rows
from cakupan.partners.models import PartnerAgency
from cakupan.registry.models import Segment
from cakupan.registry.selectors import employer_list, sponsor_list
from cakupan.registry.services.wages import wage_history_sync

SEGMENTS = (Segment.PU, Segment.BPU)


@dataclass(frozen=True)
class Source:
    """The rows as text, wherever they came from."""

    frame: pl.DataFrame  # every column text (Utf8), empty cells null; the report repeats these columns
    mapping: dict[str, str]  # our field -> the frame's column
    name: str  # the file's name, or what the caller calls the rows
    sha256: str
    field: str  # where an error about the rows as a whole is reported ("file", "rows")
    nik_numeric: bool = False  # the NIK column was stored as numbers by a spreadsheet
    numbers: pl.Series | None = None  # each row's number (a sheet's row); None: 2, 3, ...
    report: bool = (
        True  # write the report files (a file's import); rows given in code are answered row by row
    )


def roster_run(
    *,
    actor: Any,
    target: Target,
    source: Source,
    dry_run: bool,
    progress: Progress | None = None,
    phases: Phases | None = None,
) -> tuple[RosterImport, pl.DataFrame]:
    """The rows checked, decided and (unless a dry run) written in one transaction: the record and the
    final frame (the checked rows with `status`, `codes`, `rejected` and the values their reasons quote).
    `target` carries the scope the caller obtained from its own permission check."""
    today = timezone.localdate()
    with phase(phases, "validate"):
        checked = check_rows(
            source.frame,
            source.mapping,
            segment=target.segment,
            nik_numeric=source.nik_numeric,
            today=today,
            numbers=source.numbers,
            income_default=payer_income(target, today),
        )
        checked = payer_columns(checked, target)
    if progress is not None:
        progress("validated", checked.height, checked.height)
    staging = staging_dir() if source.report else None
    committed = False
    try:
        with transaction.atomic():
            record, final = _run(actor, target, source, checked, staging, dry_run, progress, phases)
            committing = time.perf_counter()
        committed = True  # past the commit (deferred constraints are checked there)
        if phases is not None:
            phases["commit"] = time.perf_counter() - committing
    except IntegrityError as exc:  # a concurrent import of the same persons; nothing was written
        raise InvalidInput.single(
            source.field, _("Another import changed the same records at the same time; run this one again.")
        ) from exc
    finally:
        # Committed: the report moves into place. Rolled back: it is deleted, so no report of an import
        # that never happened is left behind.
        if staging is not None and staging.is_dir():
            for path in staging.iterdir():
                if committed:
                    path.replace(reports_dir() / path.name)
                else:
                    path.unlink()
            staging.rmdir()
    return record, final


def roster_target(actor: Any, scope: Scope, as_: tuple[str, Any], segment: str | None) -> Target:
    """Whom the rows are for, within `scope`: ("employer", NPP), ("sponsor", id), ("agency", id) or
    ("self", None): the worker pays (BPU). A target outside the scope is the same error as an unknown one."""
    kind, key = as_ if isinstance(as_, tuple) and len(as_) == 2 else ("", "")
    deny = InvalidInput.single("as", _("Unknown employer, sponsor or agency, or one you may not act for."))
    default = Segment.BPU if kind in ("sponsor", "self") else Segment.PU
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
    if kind == "self":
        return Target(kind=kind, segment=segment)
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
    source: Source,
    checked: pl.DataFrame,
    staging: Path | None,
    dry_run: bool,
    progress: Progress | None,
    phases: Phases | None,
) -> tuple[RosterImport, pl.DataFrame]:
    record = RosterImport.objects.create(
        uploader=actor,
        target_kind=target.kind,
        employer=target.employer,
        sponsor=target.sponsor,
        agency=target.agency,
        segment=target.segment,
        file_name=source.name[:255],
        sha256=source.sha256,
        dry_run=dry_run,
        status=RosterImport.Status.DRY_RUN,
    )
    stamp = dt.datetime.now(tz=dt.UTC).strftime("%Y%m%d-%H%M%S")
    if staging is not None:  # rows given in code are answered row by row, without a report file
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
        if staging is None:
            return
        with phase(phases, label):
            write_report(staging / record.report_name, source.frame, final)

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
    return record, final


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
