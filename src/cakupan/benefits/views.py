"""Claim pages (list, new, detail with its timeline and the workflow buttons), notifications, and the
public benefit simulator with its one-page PDF."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cakupan.accounts.access import permission_required, scope_of
from cakupan.accounts.permissions import Perm, claimant_kinds, may
from cakupan.benefits import selectors, services
from cakupan.benefits.claim_events import event_of, events_for
from cakupan.benefits.filters import ClaimFilter
from cakupan.benefits.forms import ClaimForm, PayForm, RejectForm
from cakupan.benefits.models import BENEFIT_CHOICES, Claim, ClaimantKind, ClaimStatus
from cakupan.benefits.simulator import PROJECTION_YEARS, simulate, simulator_input_parse
from cakupan.core.errors import InvalidInput, NotInScope
from cakupan.core.filtering import filter_rows, page_errors


def _claim(request: HttpRequest, pk: int) -> Claim:
    try:
        return selectors.claim_get(user=request.user, pk=pk)
    except NotInScope as exc:
        raise Http404 from exc


@permission_required(Perm.CLAIM_READ)
def claim_list(request: HttpRequest) -> HttpResponse:
    rows, errors = filter_rows(
        ClaimFilter, request.GET, selectors.claim_list(user=request.user), request=request
    )
    context = {
        "claims": rows[:200],
        "status": request.GET.get("status", ""),
        "benefit": request.GET.get("benefit", ""),
        "q": request.GET.get("q", ""),
        "statuses": ClaimStatus.choices,
        "benefits": BENEFIT_CHOICES,
        "list_errors": page_errors(ClaimFilter, errors),
        "may_file": may(scope_of(request), Perm.CLAIM_FILE),
    }
    return render(request, "benefits/claim_list.html", context, status=400 if errors else 200)


@permission_required(Perm.CLAIM_FILE)
@require_http_methods(["GET", "POST"])
def claim_new(request: HttpRequest) -> HttpResponse:
    """A member files their own claim (no person to choose, they are the claimant); branch staff and
    employer HR file for someone else by NIK or KPJ, and staff for heirs."""
    scope = scope_of(request)
    kinds = claimant_kinds(scope, tuple(ClaimantKind.values))
    own_claim = kinds == (ClaimantKind.WORKER,)  # a member files only as themself (accounts.permissions)
    events = events_for(own_claim=own_claim)
    initial: dict[str, str] = {"claimant_kind": ClaimantKind.WORKER}
    if not own_claim and request.GET.get("person"):
        initial["person"] = selectors.claim_person_number(user=request.user, pk=request.GET["person"])
    form = ClaimForm(
        request.POST or None,
        initial=initial,
        events=events,
        own_claim=own_claim,
        claimant_kinds=kinds,
    )
    if request.method == "POST" and form.is_valid():
        person: Any = scope.person_id
        if not own_claim:
            person = selectors.claim_person_find(user=request.user, number=form.cleaned_data["person"])
            if person is None:
                form.add_error("person", _("No member with this NIK or KPJ number in your area."))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim = services.claim_submit(
                actor=request.user,
                person=person,
                benefit=form.event_kind.benefit,
                event_date=data["event_date"],
                claimant_kind=form.claimant(),
                claimant_name=data.get("claimant_name") or "",
                details=form.details(),
                compliance_wage=data.get("compliance_wage"),
            )
        except InvalidInput as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Claim filed."))
            return redirect("benefits:claim_detail", pk=claim.pk)
    context = {
        "form": form,
        "own_claim": own_claim,
        "documents": [(e.code, e.label, e.documents()) for e in events],
    }
    return render(request, "benefits/claim_new.html", context, status=400 if form.errors else 200)


def _event_label(claim: Claim, *, own: bool) -> Any:
    """What happened, in the words of the claim form: the member's own ("I resigned") or the office's."""
    event = event_of(claim.benefit, claim.details)
    return event.label_for(own_claim=own) if event else ""


@permission_required(Perm.CLAIM_READ)
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim(request, pk)
    office = may(scope_of(request), Perm.CLAIM_DECIDE)
    events = list(claim.events.select_related("actor"))
    context: dict[str, Any] = {
        "claim": claim,
        "event_label": _event_label(claim, own=scope_of(request).person_id == claim.person_id),
        "documents": claim.documents.all(),
        "events": events,
        "steps": selectors.claim_steps(claim=claim, events=events),
        "office": office,
        # Four eyes (services.claim_approve): who submitted or verified the claim is not offered the step.
        "may_approve": office and request.user.pk not in (claim.submitted_by_id, claim.verified_by_id),
        "reject_form": RejectForm(),
        "pay_form": PayForm(initial={"paid_on": timezone.localdate()}),
    }
    return render(request, "benefits/claim_detail.html", context)


@permission_required(Perm.CLAIM_DECIDE)
@require_POST
def claim_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    claim = _claim(request, pk)
    try:
        if action == "verify":
            services.claim_verify(
                actor=request.user, claim=claim, documents_received=request.POST.getlist("document")
            )
        elif action == "approve":
            services.claim_approve(actor=request.user, claim=claim)
        elif action == "reject":
            reasons = [line for line in request.POST.get("reasons", "").splitlines() if line.strip()]
            services.claim_reject(actor=request.user, claim=claim, reasons=reasons)
        elif action == "pay":
            services.claim_pay(
                actor=request.user,
                claim=claim,
                payment_reference=request.POST.get("payment_reference", ""),
                paid_on=request.POST.get("paid_on", ""),
            )
        else:
            raise Http404
    except InvalidInput as exc:
        for error in exc.errors:
            messages.error(request, str(error.message))
    return redirect("benefits:claim_detail", pk=claim.pk)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.notification_mark_read(user=request.user)
        return redirect("benefits:notifications")
    items = selectors.notification_list(user=request.user)[:100]
    return render(request, "benefits/notifications.html", {"items": items})


def _simulation(request: HttpRequest) -> tuple[dict[str, Any], dict[str, str], dict[str, Any] | None]:
    data = request.GET
    if "segment" not in data:
        first = {"segment": "BPU", "children": "2", "risk_class": "1", "sector": "other", "years": "10"}
        return first, {}, None
    inp, errors = simulator_input_parse(data)
    result = simulate(inp, today=timezone.localdate()) if inp is not None else None
    if result is not None and "errors" in result:
        errors, result = result["errors"], None
    return data.dict(), errors, result


def simulator(request: HttpRequest) -> HttpResponse:
    """Public: no personal data is asked for or kept (module doc of simulator.py)."""
    values, errors, result = _simulation(request)
    context = {
        "values": values,
        "errors": errors,
        "result": result,
        "query": request.GET.urlencode(),
        "projection_years": PROJECTION_YEARS,
    }
    return render(request, "benefits/simulator.html", context, status=400 if errors else 200)


def simulator_pdf(request: HttpRequest) -> HttpResponse:
    from weasyprint import HTML  # imported here: loading pango costs time every other page can skip

    values, _errors, result = _simulation(request)
    if result is None:
        return redirect(f"{request.path.removesuffix('.pdf')}?{request.GET.urlencode()}")
    html = render_to_string(
        "benefits/simulator_pdf.html", {"values": values, "result": result, "today": timezone.localdate()}
    )
    pdf = HTML(string=html).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="simulasi-manfaat.pdf"'
    return response
