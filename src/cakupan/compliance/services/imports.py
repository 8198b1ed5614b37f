"""Importing a workforce report (and its worker list) and deciding the review queue."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.compliance.models import (
    Finding,
    MatchRun,
    ReportedEmployer,
    ReportedWorker,
    ReviewItem,
    WorkforceReport,
)
from cakupan.compliance.readers import read_report, read_workers
from cakupan.compliance.services.findings import Scope, findings_values, work_tables
from cakupan.compliance.services.matching import identify_and_compute, name_key, run_totals
from cakupan.core.audit import audit_record
from cakupan.core.errors import InvalidInput


def report_import(
    *, actor: Any, source: Any, workers: Any = None, file_name: str = "", workers_file_name: str = ""
) -> WorkforceReport:
    """Read, check and store a report. Any error in either file: InvalidInput, nothing written."""
    require(actor, Perm.WORKFORCE_REPORT_IMPORT)
    rows = read_report(source, file_name)
    count = read_workers(workers, rows, workers_file_name) if workers is not None else 0
    with transaction.atomic():
        report = WorkforceReport.objects.create(
            file_name=(file_name or str(getattr(source, "name", source)))[-255:],
            workers_file_name=(workers_file_name or str(getattr(workers, "name", workers or "")))[-255:],
            uploaded_by=actor if getattr(actor, "pk", None) else None,
            employers=len(rows),
            workers=count,
        )
        created = ReportedEmployer.objects.bulk_create(
            [
                ReportedEmployer(
                    report=report,
                    row=r.row,
                    nib=r.nib,
                    npp=r.npp,
                    name=r.name,
                    name_key=name_key(r.name),
                    address=r.address,
                    region_id=r.region,
                    period=r.period,
                    reported_workers=r.reported_workers,
                    reported_wages=r.reported_wages,
                    size_class=r.size_class,
                    kbli=r.kbli,
                )
                for r in rows
            ],
            batch_size=2000,
        )
        if not all(e.pk for e in created):  # backends that do not return ids (none of ours): read them
            ids = dict(ReportedEmployer.objects.filter(report=report).values_list("row", "id"))
            for e in created:
                e.pk = ids[e.row]
        workers_out = [
            ReportedWorker(employer_id=e.pk, nik=nik, name=name, wage=wage)
            for e, r in zip(created, rows, strict=True)
            for nik, name, wage in r.workers
        ]
        ReportedWorker.objects.bulk_create(workers_out, batch_size=5000)
        audit_record(
            actor=actor, action="compliance.import", instance=report, changes={"employers": len(rows)}
        )
    return report


@transaction.atomic
def review_decide(*, actor: Any, item: ReviewItem, confirm: bool) -> Finding | None:
    """Confirm or reject an ambiguous name match and reclassify the reported employer's latest finding."""
    require(actor, Perm.COMPLIANCE_ENFORCE)
    if item.status != ReviewItem.Status.PENDING:
        raise InvalidInput.single("status", _("This pair has been decided already."))
    item.status = ReviewItem.Status.CONFIRMED if confirm else ReviewItem.Status.REJECTED
    item.decided_by = actor
    item.decided_at = timezone.now()
    item.save(update_fields=["status", "decided_by", "decided_at"])
    if confirm:
        # One employer per reported row: the other candidates of the row are no longer in question.
        ReviewItem.objects.filter(reported_id=item.reported_id, status=ReviewItem.Status.PENDING).update(
            status=ReviewItem.Status.REJECTED, decided_by=actor, decided_at=item.decided_at
        )
    audit_record(actor=actor, action="compliance.review", instance=item, changes={"status": item.status})
    finding = Finding.objects.filter(reported_id=item.reported_id).order_by("-run_id").first()
    if finding is None:
        return None
    # The same statements as a run, for this one row: the decision is read back by the name matcher.
    with work_tables():
        identify_and_compute(Scope.row(item.reported_id))
        (values,) = findings_values()
    for key, value in values.items():
        setattr(finding, key, value)
    finding.save()
    run = MatchRun.objects.get(pk=finding.run_id)
    run.counts, run.total_gap = run_totals(run.pk)
    run.save(update_fields=["counts", "total_gap"])
    return finding
