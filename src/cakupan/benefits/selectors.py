"""Reads of claims and notifications, always through the user's scope: a claim is visible exactly when
its person is (registry.selectors.person_list: a worker their own, employer HR its workers, a sponsor
the persons it pays for, an agency or branch its region)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet

from cakupan.accounts.scope import Scope, scope_for
from cakupan.benefits.models import Claim, Notification
from cakupan.core.errors import NotInScope
from cakupan.registry.selectors import audience, person_list


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
