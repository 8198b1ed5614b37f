"""Roster pages: upload, report (counts and rows), report downloads, the blank template."""

from __future__ import annotations

import re
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from cakupan.accounts.access import permission_required
from cakupan.accounts.permissions import Perm
from cakupan.core.errors import InvalidInput, NotInScope
from cakupan.enrolment import selectors
from cakupan.enrolment.forms import ReportFilter, RosterForm
from cakupan.enrolment.models import RosterImport
from cakupan.enrolment.readers import column_field
from cakupan.enrolment.services import parse_as, report_path, roster_import, template_xlsx
from cakupan.enrolment.services.background import is_big, roster_job_start
from cakupan.enrolment.services.report import XLSX_ALL_ROWS_MAX
from cakupan.jobs.services import job_refresh

REPORT_PREVIEW_ROWS = 200


def _default_as(user: Any) -> str:
    if getattr(user, "employer_id", None):
        return f"employer:{user.employer.npp}"
    if getattr(user, "sponsor_id", None):
        return f"sponsor:{user.sponsor_id}"
    if getattr(user, "agency_id", None):
        return f"agency:{user.agency_id}"
    return ""


@permission_required(Perm.ROSTER_UPLOAD)
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    default_as = _default_as(request.user)
    form = RosterForm(
        request.POST or None, request.FILES or None, initial={"as_": default_as}, payer_fixed=bool(default_as)
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if is_big(data["file"]):
                job = roster_job_start(
                    actor=request.user,
                    upload=data["file"],
                    as_text=data["as_"],
                    segment=data["segment"] or None,
                    dry_run=data["dry_run"],
                )
                return redirect("enrolment:job", pk=job.pk)
            record = roster_import(
                actor=request.user,
                path_or_file=data["file"],
                as_=parse_as(data["as_"]),
                segment=data["segment"] or None,
                dry_run=data["dry_run"],
                file_name=data["file"].name,
            )
        except InvalidInput as exc:
            for error in exc.errors:
                field = {"as": "as_"}.get(error.field, error.field)
                form.add_error(field if field in form.fields else None, str(error.message))
        else:
            return redirect("enrolment:report", pk=record.pk)
    if form.errors:
        status = 400
    imports = selectors.roster_import_list(user=request.user)[:20]
    user = request.user
    payer = getattr(user, "employer", None) or getattr(user, "sponsor", None) or getattr(user, "agency", None)
    return render(
        request,
        "enrolment/upload.html",
        {"form": form, "imports": imports, "payer": payer if default_as else None},
        status=status,
    )


def _get(request: HttpRequest, pk: int) -> RosterImport:
    try:
        return selectors.roster_import_get(user=request.user, pk=pk)
    except NotInScope as exc:
        raise Http404 from exc


# Columns kept on one line: a NIK or a phone broken over lines cannot be read or copied.
_ONE_LINE = {"nik", "phone", "npp", "birth_date", "start_date", "basic_wage", "declared_income"}


@permission_required(Perm.ROSTER_UPLOAD)
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """Counts as cards (each a filter), then the rows: rejected first, then warnings, held and the rest."""
    record = _get(request, pk)
    form = ReportFilter(request.GET or None)
    valid = form.is_valid() if request.GET else True
    status = (form.cleaned_data.get("status") or None) if request.GET and valid else None
    preview = selectors.roster_report_preview(
        record=record, status=status, limit=REPORT_PREVIEW_ROWS, lang=(get_language() or "id")[:2]
    )
    labels = dict(ReportFilter.base_fields["status"].choices)  # type: ignore[attr-defined]
    counts = preview.counts if preview is not None else record.shown_counts()
    cards = [
        {"status": key, "label": labels[key], "count": counts.get(key, 0)}
        for key in ("rejected", "warning", "held", "imported", "updated", "unchanged")
        if key != "held" or counts.get(key)
    ]
    columns = []
    rows = []
    if preview is not None:
        columns = [{"name": c, "nowrap": column_field(c) in _ONE_LINE} for c in preview.columns]
        rows = [
            {
                "number": row.number,
                "status": row.status,
                "label": labels.get(row.status, row.status),
                "reason": row.reason,
                "cells": [
                    {**column, "value": value} for column, value in zip(columns, row.cells, strict=True)
                ],
            }
            for row in preview.rows
        ]
    return render(
        request,
        "enrolment/report.html",
        {
            "record": record,
            "form": form,
            "status": status,
            "labels": labels,
            "cards": cards,
            "preview": preview,
            "columns": columns,
            "rows": rows,
            "preview_limit": REPORT_PREVIEW_ROWS,
            "xlsx_all_rows_max": XLSX_ALL_ROWS_MAX,
        },
        status=200 if valid else 400,
    )


@permission_required(Perm.ROSTER_UPLOAD)
def report_download(request: HttpRequest, pk: int, extension: str) -> Any:  # a FileResponse
    record = _get(request, pk)
    if extension not in ("xlsx", "csv"):
        raise Http404
    path = report_path(record, extension)
    if not record.report_name or not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"laporan-{record.pk}.{extension}")


@permission_required(Perm.ROSTER_UPLOAD)
def template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        template_xlsx(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="templat-roster.xlsx"'
    return response


def _job_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    try:
        job = job_refresh(selectors.roster_job_get(user=request.user, pk=pk))
    except NotInScope as exc:
        raise Http404 from exc
    result = job.result or {}
    record = None
    if result.get("roster_import"):
        record = RosterImport.objects.filter(pk=result["roster_import"]).first()
    validated = re.findall(r"validated (\d+) rows", job.log)
    return {
        "job": job,
        "record": record,
        "errors": result.get("errors", []),
        "validated": int(validated[-1]) if validated else None,
        "running": job.status in (job.Status.QUEUED, job.Status.RUNNING),
    }


@permission_required(Perm.ROSTER_UPLOAD)
def job(request: HttpRequest, pk: int) -> HttpResponse:
    """A background import: the page polls `job_progress` every second (htmx) until the job ends."""
    return render(request, "enrolment/job.html", _job_context(request, pk))


@permission_required(Perm.ROSTER_UPLOAD)
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "enrolment/partials/job_progress.html", _job_context(request, pk))
