"""Retention of roster files: reports and stored uploads hold NIKs, names and birth dates, kept no longer
than their purpose needs (UU 27/2022 on personal data protection, Pasal 16(2) and 43: personal data is
deleted once its retention period ends). After CAKUPAN_RETENTION_DAYS (default 90) a report is deleted and
its RosterImport keeps its counts with an empty report link (the page says the report has expired); a
stored upload (kept for rerunning a failed job) is deleted after the same period.

Run daily by `cakupan retention purge`, recorded as a "retention_purge" job (README, "Scheduled jobs").
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cakupan.accounts.permissions import SYSTEM, Perm, require
from cakupan.core.audit import audit_record
from cakupan.enrolment.models import RosterImport
from cakupan.enrolment.private import FILE_MODE, leftovers_remove, reports_dir, uploads_dir
from cakupan.jobs.models import Job

JOB_KIND = "retention_purge"


def retention_purge(*, actor: Any = SYSTEM, now: dt.datetime | None = None) -> dict[str, Any]:
    """Deletes the reports and uploads older than the retention period and the staging folders of killed
    imports; returns the counts. A second run finds nothing to do."""
    require(actor, Perm.RETENTION_PURGE)
    now = now or timezone.now()
    days = int(settings.CAKUPAN_RETENTION_DAYS)
    cutoff = now - dt.timedelta(days=days)
    leftovers = leftovers_remove()
    moved = _legacy_move()
    with transaction.atomic():
        expired = (
            RosterImport.objects.select_for_update().filter(created_at__lt=cutoff).exclude(report_name="")
        )
        stems = dict(expired.values_list("pk", "report_name"))
        RosterImport.objects.filter(pk__in=list(stems)).update(report_name="")
        reports = reports_dir()
        for stem in stems.values():
            for extension in ("xlsx", "csv"):
                (reports / f"{stem}.{extension}").unlink(missing_ok=True)
        # Files no record points to any more (a record deleted by hand) go by their age.
        orphans = _old_files(reports, cutoff)
        uploads = _old_files(uploads_dir(), cutoff)
        result = {
            "retention_days": days,
            "cutoff": cutoff.isoformat(),
            "reports_expired": len(stems),
            "orphan_files": orphans,
            "uploads": uploads,
            "leftovers": len(leftovers),
            "moved_to_private": moved,
        }
        audit_record(actor=actor, action="purge", entity="enrolment.rosterimport", changes=result)
    return result


def _legacy_move() -> int:
    """Reports and uploads written before they were private (VAR_DIR/reports, VAR_DIR/uploads, mode 0644)
    are moved into the private folders with mode 0600; the old folders go once empty."""
    moved = 0
    for name, target in (("reports", reports_dir()), ("uploads", uploads_dir())):
        legacy = Path(settings.VAR_DIR) / name
        if not legacy.is_dir():
            continue
        for path in legacy.iterdir():
            if path.is_file():
                path.chmod(FILE_MODE)
                path.replace(target / path.name)
                moved += 1
            elif path.name.startswith(".tmp-"):  # a staging folder of an import killed back then
                shutil.rmtree(path, ignore_errors=True)
        if not any(legacy.iterdir()):
            legacy.rmdir()
    return moved


def _old_files(folder: Path, cutoff: dt.datetime) -> int:
    limit = cutoff.timestamp()
    count = 0
    for path in folder.iterdir():
        if path.is_file() and not path.name.startswith(".") and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            count += 1
    return count


def retention_job(*, job: Job, parameters: dict[str, Any], actor: Any) -> dict[str, Any]:
    started = time.perf_counter()
    result = retention_purge(actor=actor)
    return {**result, "seconds": round(time.perf_counter() - started, 3)}
