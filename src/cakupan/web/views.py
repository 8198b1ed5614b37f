"""Home page per role, the search box, and look-ups that fill the forms' suggestion lists."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from cakupan.accounts.access import permission_required, scope_of, ui_flags
from cakupan.accounts.permissions import Perm, may, permissions_of
from cakupan.regions.models import Region
from cakupan.registry import selectors
from cakupan.registry.figures import home_figures
from cakupan.web.nav import shortcuts_for
from cakupan.web.own_record import own_summary
from cakupan.web.queues import home_rows, last_roster, queues_for

SUGGESTIONS = 15


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    scope = scope_of(request)
    return render(request, template, {"scope": scope, "ui": ui_flags(scope), **context})


def _counts(request: HttpRequest) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Any]:
    """The home page's figures, from the cache (registry.figures): the work queues waiting for this role
    (web/queues.py) and the registry's counts, each labelled and linked to its list."""
    scope = scope_of(request)
    cached = home_figures(scope, rows_for=home_rows)
    sponsor = scope.sponsor_id is not None
    shown = {
        "employers": (_("Employers in your scope"), reverse("registry:employer_list")),
        "persons": (
            _("Sponsored persons") if sponsor else _("Persons in your scope"),
            reverse("registry:person_list"),
        ),
        "current_workers": (_("Current workers"), reverse("registry:employment_list") + "?open=1"),
        "active_memberships": (
            _("Active memberships"),
            reverse("registry:membership_list") + "?status=active",
        ),
    }
    counts = [
        {
            "label": shown[name][0],
            "url": shown[name][1],
            "value": figure.value,
            "exact": figure.exact,
            "estimate": figure.estimate,
        }
        for name in shown  # in the page's order: jsonb on PostgreSQL keeps no key order
        if (figure := cached.figures.get(name)) is not None
    ]
    queues = [
        {
            "name": queue.name,
            "label": queue.label,
            "hint": queue.hint,
            "url": queue.url(scope),
            "value": figure.value,
            "exact": figure.exact,
            "estimate": figure.estimate,
        }
        for queue in queues_for(scope)
        if (figure := cached.figures.get(queue.name)) is not None
    ]
    queues.sort(key=lambda item: item["value"] == 0)  # the work waiting first, in the queues' order
    return queues, counts, cached.computed_at


def greeting_name(user: Any, person: Any = None) -> str:
    """Whom the home greets: a worker by the name on their record, others by their account's name; the
    username only when no name is known."""
    if person is not None:
        return str(person.full_name)
    return str(user.get_full_name() or user.get_username())


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope, user = scope_of(request), request.user
    # Pointers to the contributions, rosters, coverage, claims and compliance pages this role may open.
    context: dict[str, Any] = {"role": scope.role, "shortcuts": shortcuts_for(scope)}
    if scope.person_id is not None:  # a worker: their own record
        person = selectors.person_list(user=user, scope=scope).first()
        context["person"] = person
        context["memberships"] = selectors.membership_list(user=user, scope=scope)
        context["employments"] = selectors.employment_list(user=user, scope=scope)
        if person is not None:
            context["own"] = own_summary(user=user, scope=scope, person=person)
    elif permissions_of(scope):  # not for an account without a role or its object
        context["queues"], context["counts"], context["counted_at"] = _counts(request)
        if may(scope, Perm.ROSTER_UPLOAD):
            context["last_roster"] = last_roster(user=user)
        if scope.sponsor_id is not None and may(scope, Perm.SPONSORSHIP_READ):  # a sponsor: its runway
            from cakupan.sponsorship.selectors import runway

            context["runway"] = runway(user=user, sponsor_id=scope.sponsor_id)
    context["greeting_name"] = greeting_name(user, context.get("person"))
    return _render(request, "web/home.html", context)


@permission_required(Perm.PERSON_SEARCH)
def search(request: HttpRequest) -> HttpResponse:
    """One box: a NIK, a KPJ or a name finds persons; an NPP or a name finds employers."""
    scope, user = scope_of(request), request.user
    q = request.GET.get("q", "").strip()
    persons = selectors.person_find(user=user, query=q, scope=scope)[:20] if q else []
    employers = (
        selectors.employer_find(user=user, query=q, scope=scope)[:20]
        if q and may(scope, Perm.EMPLOYER_READ)
        else []
    )
    context = {"q": q, "persons": persons, "employers": employers}
    if getattr(request, "htmx", False):
        return _render(request, "web/partials/search_results.html", context)
    return _render(request, "web/search.html", context)


def _lookup_text(request: HttpRequest) -> str:
    # htmx sends the input under its own name (region, address_region, employer...): take the first value.
    return next((text for key in request.GET if (text := request.GET.get(key, "").strip())), "")


@login_required
def region_options(request: HttpRequest) -> HttpResponse:
    """<option>s for a region field's datalist: regencies/cities and districts by code or name.

    Regions are public reference data (Kepmendagri), the same for every role.
    """
    text = _lookup_text(request)
    regions: Any = []
    if len(text) >= 2:
        regions = (
            Region.objects.filter(level__gte=2)
            .filter(Q(code__startswith=text) | Q(name__icontains=text))
            .select_related("parent")
            .order_by("level", "code")[:SUGGESTIONS]
        )
    return render(request, "web/partials/region_options.html", {"regions": regions})


@login_required
def employer_options(request: HttpRequest) -> HttpResponse:
    """<option>s for an employer field's datalist: employers the user may see, by NPP or name."""
    text = _lookup_text(request)
    employers: Any = []
    if len(text) >= 2:
        employers = selectors.employer_find(user=request.user, query=text, scope=scope_of(request))
        if not employers.exists():
            employers = selectors.employer_list(user=request.user, scope=scope_of(request)).filter(
                npp__istartswith=text
            )
        employers = employers[:SUGGESTIONS]
    return render(request, "web/partials/employer_options.html", {"employers": employers})
