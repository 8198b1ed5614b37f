"""Agreement pages (issue 16): the list, one agreement (parties, obligations, documents, KPIs, alerts),
the create and edit forms, the scorecard (page and PDF) and the scoped document download. Thin: each view
asks a selector or calls one service; office-only actions answer 403 to others (the services check
again)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cakupan.accounts.access import permission_required, scope_of
from cakupan.accounts.permissions import Perm, may
from cakupan.core.errors import InvalidInput, NotInScope
from cakupan.partners import selectors
from cakupan.partners.forms import AgreementForm, DocumentForm, KpiForm, MarkForm, StatusForm
from cakupan.partners.models import TRANSITIONS, Agreement, AgreementStatus
from cakupan.partners.pdf import scorecard_pdf
from cakupan.partners.scorecard import scorecard
from cakupan.partners.services import agreements as services
from cakupan.partners.services.documents import document_path, document_upload
from cakupan.registry.views.common import form_page, page
from cakupan.rules.period import Period

GRID_MONTHS = 6


def _get(request: HttpRequest, pk: Any) -> Agreement:
    try:
        return selectors.agreement_get(user=request.user, pk=pk)
    except NotInScope as exc:
        raise Http404 from exc


def _grid_months(agreement: Agreement) -> list[str]:
    """GRID_MONTHS months of the checklist within the validity, up to the latest month ticked (else this
    month): the record of what the parties delivered, not a row of empty future months."""
    latest = selectors.latest_mark(agreement)
    last = Period.parse(latest) if latest else Period.of(timezone.localdate())
    last = min(last, Period.of(agreement.valid_to))
    first = Period.of(agreement.valid_from)
    months = [str(last.shift(-i)) for i in range(GRID_MONTHS) if last.shift(-i) >= first]
    return list(reversed(months))


@permission_required(Perm.AGREEMENT_READ)
def agreement_list(request: HttpRequest) -> HttpResponse:
    region = request.GET.get("region", "").strip()
    try:
        rows = list(selectors.agreement_list(user=request.user, region=region or None).order_by("number"))
        errors: list[str] = []
    except InvalidInput as exc:
        rows, errors = [], [str(e.message) for e in exc.errors]
    return page(
        request,
        "partners/list.html",
        {
            "rows": rows,
            "region": region,
            "errors": errors,
            "may_write": may(scope_of(request), Perm.AGREEMENT_WRITE),
        },
        status=400 if errors else 200,
    )


def _detail(request: HttpRequest, agreement: Agreement, *, status: int = 200, **forms: Any) -> HttpResponse:
    scope = scope_of(request)
    writes = may(scope, Perm.AGREEMENT_WRITE)
    months = _grid_months(agreement)
    month = selectors.latest_computed(agreement)
    context = {
        "agreement": agreement,
        "parties": agreement.parties.all(),
        "grid": selectors.obligation_grid(agreement, months),
        "months": months,
        "documents": selectors.documents(agreement),
        "kpis": selectors.kpi_lines(agreement, month) if month else selectors.kpi_lines(agreement, ""),
        "period": month,
        "alerts": selectors.alerts(agreement)[:5],
        "may_write": writes,
        "next_statuses": [AgreementStatus(s) for s in sorted(TRANSITIONS[agreement.status])]
        if writes
        else [],
        "kpi_form": forms.get("kpi_form") or (KpiForm(scope=scope) if writes else None),
        "document_form": forms.get("document_form") or (DocumentForm() if writes else None),
        "action_errors": forms.get("errors", []),
    }
    return page(request, "partners/detail.html", context, status=status)


@permission_required(Perm.AGREEMENT_READ)
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _get(request, pk))


@permission_required(Perm.AGREEMENT_WRITE)
@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest) -> HttpResponse:
    form = AgreementForm(request.POST or None, scope=scope_of(request))
    if request.method == "POST" and form.is_valid():
        try:
            created = services.agreement_create(actor=request.user, **form.create_values())
        except InvalidInput as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Agreement %(number)s recorded.") % {"number": created.number})
            return redirect("partners:detail", pk=created.pk)
    return form_page(
        request, form, title=_("New cooperation agreement"), submit=_("Save"), cancel=reverse("partners:list")
    )


@permission_required(Perm.AGREEMENT_WRITE)
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _get(request, pk)
    form = AgreementForm(
        request.POST or None,
        scope=scope_of(request),
        editing=True,
        initial=AgreementForm.initial_from(agreement),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_update(actor=request.user, agreement=agreement.pk, **form.cleaned_data)
        except InvalidInput as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("partners:detail", pk=agreement.pk)
    return form_page(
        request,
        form,
        title=_("Edit %(number)s") % {"number": agreement.number},
        submit=_("Save"),
        cancel=reverse("partners:detail", args=[agreement.pk]),
    )


def _act(request: HttpRequest, agreement: Agreement, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except InvalidInput as exc:
        return _detail(request, agreement, status=400, errors=[str(e.message) for e in exc.errors])
    messages.success(request, done)
    return redirect("partners:detail", pk=agreement.pk)


@permission_required(Perm.AGREEMENT_WRITE)
@require_POST
def agreement_status(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _get(request, pk)
    form = StatusForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {"status": request.POST.get("status", "")}
    return _act(
        request,
        agreement,
        lambda: services.agreement_transition(actor=request.user, agreement=agreement.pk, **data),
        _("Status changed."),
    )


@permission_required(Perm.AGREEMENT_WRITE)
@require_POST
def obligation_mark(request: HttpRequest, pk: int, obligation: int) -> HttpResponse:
    agreement = _get(request, pk)
    form = MarkForm(request.POST)
    if not form.is_valid():
        return _detail(request, agreement, status=400, errors=[_("Enter a month as YYYY-MM.")])
    return _act(
        request,
        agreement,
        lambda: services.obligation_mark(actor=request.user, obligation=obligation, **form.cleaned_data),
        _("Obligation updated."),
    )


@permission_required(Perm.AGREEMENT_WRITE)
@require_POST
def kpi_add(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _get(request, pk)
    form = KpiForm(request.POST, scope=scope_of(request))
    if not form.is_valid():
        return _detail(request, agreement, status=400, kpi_form=form)
    return _act(
        request,
        agreement,
        lambda: services.agreement_kpi_add(actor=request.user, agreement=agreement.pk, **form.cleaned_data),
        _("KPI added."),
    )


@permission_required(Perm.AGREEMENT_WRITE)
@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _get(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, agreement, status=400, document_form=form)
    return _act(
        request,
        agreement,
        lambda: document_upload(
            actor=request.user,
            agreement=agreement.pk,
            upload=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
        ),
        _("Document stored."),
    )


@permission_required(Perm.AGREEMENT_READ)
def document_download(request: HttpRequest, pk: int) -> Any:  # a FileResponse
    try:
        document = selectors.document_get(user=request.user, pk=pk)
    except NotInScope as exc:
        raise Http404 from exc
    path = document_path(document)
    if not path.exists():
        raise Http404
    response = FileResponse(path.open("rb"), content_type="application/pdf", filename=document.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@permission_required(Perm.AGREEMENT_READ)
def agreement_scorecard(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _get(request, pk)
    return page(request, "partners/scorecard.html", scorecard(agreement))


@permission_required(Perm.AGREEMENT_READ)
def agreement_scorecard_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _get(request, pk)
    response = HttpResponse(scorecard_pdf(agreement), content_type="application/pdf")
    name = "".join(c if c.isalnum() else "-" for c in agreement.number)
    response["Content-Disposition"] = f'inline; filename="scorecard-{name}.pdf"'
    return response
