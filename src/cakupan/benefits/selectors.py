"""Reads of claims and notifications, always through the user's scope: a claim is visible exactly when
its person is (registry.selectors.person_list: a worker their own, employer HR its workers, a sponsor
the persons it pays for, an agency or branch its region)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.scope import Scope, scope_for
from cakupan.benefits.models import Claim, ClaimEvent, ClaimStatus, Notification
from cakupan.core.errors import NotInScope
from cakupan.registry.models import Person
from cakupan.registry.selectors import audience, person_find, person_list


def claim_list(*, user: Any, scope: Scope | None = None, status: str = "") -> QuerySet[Claim]:
    scope = scope or scope_for(user)
    qs = Claim.objects.select_related("person", "submitted_by")
    if not scope.everything:
        qs = qs.filter(scope.claims(person_list(user=user, scope=scope).values("pk"), audience(scope)))
    return qs.filter(status=status) if status else qs


def claim_get(*, user: Any, pk: Any) -> Claim:
    try:
        return claim_list(user=user).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise NotInScope from exc


def notification_list(*, user: Any) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user=user).select_related("claim")


def claim_person_find(*, user: Any, number: str) -> Person | None:
    """The member a claim is filed for, by the number on their papers: the NIK (16 digits) or the KPJ
    (11 digits), exactly, among the persons the user may see. A name is never enough to file a claim."""
    digits = "".join(number.split())
    if not digits.isdigit() or len(digits) not in (11, 16):
        return None
    return person_find(user=user, query=digits).first()


def claim_person_number(*, user: Any, pk: Any) -> str:
    """The NIK to put in the claim form when it is opened from a person's page (empty when the user may
    not see the person or sees NIKs masked)."""
    scope = scope_for(user)
    if scope.masks_nik:
        return ""
    try:
        found = person_list(user=user, scope=scope).filter(pk=int(pk)).values_list("nik", flat=True).first()
    except (TypeError, ValueError):
        return ""
    return found or ""


@dataclass(frozen=True)
class ClaimStep:
    """One step of a claim's way, for the timeline on its page."""

    status: str
    label: Any
    state: str  # done | current | todo | rejected
    at: dt.datetime | None = None
    note: str = ""


STEP_LABELS = {
    ClaimStatus.SUBMITTED: _("Filed"),
    ClaimStatus.VERIFIED: _("Documents checked"),
    ClaimStatus.APPROVED: _("Approved"),
    ClaimStatus.PAID: _("Paid"),
    ClaimStatus.REJECTED: _("Rejected"),
}
WAY = (ClaimStatus.SUBMITTED, ClaimStatus.VERIFIED, ClaimStatus.APPROVED, ClaimStatus.PAID)


def claim_steps(*, claim: Claim, events: list[ClaimEvent]) -> list[ClaimStep]:
    """Every step of submitted -> verified -> approved -> paid: done (with when), the one the claim waits
    for, or still to come; a rejected claim ends at its rejection."""
    reached = {event.status: event for event in events}
    steps: list[ClaimStep] = []
    for status in WAY:
        event = reached.get(status)
        if event is not None:
            steps.append(ClaimStep(status, STEP_LABELS[status], "done", event.at, event.note))
            continue
        if claim.status == ClaimStatus.REJECTED:
            rejected = reached.get(ClaimStatus.REJECTED)
            at, note = (rejected.at, rejected.note) if rejected else (claim.decided_at, "")
            steps.append(
                ClaimStep(ClaimStatus.REJECTED, STEP_LABELS[ClaimStatus.REJECTED], "rejected", at, note)
            )
            break
        waiting = any(step.state == "current" for step in steps)
        steps.append(ClaimStep(status, STEP_LABELS[status], "todo" if waiting else "current"))
    return steps
