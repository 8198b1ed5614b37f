"""Employment pages: list, detail, start an employment for a person, edit."""

from __future__ import annotations

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
from cakupan.registry.api.filters import EmploymentFilter
from cakupan.registry.forms import EmploymentEditForm, EmploymentForm
from cakupan.registry.views.common import form_page, get_or_404, list_page, own_employer_npp, page


@permission_required(Perm.EMPLOYMENT_READ)
def employment_list(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        template="registry/employment_list.html",
        table="registry/partials/employment_table.html",
        rows=selectors.employment_list(user=request.user, scope=scope_of(request)),
        filterset=EmploymentFilter,  # the API's (/api/v1/employments/): the same search and refusals
        context={"open_only": request.GET.get("open") in ("1", "true")},
    )


@permission_required(Perm.EMPLOYMENT_READ)
def employment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    employment = get_or_404(selectors.employment_get, request, pk)
    memberships = selectors.membership_list(user=request.user, scope=scope_of(request)).filter(
        employment=employment
    )
    return page(
        request,
        "registry/employment_detail.html",
        {
            "employment": employment,
            "memberships": memberships,
            "wages": selectors.wage_history_of([employment.pk]),
        },
    )


@permission_required(Perm.REGISTRY_EDIT)
@require_http_methods(["GET", "POST"])
def employment_create(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = get_or_404(selectors.person_get, request, person_pk)
    npp = own_employer_npp(request)
    initial = {"employer": npp} if npp else {}  # an employer's HR records employment with itself
    form = EmploymentForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.employment_start(
                actor=request.user,
                person=person,
                employer=form.cleaned_data["employer"],
                **form.employment_data(),
            )
        except InvalidInput as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Employment recorded."))
            return redirect("registry:person_detail", pk=person.pk)
    return form_page(
        request,
        form,
        title=_("Record an employment"),
        subtitle=person.full_name,
        submit=_("Save"),
        cancel=reverse("registry:person_detail", args=[person.pk]),
    )


@permission_required(Perm.REGISTRY_EDIT)
@require_http_methods(["GET", "POST"])
def employment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    employment = get_or_404(selectors.employment_get, request, pk)
    form = EmploymentEditForm(request.POST or None, initial=EmploymentEditForm.initial_from(employment))
    if request.method == "POST" and form.is_valid():
        try:
            services.employment_update(
                actor=request.user,
                employment=employment,
                wage_from=form.cleaned_data.get("wage_from"),
                **form.employment_data(),
            )
        except InvalidInput as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("registry:employment_detail", pk=employment.pk)
    return form_page(
        request,
        form,
        title=_("Edit employment"),
        subtitle=f"{employment.person.full_name} · {employment.employer.name}",
        submit=_("Save"),
        cancel=reverse("registry:employment_detail", args=[employment.pk]),
    )
