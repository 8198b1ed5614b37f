"""The worker's own record: what their home shows (card, JHT balance estimate, claims, the latest month)
and their own page (contributions month by month, the JHT estimate with the returns credited, JP months).

Reads only: each part comes from its app's selectors, scoped to the worker's own person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cakupan.accounts.access import permission_required, scope_of, ui_flags
from cakupan.accounts.permissions import Perm
from cakupan.accounts.scope import Scope
from cakupan.benefits.models import ClaimStatus
from cakupan.benefits.selectors import claim_list
from cakupan.cards import selectors as cards
from cakupan.contributions.selectors_history import History, MonthLine, contribution_history
from cakupan.contributions.services.payments import today
from cakupan.core.errors import NotInScope
from cakupan.registry.models import Person
from cakupan.registry.selectors import membership_list, person_get
from cakupan.rules.benefits.tables import default_tables
from cakupan.sponsorship.selectors_endings import member_messages


@dataclass(frozen=True)
class OwnSummary:
    history: History
    card_status: str  # cards.CardStatus: the status a card would show today
    card_status_label: str
    card_issued: bool
    claims_open: int
    latest: MonthLine | None  # the newest month billed
    has_jht: bool  # enrolled in JHT now or before: otherwise there is no balance to estimate


def own_summary(*, user: Any, scope: Scope, person: Person) -> OwnSummary:
    history = contribution_history(user=user, person_id=person.pk, scope=scope)
    lines = cards.memberships_today(person_id=person.pk)
    status = cards.overall_status(lines)
    claims = claim_list(user=user, scope=scope).filter(
        status__in=[ClaimStatus.SUBMITTED, ClaimStatus.VERIFIED, ClaimStatus.APPROVED]
    )
    return OwnSummary(
        history=history,
        card_status=status,
        card_status_label=str(cards.STATUS_LABELS[cards.CardStatus(status)]),
        card_issued=cards.card_current(person=person) is not None,
        claims_open=claims.count(),
        latest=history.lines[0] if history.lines else None,
        has_jht=membership_list(user=user, scope=scope).filter(jht=True).exists(),
    )


def _months(history: History) -> list[dict[str, Any]]:
    """The lines grouped by month (newest first), with the month's total and whether all of it is paid."""
    months: dict[str, dict[str, Any]] = {}
    for line in history.lines:
        month = months.setdefault(line.period, {"period": line.period, "lines": [], "amount": 0})
        month["lines"].append(line)
        month["amount"] += line.amount
    return list(months.values())


@permission_required(Perm.OWN_RECORD)
def own_page(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if scope.person_id is None:
        raise Http404
    try:
        person = person_get(user=request.user, pk=scope.person_id)
        summary = own_summary(user=request.user, scope=scope, person=person)
    except NotInScope as exc:
        raise Http404 from exc
    pension = default_tables().version("jp", today())
    context = {
        "scope": scope,
        "ui": ui_flags(scope),
        "person": person,
        "own": summary,
        "months": _months(summary.history),
        "jp_minimum": pension.cited("min_months_for_pension").value if pension else None,
        "memberships": membership_list(user=request.user, scope=scope).select_related("employer", "sponsor"),
        "cover_messages": member_messages(person_id=person.pk),  # e.g. now self-paid after a sponsor's end
    }
    return render(request, "web/own_record.html", context)
