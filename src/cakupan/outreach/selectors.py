"""Reads of outreach events and sign-ups, scoped by role (accounts.scope.Scope.events): branch staff see
the events of their office's regions, a partner agency those it co-hosts, the national admin all."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from cakupan.accounts.permissions import Perm, may, require
from cakupan.accounts.scope import Scope, mask_nik, scope_for
from cakupan.core.errors import NotInScope
from cakupan.outreach.models import Event, SignUp


def _scope(user: Any, scope: Scope | None) -> Scope:
    return scope if scope is not None else scope_for(user)


def event_list(*, user: Any, scope: Scope | None = None) -> QuerySet[Event]:
    scope = _scope(user, scope)
    return (
        Event.objects.filter(scope.events())
        .select_related("region", "partner", "staff")
        .annotate(signup_count=Count("signups"))
    )


def event_get(*, user: Any, code: Any, scope: Scope | None = None) -> Event:
    """One event in the user's scope, by its code; NotInScope (404) otherwise."""
    scope = _scope(user, scope)
    if not isinstance(code, str) or not code.isascii() or len(code) > 12:
        raise NotInScope
    event = (
        Event.objects.filter(scope.events(), code=code.upper()).select_related("region", "partner").first()
    )
    if event is None:
        raise NotInScope
    return event


def event_public(*, code: Any) -> Event:
    """The event a poster names, for its public sign-up page: any event not cancelled; 404 otherwise (a
    cancelled event's poster must not collect data nobody will follow up)."""
    if not isinstance(code, str) or not code.isascii() or len(code) > 12:
        raise NotInScope
    event = (
        Event.objects.filter(code=code.upper())
        .exclude(status=Event.Status.CANCELLED)
        .select_related("region")
        .first()
    )
    if event is None:
        raise NotInScope
    return event


def signups_of(*, user: Any, event: Event, scope: Scope | None = None) -> QuerySet[SignUp]:
    scope = _scope(user, scope)
    require(scope, Perm.OUTREACH_READ)
    if not Event.objects.filter(scope.events(), pk=event.pk).exists():
        raise NotInScope
    return SignUp.objects.filter(event=event).select_related("membership").order_by("created_at", "id")


def convertible(event: Event) -> QuerySet[SignUp]:
    """Sign-ups that conversion would take: a valid NIK, not yet turned into a membership."""
    return SignUp.objects.filter(event=event, nik_valid=True, membership__isnull=True)


def nik_shown(scope: Scope, nik: str) -> str:
    """The NIK as the role may read it: the office in full (it calls the worker back and enrols them); a
    partner agency co-hosting the event sees where the NIK was issued, not whose it is."""
    return nik if may(scope, Perm.OUTREACH_CONVERT) else mask_nik(nik)


def signup_counts(event: Event) -> dict[str, int]:
    return SignUp.objects.filter(event=event).aggregate(
        total=Count("pk"),
        valid=Count("pk", filter=Q(nik_valid=True)),
        members=Count("pk", filter=Q(membership__isnull=False)),
        open=Count("pk", filter=Q(nik_valid=True, membership__isnull=True)),
    )
