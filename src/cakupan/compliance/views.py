"""Compliance pages: dashboard, import, review queue, cases with their letters, XLSX export."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from cakupan.accounts.access import permission_required, scope_of
from cakupan.accounts.permissions import Perm, may, require
from cakupan.compliance import selectors, services
from cakupan.compliance.exports import findings_xlsx
from cakupan.compliance.models import FindingClass, StepKind
from cakupan.compliance.sanction_view import step_choices
from cakupan.core import display
from cakupan.core.errors import InvalidInput, NotInScope

FINDINGS_SHOWN = 200
# The pipeline's stages that are not steps: a case opened with no step yet, and closed cases.
PIPELINE_LABELS = {"opened": gettext_lazy("opened, no step yet"), "closed": gettext_lazy("closed")}
PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class ReportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Workforce report (.xlsx, .csv)"))
    workers = forms.FileField(label=gettext_lazy("Worker list (optional)"), required=False)


def _errors_to(form: forms.Form, exc: InvalidInput) -> None:
    """Errors of a whole file go to its field; a row's error names its row and column already."""
    for error in exc.errors:
        name = error.field.split(".")[0]
        if name in form.fields:
            form.add_error(name, str(error.message))
        else:
            form.add_error(None, str(error.message))


@permission_required(Perm.COMPLIANCE_READ)
def dashboard(request: HttpRequest) -> HttpResponse:
    period = request.GET.get("period", "").strip()
    if period and not PERIOD.fullmatch(period):
        error = {"field": "period", "message": _("Enter a month as YYYY-MM.")}
        return render(request, "compliance/dashboard.html", {"errors": [error]}, status=400)
    data = selectors.dashboard(user=request.user, period=period or None)
    findings = (
        selectors.finding_current(user=request.user)
        .filter(reported__period=data["period"] or "")
        .exclude(klass=FindingClass.COMPLIANT)
    )
    context = {
        **data,
        "pipeline_rows": [
            (PIPELINE_LABELS.get(key) or StepKind(key).label, n) for key, n in data["pipeline"].items()
        ],
        "classes": FindingClass,
        "findings": findings[:FINDINGS_SHOWN],
        "cases": selectors.case_list(user=request.user)[:50],
        "reminders": selectors.reminder_list(user=request.user)[:50],
        "pending_reviews": selectors.review_list(user=request.user).count(),
        "can_import": may(scope_of(request), Perm.WORKFORCE_REPORT_IMPORT),
        "can_enforce": may(scope_of(request), Perm.COMPLIANCE_ENFORCE),
    }
    return render(request, "compliance/dashboard.html", context)


@permission_required(Perm.WORKFORCE_REPORT_IMPORT)
@require_http_methods(["GET", "POST"])
def report_upload(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        workers = form.cleaned_data.get("workers")
        try:
            report = services.report_import(
                actor=request.user,
                source=form.cleaned_data["file"],
                workers=workers,
                file_name=form.cleaned_data["file"].name,
                workers_file_name=workers.name if workers else "",
            )
            run = services.compliance_match_run(actor=request.user, report=report)
        except InvalidInput as exc:
            _errors_to(form, exc)
        else:
            messages.success(
                request,
                _("%(n)s employers matched; estimated monthly gap Rp%(gap)s.")
                % {"n": display.count(report.employers), "gap": display.count(run.total_gap)},
            )
            return redirect("compliance:dashboard")
    status = 400 if form.errors else 200
    return render(request, "compliance/import.html", {"form": form}, status=status)


@permission_required(Perm.COMPLIANCE_READ)
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A finding's evidence and the workers behind it (missing, registered with a lower wage)."""
    try:
        data = selectors.finding_workers(user=request.user, pk=pk)
    except NotInScope as exc:
        raise Http404 from exc
    return render(request, "compliance/finding.html", data)


@permission_required(Perm.COMPLIANCE_ENFORCE)
def review_queue(request: HttpRequest) -> HttpResponse:
    items = selectors.review_list(user=request.user)[:200]
    return render(request, "compliance/review.html", {"items": items})


@permission_required(Perm.COMPLIANCE_ENFORCE)
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = selectors.review_get(user=request.user, pk=pk)
        services.review_decide(
            actor=request.user, item=item, confirm=request.POST.get("decision") == "confirm"
        )
    except NotInScope as exc:
        raise Http404 from exc
    except InvalidInput as exc:
        messages.error(request, "; ".join(str(e.message) for e in exc.errors))
    return redirect("compliance:review")


@permission_required(Perm.COMPLIANCE_ENFORCE)
@require_POST
def case_open(request: HttpRequest) -> HttpResponse:
    ids = [int(v) for v in request.POST.getlist("findings") if v.isdigit()]
    try:
        case = services.case_open(actor=request.user, finding_ids=ids)
    except InvalidInput as exc:
        messages.error(request, "; ".join(str(e.message) for e in exc.errors))
        return redirect("compliance:dashboard")
    return redirect("compliance:case", pk=case.pk)


@permission_required(Perm.COMPLIANCE_READ)
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        case = selectors.case_get(user=request.user, pk=pk)
    except NotInScope as exc:
        raise Http404 from exc
    can_enforce = may(scope_of(request), Perm.COMPLIANCE_ENFORCE)
    status = 200
    if request.method == "POST":
        require(scope_of(request), Perm.COMPLIANCE_ENFORCE)
        try:
            services.case_step_issue(actor=request.user, case=case, kind=request.POST.get("kind", ""))
        except InvalidInput as exc:
            messages.error(request, "; ".join(str(e.message) for e in exc.errors))
            status = 400
        else:
            return redirect("compliance:case", pk=case.pk)
    context = {
        "case": case,
        "steps": case.steps.all(),
        "findings": case.findings.select_related("reported"),
        "choices": step_choices(case) if can_enforce else [],
        "kinds": StepKind,
    }
    return render(request, "compliance/case.html", context, status=status)


@permission_required(Perm.COMPLIANCE_READ)
def step_letter(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        step = selectors.step_get(user=request.user, pk=pk)
    except NotInScope as exc:
        raise Http404 from exc
    response = HttpResponse(bytes(step.letter), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="surat-{step.case_id}-{step.kind}.pdf"'
    return response


@permission_required(Perm.COMPLIANCE_READ)
def export(request: HttpRequest) -> HttpResponse:
    findings = selectors.finding_current(user=request.user).order_by("-gap", "id")
    response = HttpResponse(
        findings_xlsx(findings),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="temuan-kepatuhan.xlsx"'
    return response
