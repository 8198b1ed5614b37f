"""Field pages (issue 17). The office: agents (register, approve, suspend), conflicts, deposits and
reconciliation, commission statements (page and JSON), anomaly flags. An agent: their members, collections
and statement. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cakupan.accounts.access import permission_required, scope_of
from cakupan.accounts.permissions import Perm
from cakupan.core.errors import InvalidInput
from cakupan.field import selectors
from cakupan.field import selectors_review as review
from cakupan.field.forms import AgentRegisterForm, DepositForm, ResolveForm
from cakupan.field.models import Agent
from cakupan.field.services.agents import agent_register, agent_status_set
from cakupan.field.services.review import conflict_resolve, deposit_record
from cakupan.regions.models import Region
from cakupan.registry.selectors import sponsor_list
from cakupan.registry.views.common import page
from cakupan.rules.period import Period

LISTED = 100


def _errors(form: forms.Form, exc: InvalidInput) -> None:
    for error in exc.errors:
        form.add_error(error.field if error.field in form.fields else None, str(error.message))


def _period(request: HttpRequest) -> Period:
    """?month=YYYY-MM, this month by default (a malformed month is this month, said on the page)."""
    try:
        return Period.parse(request.GET.get("month", ""))
    except ValueError:
        return Period.of(timezone.localdate())


def _month_nav(period: Period) -> dict[str, Any]:
    return {"period": period, "previous": period.shift(-1), "next": period.shift(1)}


def _region_choices(request: HttpRequest) -> list[tuple[str, str]]:
    codes = scope_of(request).regency_codes
    regions = Region.objects.filter(level=2).order_by("code")
    if codes:
        regions = regions.filter(pk__in=codes)
    return [(r.code, f"{r.name} ({r.code})") for r in regions[:600]]


@permission_required(Perm.AGENT_MANAGE)
@require_http_methods(["GET", "POST"])
def agent_list(request: HttpRequest) -> HttpResponse:
    form = AgentRegisterForm(request.POST or None)
    regions = form.fields["regions"]
    assert isinstance(regions, forms.MultipleChoiceField)
    regions.choices = _region_choices(request)
    if request.method == "POST" and form.is_valid():
        scope = scope_of(request)
        try:
            agent_register(
                actor=request.user,
                branch_office=scope.branch_office_id or -1,
                **form.cleaned_data,
            )
        except InvalidInput as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Agent registered; approve them before they sync."))
            return redirect("field:agents")
    agents = selectors.agents_for_office(user=request.user).order_by("status", "user__username")[:LISTED]
    status = 400 if request.method == "POST" else 200
    return page(request, "field/agents.html", {"agents": agents, "form": form}, status)


@permission_required(Perm.AGENT_MANAGE)
@require_POST
def agent_status(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    agent = selectors.agent_get(user=request.user, pk=pk)
    try:
        agent_status_set(actor=request.user, agent=agent, action=action)
    except InvalidInput as exc:
        messages.error(request, "; ".join(str(e.message) for e in exc.errors))
    else:
        messages.success(request, _("Agent status changed."))
    return redirect("field:agents")


@permission_required(Perm.FIELD_REVIEW)
@require_http_methods(["GET", "POST"])
def conflict_list(request: HttpRequest) -> HttpResponse:
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        pk = request.POST.get("conflict", "")
        try:
            conflict_resolve(
                actor=request.user, conflict=int(pk) if pk.isdigit() else -1, **form.cleaned_data
            )
        except InvalidInput as exc:
            messages.error(request, "; ".join(str(e.message) for e in exc.errors))
        else:
            messages.success(request, _("Conflict resolved."))
        return redirect("field:conflicts")
    conflicts = selectors.conflicts_for_office(user=request.user)[:LISTED]
    return page(request, "field/conflicts.html", {"conflicts": conflicts, "form": ResolveForm()})


@permission_required(Perm.FIELD_REVIEW)
@require_http_methods(["GET", "POST"])
def deposit_list(request: HttpRequest) -> HttpResponse:
    agents = selectors.agents_for_office(user=request.user)
    form = DepositForm(request.POST or None, initial={"deposited_on": timezone.localdate()})
    choice = form.fields["agent"]
    assert isinstance(choice, forms.ChoiceField)
    choice.choices = [(a.pk, a.user.get_username()) for a in agents.order_by("user__username")]
    if request.method == "POST" and form.is_valid():
        try:
            deposit_record(actor=request.user, **form.cleaned_data)
        except InvalidInput as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Deposit recorded."))
            return redirect("field:deposits")
    period = _period(request)
    context = {
        "rows": review.reconciliation(agents, period),
        "deposits": selectors.deposits_for_office(user=request.user)[:LISTED],
        "form": form,
        **_month_nav(period),
    }
    return page(request, "field/deposits.html", context, 400 if request.method == "POST" else 200)


@permission_required(Perm.FIELD_REVIEW)
def statement_list(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    rows = review.statements(selectors.agents_for_office(user=request.user), period)
    if request.GET.get("format") == "json":
        return JsonResponse({"period": str(period), "statements": [s.as_dict() for s in rows]})
    tables = rows[0].tables if rows else None
    return page(request, "field/statements.html", {"rows": rows, "tables": tables, **_month_nav(period)})


@permission_required(Perm.FIELD_REVIEW)
def anomaly_list(request: HttpRequest) -> HttpResponse:
    agents = selectors.agents_for_office(user=request.user)
    scope = scope_of(request)
    sponsors = sponsor_list(user=request.user, scope=scope).values("pk")
    context = {
        "early": review.early_claims(agents, sponsors),
        "lapses": review.lapse_flags(agents),
        "captures": review.repeated_captures(agents),
        "tables": review.field_tables(),
    }
    return page(request, "field/anomalies.html", context)


@permission_required(Perm.FIELD_OWN)
def my_members(request: HttpRequest) -> HttpResponse:
    items = selectors.own_members(user=request.user)[:LISTED]
    return page(request, "field/my_members.html", {"items": items})


@permission_required(Perm.FIELD_OWN)
def my_collections(request: HttpRequest) -> HttpResponse:
    rows = selectors.own_collections(user=request.user)[:LISTED]
    return page(request, "field/my_collections.html", {"rows": rows})


@permission_required(Perm.FIELD_OWN)
def my_statement(request: HttpRequest) -> HttpResponse:
    agent = selectors.own_agent(user=request.user)
    period = _period(request)
    (statement,) = review.statements(Agent.objects.filter(pk=agent.pk), period)
    if request.GET.get("format") == "json":
        return JsonResponse(statement.as_dict())
    return page(request, "field/my_statement.html", {"statement": statement, **_month_nav(period)})
