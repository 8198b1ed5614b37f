"""The pages of ending sponsored cover (issue 15 points 3 and 7): the members whose cover ends in a month,
with the decision for some or all of them (office); the answer to members handed over (the receiving
sponsor or its office); the office's setting of the sponsor's agreement; the sponsor's member export."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cakupan.accounts.access import permission_required, scope_of
from cakupan.accounts.permissions import Perm, may
from cakupan.accounts.scope import mask_nik
from cakupan.core.errors import InvalidInput
from cakupan.rules.period import Period
from cakupan.sponsorship import selectors
from cakupan.sponsorship.exports import members_xlsx
from cakupan.sponsorship.models import CoverEnding
from cakupan.sponsorship.services.agreements import agreement_set
from cakupan.sponsorship.services.endings import cover_endings_decide, cover_moves_answer

LISTED = 200


@permission_required(Perm.SPONSORSHIP_READ)
def endings(request: HttpRequest, pk: int, month: str) -> HttpResponse:
    from cakupan.sponsorship.selectors_endings import endings_due_list

    scope = scope_of(request)
    sponsor = selectors.sponsor_in_scope(scope, pk)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            chosen = request.POST.getlist("membership")
            out = cover_endings_decide(
                actor=request.user,
                sponsor=sponsor,
                month=month,
                action=request.POST.get("action", ""),
                memberships=chosen or None,
                to_sponsor=request.POST.get("to_sponsor") or None,
            )
        except InvalidInput as exc:
            errors = [str(e.message) for e in exc.errors]
            status = 400
        else:
            messages.success(request, _("Decided for %(n)s members.") % {"n": out["members"]})
            return redirect("sponsorship:endings", pk=sponsor.pk, month=month)
    try:
        period = Period.parse(month)
    except ValueError:
        period = None
    due = endings_due_list(user=request.user, sponsor_id=sponsor.pk, month=str(period)) if period else None
    others = selectors.sponsors_in_scope(scope).exclude(pk=sponsor.pk).order_by("name")[:LISTED]
    context = {
        "sponsor": sponsor,
        "month": str(period) if period else month,
        "due": [
            (m, mask_nik(m.person.nik) if scope.masks_nik else m.person.nik)
            for m in (due[:LISTED] if due is not None else [])
        ],
        "due_count": due.count() if due is not None else 0,
        "may_end": may(scope, Perm.SPONSORSHIP_END),
        "actions": CoverEnding.Action.choices,
        "others": others,
        "errors": errors,
    }
    return render(request, "sponsorship/endings.html", context, status=status)


@require_POST
@permission_required(Perm.SPONSORSHIP_ACCEPT)
def moves_answer(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        out = cover_moves_answer(
            actor=request.user,
            to_sponsor=pk,
            from_sponsor=request.POST.get("from_sponsor"),
            month=request.POST.get("month", ""),
            accept=request.POST.get("answer") == "accept",
        )
    except InvalidInput as exc:
        return HttpResponse("; ".join(str(e.message) for e in exc.errors), status=400)
    text = _("Accepted %(n)s members.") if out["accepted"] else _("Declined %(n)s members.")
    messages.success(request, text % {"n": out["members"]})
    return redirect("sponsorship:detail", pk=pk)


@require_POST
@permission_required(Perm.SPONSORSHIP_FUND)
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    agreement_set(actor=request.user, sponsor=pk, full_data=request.POST.get("full_data") == "on")
    messages.success(request, _("The agreement is saved."))
    return redirect("sponsorship:detail", pk=pk)


@permission_required(Perm.SPONSORSHIP_READ)
def members_export(request: HttpRequest, pk: int) -> HttpResponse:
    body = members_xlsx(user=request.user, sponsor_id=pk)
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="cakupan-sponsor-{pk}-members.xlsx"'
    return response
