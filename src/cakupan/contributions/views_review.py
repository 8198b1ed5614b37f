"""Pages for payments held for review: release (accept and allocate) or reject, from the payer's statement.

Thin: the payment comes from a scoped selector (404 outside the scope), the decision from the services in
services/payment_review.py, which check the permission and record the audit event.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from cakupan.accounts.access import permission_required, scope_of
from cakupan.accounts.permissions import Perm
from cakupan.contributions import selectors_payments as sel
from cakupan.contributions.services.payment_review import payment_reject, payment_release
from cakupan.core.errors import InvalidInput, NotInScope

HELD_MESSAGE = _(
    "Payment recorded and held for review: it would leave a credit larger than a year of this payer's bills. "
    "It settles nothing until it is released."
)


def _decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    try:
        payment = sel.payment_get(user=request.user, pk=pk, scope=scope_of(request))
    except NotInScope as exc:
        raise Http404 from exc
    note = request.POST.get("note", "")
    try:
        if decision == "release":
            made = payment_release(actor=request.user, payment=payment, note=note)
            messages.success(request, _("Payment released: %(n)s allocations.") % {"n": len(made)})
        else:
            payment_reject(actor=request.user, payment=payment, note=note)
            messages.success(request, _("Payment rejected."))
    except InvalidInput as exc:
        for error in exc.errors:
            messages.error(request, str(error.message))
    return redirect("contributions:account_statement", pk=payment.account_id)


@permission_required(Perm.PAYMENT_RECORD)
@require_POST
def payment_release_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "release")


@permission_required(Perm.PAYMENT_RECORD)
@require_POST
def payment_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "reject")
