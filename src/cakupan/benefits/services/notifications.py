"""Telling people a claim moved: an in-app notification, and an e-mail through Django's mail backend
(settings.EMAIL_BACKEND: the console by default, locmem in tests)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils.translation import gettext as _

from cakupan.accounts.models import User
from cakupan.benefits.models import BENEFIT_LABELS, Claim, ClaimStatus, Notification


def recipients(claim: Claim, actor: Any) -> list[User]:
    """Who hears of a change: whoever submitted the claim and the worker's own account, not the actor."""
    users = {
        claim.submitted_by_id,
        *User.objects.filter(person_id=claim.person_id).values_list("pk", flat=True),
    }
    users.discard(getattr(actor, "pk", None))
    return list(User.objects.filter(pk__in=users, is_active=True).order_by("pk"))


def claim_message(claim: Claim) -> str:
    return _("Claim #%(id)s for %(name)s, %(benefit)s: %(status)s.") % {
        "id": claim.pk,
        "name": claim.person.full_name,
        "benefit": BENEFIT_LABELS[claim.benefit],
        "status": ClaimStatus(claim.status).label,
    }


def notifications_create(*, claim: Claim, actor: Any) -> list[Notification]:
    """Inside the service's transaction: the rows exist exactly when the change does."""
    text = claim_message(claim)[:300]
    return Notification.objects.bulk_create(
        Notification(user=user, claim=claim, text=text) for user in recipients(claim, actor)
    )


def notifications_mail(made: Iterable[Notification]) -> int:
    """After the transaction: one e-mail per notified user who has an address."""
    messages = [
        (_("Cakupan: claim update"), n.text, settings.DEFAULT_FROM_EMAIL, [n.user.email])
        for n in made
        if n.user.email
    ]
    return send_mass_mail(messages, fail_silently=True) if messages else 0


def notification_mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read=False)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read=True)
