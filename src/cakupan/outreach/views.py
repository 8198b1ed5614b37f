"""Outreach pages: the public sign-up behind an event's QR poster (no login), and the office's events,
sign-ups, conversion into memberships and the funnel. Thin: parse, check the permission, call one service
or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cakupan.accounts.access import permission_required, scope_of
from cakupan.accounts.permissions import Perm, may
from cakupan.core.errors import InvalidInput, NotInScope
from cakupan.core.filtering import filter_rows, page_errors
from cakupan.outreach import funnel, selectors
from cakupan.outreach.filters import EventFilter
from cakupan.outreach.forms import ConvertForm, EventForm, SignUpForm
from cakupan.outreach.models import Event
from cakupan.outreach.poster import poster_pdf
from cakupan.outreach.services.convert import signups_convert
from cakupan.outreach.services.events import event_create, event_update
from cakupan.outreach.services.signups import signup_record_paper, signup_submit
from cakupan.outreach.throttles import MESSAGE, throttled
from cakupan.partners.models import PartnerAgency
from cakupan.sponsorship.selectors import sponsors_in_scope

LISTED = 200


def signup_url(request: HttpRequest, event: Event) -> str:
    return request.build_absolute_uri(reverse("outreach:signup", args=[event.code]))


# --- public --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest, code: str) -> HttpResponse:
    try:
        event = selectors.event_public(code=code)
    except NotInScope as exc:
        raise Http404 from exc
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        if throttled(request, _View(code)) is not None:
            return render(
                request,
                "outreach/signup.html",
                {"event": event, "form": form, "throttled": str(MESSAGE)},
                status=429,
            )
        form.is_valid()
        try:
            result = signup_submit(event=event, data=form.service_data())
        except InvalidInput as exc:
            form.add_service_errors(exc)
            return render(request, "outreach/signup.html", {"event": event, "form": form}, status=400)
        context = {"event": event, "signup": result.signup, "again": not result.created}
        return render(request, "outreach/signup_done.html", context)
    return render(request, "outreach/signup.html", {"event": event, "form": form})


class _View:
    """What the throttles read of a view: the event code in its URL (the DRF view's `kwargs`)."""

    def __init__(self, code: str) -> None:
        self.kwargs = {"code": code}


# --- office --------------------------------------------------------------------------------------------


def _event(request: HttpRequest, code: str) -> Event:
    try:
        return selectors.event_get(user=request.user, code=code, scope=scope_of(request))
    except NotInScope as exc:
        raise Http404 from exc


@permission_required(Perm.OUTREACH_READ)
def event_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    rows, errors = filter_rows(
        EventFilter, request.GET, selectors.event_list(user=request.user, scope=scope), request=request
    )
    context = {
        "events": rows[:LISTED],
        "filters": {k: request.GET.get(k, "") for k in ("region", "audience", "status", "month", "q")},
        "audiences": EventFilter.base_filters["audience"].extra["choices"],
        "statuses": Event.Status.choices,
        "list_errors": page_errors(EventFilter, errors),
        "by_audience": funnel.funnel_by(user=request.user, scope=scope, by="audience"),
        "may_write": may(scope, Perm.OUTREACH_WRITE),
    }
    return render(request, "outreach/list.html", context, status=400 if errors else 200)


@permission_required(Perm.OUTREACH_READ)
def funnel_page(request: HttpRequest) -> HttpResponse:
    by = request.GET.get("by", "event")
    if by not in funnel.GROUPS:
        by = "event"
    rows = funnel.funnel_by(user=request.user, scope=scope_of(request), by=by)
    groups = [
        ("event", _("event")),
        ("partner", _("partner agency")),
        ("staff", _("staff member")),
        ("month", _("month")),
        ("audience", _("audience")),
    ]
    return render(request, "outreach/funnel.html", {"rows": rows, "by": by, "groups": groups})


def _partners(request: HttpRequest) -> list[tuple[int, str]]:
    return list(PartnerAgency.objects.filter(scope_of(request).agencies()).values_list("pk", "name"))


def _event_form_page(request: HttpRequest, event: Event | None) -> HttpResponse:
    initial = (
        {
            "name": event.name,
            "place": event.place,
            "region": event.region_id,
            "date": event.date,
            "audience": event.audience,
            "partner": event.partner_id,
            "status": event.status,
        }
        if event
        else {}
    )
    form = EventForm(request.POST or None, initial=initial, partners=_partners(request))
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "partner": form.cleaned_data.get("partner")}
        try:
            if event is None:
                event = event_create(actor=request.user, **data)
                messages.success(request, _("The event was planned. Print its poster from the event page."))
            else:
                event_update(actor=request.user, event=event, **data)
                messages.success(request, _("The event was saved."))
            return redirect("outreach:detail", code=event.code)
        except InvalidInput as exc:
            form.add_service_errors(exc)
    context = {
        "form": form,
        "title": event.name if event else _("New outreach event"),
        "submit": _("Save"),
        "cancel": reverse("outreach:detail", args=[event.code]) if event else reverse("outreach:list"),
    }
    return render(request, "registry/form.html", context, status=400 if form.errors else 200)


