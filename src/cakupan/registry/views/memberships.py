"""Membership pages: list, detail, enrol a person, end a membership."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cakupan.accounts.access import permission_required, scope_of
from cakupan.accounts.permissions import Perm
from cakupan.core.errors import InvalidInput
from cakupan.registry import selectors, services
from cakupan.registry.api.filters import MembershipFilter
from cakupan.registry.forms import MembershipEndForm, MembershipForm
from cakupan.registry.models import Membership, Segment
from cakupan.registry.views.common import form_page, get_or_404, list_page, own_employer_npp, page


@permission_required(Perm.MEMBERSHIP_READ)
def membership_list(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        template="registry/membership_list.html",
        table="registry/partials/membership_table.html",
        rows=selectors.membership_list(user=request.user, scope=scope_of(request)),
        filterset=MembershipFilter,
        context={
            "status": request.GET.get("status", ""),
            "segment": request.GET.get("segment", ""),
            "statuses": Membership.Status.choices,
            "segments": Segment.choices,
        },
    )


@permission_required(Perm.MEMBERSHIP_READ)
def membership_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_or_404(selectors.membership_get, request, pk)
    return page(request, "registry/membership_detail.html", {"membership": membership})


@permission_required(Perm.REGISTRY_EDIT)
@require_http_methods(["GET", "POST"])
def membership_create(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = get_or_404(selectors.person_get, request, person_pk)
    initial: dict[str, Any] = {"programs": ["JKK", "JKM"]}
    npp = own_employer_npp(request)
    if npp:  # an employer's HR enrols through its own employer
        initial |= {"segment": Segment.PU, "payer_kind": "employer", "employer": npp}
    form = MembershipForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.membership_enrol(actor=request.user, person=person, **form.cleaned_data)
        except InvalidInput as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Membership %(kpj)s enrolled.") % {"kpj": membership.kpj})
            return redirect("registry:membership_detail", pk=membership.pk)
    return form_page(
        request,
        form,
        title=_("Enrol in a membership"),
        subtitle=person.full_name,
        submit=_("Enrol"),
        cancel=reverse("registry:person_detail", args=[person.pk]),
        dynamic=True,
        programs_by_segment=form.programs_by_segment_json(),
    )


@permission_required(Perm.REGISTRY_EDIT)
@require_http_methods(["GET", "POST"])
def membership_end(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_or_404(selectors.membership_get, request, pk)
    form = MembershipEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_end(
                actor=request.user, membership=membership, end_date=form.cleaned_data["end_date"]
            )
        except InvalidInput as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Membership %(kpj)s ended.") % {"kpj": membership.kpj})
            return redirect("registry:membership_detail", pk=membership.pk)
    return form_page(
        request,
        form,
        title=_("End membership %(kpj)s") % {"kpj": membership.kpj},
        subtitle=membership.person.full_name,
        submit=_("End membership"),
        cancel=reverse("registry:membership_detail", args=[membership.pk]),
    )
