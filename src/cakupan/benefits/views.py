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
from cakupan.accounts.permissions import Perm, may
from cakupan.benefits import selectors, services
from cakupan.benefits.forms import ClaimForm, PayForm, RejectForm
from cakupan.benefits.models import Claim
from cakupan.benefits.simulator import simulate, simulator_input_parse
from cakupan.core.errors import InvalidInput, NotInScope


def _claim(request: HttpRequest, pk: int) -> Claim:
    try:
        return selectors.claim_get(user=request.user, pk=pk)
    except NotInScope as exc:
        raise Http404 from exc


@permission_required(Perm.CLAIM_READ)
def claim_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    claims = selectors.claim_list(user=request.user, status=status)[:200]
    may_file = may(scope_of(request), Perm.CLAIM_FILE)
    return render(
        request, "benefits/claim_list.html", {"claims": claims, "status": status, "may_file": may_file}
    )


@permission_required(Perm.CLAIM_FILE)
@require_http_methods(["GET", "POST"])
def claim_new(request: HttpRequest) -> HttpResponse:
    form = ClaimForm(request.POST or None, initial={"person": request.GET.get("person")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = {k: data[k] for k in ("children", "end_reason") if data.get(k) not in (None, "")}
        try:
            claim = services.claim_submit(
                actor=request.user,
                person=data["person"],
                benefit=data["benefit"],
                event_date=data["event_date"],
                claimant_kind=data["claimant_kind"],
                claimant_name=data["claimant_name"],
                details=details,
                compliance_wage=data["compliance_wage"],
            )
        except InvalidInput as exc:
            for error in exc.errors:
                name = error.field.removeprefix("details.")
                form.add_error(name if name in form.fields else None, str(error.message))
        else:
            messages.success(request, _("Claim filed."))
            return redirect("benefits:claim_detail", pk=claim.pk)
    return render(request, "benefits/claim_new.html", {"form": form}, status=400 if form.errors else 200)


@permission_required(Perm.CLAIM_READ)
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim(request, pk)
    context: dict[str, Any] = {
        "claim": claim,
        "documents": claim.documents.all(),
        "events": claim.events.select_related("actor"),
        "office": may(scope_of(request), Perm.CLAIM_DECIDE),
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
        return {"segment": "BPU", "children": "2", "risk_class": "1", "sector": "other"}, {}, None
    inp, errors = simulator_input_parse(data)
    result = simulate(inp, today=timezone.localdate()) if inp is not None else None
    if result is not None and "errors" in result:
        errors, result = result["errors"], None
    return data.dict(), errors, result


def simulator(request: HttpRequest) -> HttpResponse:
    """Public: no personal data is asked for or kept (module doc of simulator.py)."""
    values, errors, result = _simulation(request)
    context = {"values": values, "errors": errors, "result": result, "query": request.GET.urlencode()}
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