@permission_required(Perm.OUTREACH_WRITE)
@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest) -> HttpResponse:
    return _event_form_page(request, None)


@permission_required(Perm.OUTREACH_WRITE)
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, code: str) -> HttpResponse:
    return _event_form_page(request, _event(request, code))


def _sponsors(request: HttpRequest) -> list[tuple[int, str]]:
    return list(sponsors_in_scope(scope_of(request)).order_by("name").values_list("pk", "name"))


@permission_required(Perm.OUTREACH_READ)
def event_detail(
    request: HttpRequest,
    code: str,
    convert_form: ConvertForm | None = None,
    result: Any = None,
    status: int = 200,
) -> HttpResponse:
    scope = scope_of(request)
    event = _event(request, code)
    signups = selectors.signups_of(user=request.user, event=event, scope=scope)
    rows = [(s, selectors.nik_shown(scope, s.nik)) for s in signups[:LISTED]]
    may_convert = may(scope, Perm.OUTREACH_CONVERT)
    context = {
        "event": event,
        "rows": rows,
        "counts": selectors.signup_counts(event),
        "funnel_rows": [funnel.event_funnel(event=event)],
        "may_write": may(scope, Perm.OUTREACH_WRITE),
        "may_convert": may_convert,
        "convert_form": convert_form or (ConvertForm(sponsors=_sponsors(request)) if may_convert else None),
        "result": result,
    }
    return render(request, "outreach/detail.html", context, status=status)


@permission_required(Perm.OUTREACH_CONVERT)
@require_http_methods(["POST"])
def event_convert(request: HttpRequest, code: str) -> HttpResponse:
    event = _event(request, code)
    form = ConvertForm(request.POST, sponsors=_sponsors(request))
    if not form.is_valid():
        return event_detail(request, code, convert_form=form, status=400)
    try:
        result = signups_convert(
            actor=request.user,
            event=event,
            payer=form.cleaned_data["payer"],
            sponsor=form.cleaned_data.get("sponsor"),
            start_date=form.cleaned_data.get("start_date"),
        )
    except InvalidInput as exc:
        for error in exc.errors:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        return event_detail(request, code, convert_form=form, status=400)
    messages.success(request, _("%(n)s sign-ups became memberships.") % {"n": result.converted})
    return event_detail(request, code, result=result)


@permission_required(Perm.OUTREACH_WRITE)
@require_http_methods(["GET", "POST"])
def event_paper(request: HttpRequest, code: str) -> HttpResponse:
    """A paper sign-up typed in by the office (a NIK that breaks the rules is kept, flagged)."""
    event = _event(request, code)
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        form.is_valid()
        try:
            result = signup_record_paper(actor=request.user, event=event, data=form.service_data())
        except InvalidInput as exc:
            form.add_service_errors(exc)
        else:
            if result.signup.nik_valid:
                messages.success(
                    request, _("The sign-up was recorded: %(ref)s.") % {"ref": result.signup.reference}
                )
            else:
                messages.warning(
                    request,
                    _("The sign-up was recorded with a NIK that fails the rules: call the worker back."),
                )
            return redirect("outreach:detail", code=event.code)
    context = {
        "form": form,
        "title": _("Paper sign-up for %(name)s") % {"name": event.name},
        "submit": _("Save"),
        "cancel": reverse("outreach:detail", args=[event.code]),
    }
    return render(request, "registry/form.html", context, status=400 if form.errors else 200)


@permission_required(Perm.OUTREACH_READ)
def event_poster(request: HttpRequest, code: str) -> HttpResponse:
    event = _event(request, code)
    response = HttpResponse(poster_pdf(event, signup_url(request, event)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="poster-{event.code}.pdf"'
    return response


@permission_required(Perm.OUTREACH_READ)
def coverage_panel(request: HttpRequest) -> HttpResponse:
    """The funnel by audience, for the coverage dashboard's panel (htmx)."""
    rows = funnel.funnel_by(user=request.user, scope=scope_of(request), by="audience")
    return render(request, "outreach/partials/funnel_table.html", {"rows": rows})
