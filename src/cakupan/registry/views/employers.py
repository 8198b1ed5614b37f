"""Employer pages: list, detail, register, edit, and registering a worker from the employer's page."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cakupan.accounts.access import permission_required, scope_of
from cakupan.accounts.permissions import Perm
from cakupan.core.errors import InvalidInput
from cakupan.registry import selectors, services
from cakupan.registry.api.filters import EmployerFilter
from cakupan.registry.forms import EmployerEditForm, EmployerForm, WorkerForm
from cakupan.registry.models import Membership
from cakupan.registry.services.relief import employer_jp_deferral_set
from cakupan.registry.views.common import form_page, get_or_404, list_page, page
from cakupan.registry.views.persons import duplicate_of


@permission_required(Perm.EMPLOYER_READ)
def employer_list(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        template="registry/employer_list.html",
        table="registry/partials/employer_table.html",
        rows=selectors.employer_list(user=request.user, scope=scope_of(request)),
        filterset=EmployerFilter,  # the API's (/api/v1/employers/): the same search and refusals
        context={},
    )


@permission_required(Perm.EMPLOYER_READ)
def employer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    employer, employments, memberships = get_or_404(selectors.employer_jobs, request, pk)
    return page(
        request,
        "registry/employer_detail.html",
        {
            "employer": employer,
            "employments": employments.filter(end_date__isnull=True)[:20],
            "open_count": employments.filter(end_date__isnull=True).count(),
            "active_count": memberships.filter(status=Membership.Status.ACTIVE).count(),
        },
    )


@permission_required(Perm.EMPLOYER_WRITE)
@require_http_methods(["GET", "POST"])
def employer_create(request: HttpRequest) -> HttpResponse:
    form = EmployerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            employer = services.employer_register(actor=request.user, **form.cleaned_data)
        except InvalidInput as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Employer %(name)s registered.") % {"name": employer.name})
            return redirect("registry:employer_detail", pk=employer.pk)
    return form_page(
        request,
        form,
        title=_("Register an employer"),
        submit=_("Register"),
        cancel=reverse("registry:employer_list"),
    )


@permission_required(Perm.EMPLOYER_WRITE)
@require_http_methods(["GET", "POST"])
def employer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    employer = get_or_404(selectors.employer_get, request, pk)
    form = EmployerEditForm(request.POST or None, initial=EmployerEditForm.initial_from(employer))
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        deferral = fields.pop("jp_deferral_pp49")
        try:
            with transaction.atomic():  # both audited by their services, or neither written
                services.employer_update(actor=request.user, employer=employer, **fields)
                employer_jp_deferral_set(actor=request.user, employer=employer, qualifies=deferral)
        except InvalidInput as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("registry:employer_detail", pk=employer.pk)
    return form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": employer.name},
        submit=_("Save"),
        cancel=reverse("registry:employer_detail", args=[employer.pk]),
    )


@permission_required(Perm.REGISTRY_EDIT)
@require_http_methods(["GET", "POST"])
def worker_register(request: HttpRequest, pk: int) -> HttpResponse:
    employer = get_or_404(selectors.employer_get, request, pk)
    form = WorkerForm(request.POST or None)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            employment = services.worker_register(
                actor=request.user,
                person=form.person_data(),
                employer=employer,
                employment=form.employment_data(),
            )
        except InvalidInput as exc:
            form.add_service_errors(exc)
            duplicate = duplicate_of(request, form)
        else:
            messages.success(
                request,
                _("%(person)s registered as a worker of %(employer)s.")
                % {"person": employment.person.full_name, "employer": employer.name},
            )
            return redirect("registry:person_detail", pk=employment.person_id)
    return form_page(
        request,
        form,
        title=_("Register a worker"),
        subtitle=str(employer),
        submit=_("Register"),
        cancel=reverse("registry:employer_detail", args=[employer.pk]),
        duplicate=duplicate,
    )
