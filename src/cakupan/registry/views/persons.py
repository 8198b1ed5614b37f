"""Person pages: list, detail (with NIK review notices), register, edit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cakupan.accounts.access import permission_required, scope_of
from cakupan.accounts.permissions import Perm, may
from cakupan.core.errors import InvalidInput
from cakupan.registry import selectors, services
from cakupan.registry.api.filters import PersonFilter
from cakupan.registry.forms import PersonForm
from cakupan.registry.models import Person
from cakupan.registry.nik import nik_normalise
from cakupan.registry.person_view import shows_contact
from cakupan.registry.services.persons import IDENTITY_FIELDS
from cakupan.registry.views.common import form_page, get_or_404, list_page, page


def duplicate_of(request: HttpRequest, form: Any) -> Person | None:
    """When the NIK was refused, the person already registered with it, if the user may see them."""
    if "nik" not in form.errors:
        return None
    nik = nik_normalise(form.data.get("nik", ""))
    if len(nik) != 16:
        return None
    return selectors.person_find(user=request.user, query=nik, scope=scope_of(request)).first()


@permission_required(Perm.PERSON_READ)
def person_list(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        template="registry/person_list.html",
        table="registry/partials/person_table.html",
        rows=selectors.person_list(user=request.user, scope=scope_of(request)),
        context={},
        filterset=PersonFilter,
    )


@permission_required(Perm.PERSON_VIEW)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_or_404(selectors.person_get, request, pk)
    scope = scope_of(request)
    return page(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "employments": selectors.employment_list(user=request.user, scope=scope).filter(person=person),
            "memberships": selectors.membership_list(user=request.user, scope=scope).filter(person=person),
        },
    )


@permission_required(Perm.PERSON_CREATE)
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.POST or None)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_register(actor=request.user, **form.person_data())
        except InvalidInput as exc:
            form.add_service_errors(exc)
            duplicate = duplicate_of(request, form)
        else:
            messages.success(request, _("%(name)s registered.") % {"name": person.full_name})
            return redirect("registry:person_detail", pk=person.pk)
    return form_page(
        request,
        form,
        title=_("Register a person"),
        submit=_("Register"),
        cancel=reverse("registry:person_list"),
        duplicate=duplicate,
    )


@permission_required(Perm.REGISTRY_EDIT)
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_or_404(selectors.person_get, request, pk)
    initial = PersonForm.initial_from(person)
    hidden: tuple[str, ...] = ()
    if not shows_contact(scope_of(request)):
        # Contact details are the office's (registry.person_view): not shown here either. The user may
        # give new ones; left blank, the registered ones stay.
        hidden = ("phone", "address_region")
        initial = {k: v for k, v in initial.items() if k not in hidden}
    form = PersonForm(request.POST or None, initial=initial)
    if not may(scope_of(request), Perm.PERSON_IDENTITY_WRITE):
        # Who the person is stays as registered (services.persons.IDENTITY_FIELDS): shown, not editable.
        for name in IDENTITY_FIELDS:
            form.fields[name].disabled = True
            form.fields[name].help_text = _("Only the branch office corrects this.")
    for name in hidden:
        form.fields[name].required = False
        form.fields[name].help_text = _("Leave blank to keep the registered value.")
    duplicate = None
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.person_data().items() if k not in hidden or v}
        try:
            services.person_update(actor=request.user, person=person, **data)
        except InvalidInput as exc:
            form.add_service_errors(exc)
            duplicate = duplicate_of(request, form)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("registry:person_detail", pk=person.pk)
    return form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": person.full_name},
        submit=_("Save"),
        cancel=reverse("registry:person_detail", args=[person.pk]),
        duplicate=duplicate if duplicate and duplicate.pk != person.pk else None,
    )
