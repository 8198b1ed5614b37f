"""Big roster files run as a background job (kind "roster_import") with progress on the page.

The upload page checks the file's limits (core/upload_limits.py: a bomb is refused at once, not by a job),
stores it under VAR_DIR/private/uploads (mode 0600) and starts the job (on the queue: a worker runs
`cakupan jobs run <id>` in a limited child, see cakupan.jobs); the job runs the same `roster_import` as
every other door and records its progress: rows validated, then rows merged.
"""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any

from django.db import connection, connections

from cakupan.accounts.permissions import Perm, require
from cakupan.core.errors import InvalidInput
from cakupan.core.upload_limits import check_file
from cakupan.enrolment.private import leftovers_remove, private_file, uploads_dir
from cakupan.enrolment.services import parse_as, roster_import
from cakupan.jobs.models import Job
from cakupan.jobs.services import job_log, job_progress, job_start

JOB_KIND = "roster_import"
# Above either threshold the page answers at once and the import runs in the background.
BIG_FILE_BYTES = 2 * 1024 * 1024
BIG_FILE_ROWS = 5_000
# A spreadsheet's rows are not counted before reading it; zipped XLSX/ODS rows of a roster take about
# 50 bytes each, so this size stands for BIG_FILE_ROWS rows.
SPREADSHEET_BYTES_PER_ROW = 50


def is_big(upload: Any) -> bool:
    size = int(getattr(upload, "size", 0) or 0)
    if size > BIG_FILE_BYTES:
        return True
    if str(getattr(upload, "name", "")).lower().endswith(".csv"):
        upload.seek(0)
        lines = sum(chunk.count(b"\n") for chunk in upload.chunks())
        upload.seek(0)
        return lines > BIG_FILE_ROWS
    return size > BIG_FILE_ROWS * SPREADSHEET_BYTES_PER_ROW


def roster_job_start(*, actor: Any, upload: Any, as_text: str, segment: str | None, dry_run: bool) -> Job:
    require(actor, Perm.ROSTER_UPLOAD)  # refused now, not as a failed job later
    parse_as(as_text)  # a bad "as" is a field error now, not a failed job later
    name = str(upload.name)
    check_file(upload.file, name)  # over a limit: the page answers 400 now
    leftovers_remove()
    path = private_file(uploads_dir() / f"{uuid.uuid4().hex}{Path(name).suffix.lower()}")
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    parameters = {"path": str(path), "file_name": name, "as": as_text, "segment": segment, "dry_run": dry_run}
    return job_start(kind=JOB_KIND, parameters=parameters, actor=actor)


def _progress_now(job: Job, *, done: int, total: int) -> None:
    """Progress visible to the polling page while the import's transaction is still open: on PostgreSQL
    it is written from another thread, hence another connection that commits at once. (SQLite allows one
    writer: there the figures appear when the import commits.)"""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        job_progress(job, done=done, total=total)
        return

    def write() -> None:
        try:
            job_progress(job, done=done, total=total)
        finally:
            connections.close_all()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join()


def roster_job(*, job: Job, parameters: dict[str, Any], actor: Any) -> dict[str, Any]:
    """The job kind: returns {"roster_import": id, counts…} or {"errors": […]} for bad input."""

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "validated":
            job_log(job, f"validated {done} rows")
        _progress_now(job, done=done if stage == "merged" else 0, total=total)

    path = Path(parameters["path"])
    try:
        record = roster_import(
            actor=actor,
            path_or_file=path,
            as_=parse_as(parameters["as"]),
            segment=parameters.get("segment") or None,
            dry_run=bool(parameters.get("dry_run")),
            file_name=parameters.get("file_name") or path.name,
            progress=progress,
        )
    except InvalidInput as exc:
        return {"errors": exc.as_dict()["errors"]}
    job_progress(job, done=record.rows - record.rejected, total=record.rows - record.rejected)
    path.unlink(missing_ok=True)  # imported: the report keeps the rows; a failed job keeps its file to rerun
    return {"roster_import": record.pk, **record.counts(), "warnings": record.warnings}
