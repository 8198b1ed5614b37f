"""A sponsor's income basis: the declared income of its members whose roster gives none (issue 14)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cakupan.accounts.access import permission_required
from cakupan.accounts.permissions import Perm
from cakupan.core import display
from cakupan.core.errors import InvalidInput
from cakupan.registry import selectors, services
from cakupan.registry.forms import SponsorIncomeBasisForm
from cakupan.registry.views.common import form_page, get_or_404


@permission_required(Perm.SPONSOR_WRITE)
@require_http_methods(["GET", "POST"])
def sponsor_income_basis(request: HttpRequest, pk: int) -> HttpResponse:
    sponsor = get_or_404(selectors.sponsor_get, request, pk)
    today = timezone.localdate()
    lowest = selectors.bpu_lowest_income(today)
    form = SponsorIncomeBasisForm(
        request.POST or None, initial={"income_basis": sponsor.income_basis or ""}, lowest=lowest
    )
    back = reverse("sponsorship:detail", args=[sponsor.pk])
    if request.method == "POST" and form.is_valid():
        try:
            sponsor = services.sponsor_income_basis_set(
                actor=request.user, sponsor=sponsor, income_basis=form.cleaned_data["income_basis"]
            )
        except InvalidInput as exc:
            form.add_service_errors(exc)
        else:
            basis = selectors.sponsor_income_basis(sponsor=sponsor, day=today)
            messages.success(
                request,
                _("Income basis of %(name)s saved: %(amount)s a month.")
                % {"name": sponsor.name, "amount": display.rupiah(basis)},
            )
            return redirect(back)
    return form_page(
        request,
        form,
        title=_("Income basis of %(name)s") % {"name": sponsor.name},
        subtitle=_(
            "Now: %(amount)s a month. Members already enrolled keep the income they were enrolled with."
        )
        % {"amount": display.rupiah(selectors.sponsor_income_basis(sponsor=sponsor, day=today))},
        submit=_("Save"),
        cancel=back,
    )
