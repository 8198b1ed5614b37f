"""Writes of membership cards: issue (which replaces the person's earlier card) and revoke.

A worker issues their own card; branch staff and the national admin, a card for a person in their scope;
the command line as SYSTEM (Perm.CARD_ISSUE). Each write is one transaction with one audit event, which
names the card and the person by id only.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.accounts.scope import Scope
from cakupan.cards.models import MembershipCard
from cakupan.cards.tokens import token_digest, token_sign
from cakupan.core.audit import audit_record
from cakupan.core.errors import InvalidInput, NotInScope
from cakupan.registry.models import Membership, Person
from cakupan.registry.nik import nik_normalise
from cakupan.registry.selectors import person_list


def _person_in_scope(actor: Any, scope: Scope, person_id: Any) -> Person:
    person = person_list(user=actor, scope=scope).filter(pk=person_id).first()
    if person is None:
        raise NotInScope
    return person


def _revoke_current(person_id: int) -> list[int]:
    now = timezone.now()
    cards = MembershipCard.objects.select_for_update().filter(person_id=person_id, revoked=False)
    ids = list(cards.values_list("pk", flat=True))
    MembershipCard.objects.filter(pk__in=ids).update(revoked=True, revoked_at=now)
    return ids


@transaction.atomic
def card_issue(*, actor: Any, person_id: Any) -> tuple[MembershipCard, str]:
    """Issue a card for a person who holds (or held) a membership; the earlier card, if any, is revoked.
    Returns the card and its token (the token is not stored, only its digest)."""
    scope = require(actor, Perm.CARD_ISSUE)
    person = _person_in_scope(actor, scope, person_id)
    if not Membership.objects.filter(person=person).exists():
        raise InvalidInput.single(
            "person", _("This person holds no membership: there is nothing to put on a card.")
        )
    # Two issues at once for one person would both revoke nothing and then break the one-valid-card
    # constraint: the person's row is locked first, so the second waits and revokes the first's card.
    list(Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True))
    replaced = _revoke_current(person.pk)
    card = MembershipCard.objects.create(
        person=person,
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
        token_digest="",
    )
    token = token_sign(card_id=card.pk, issued_on=timezone.localdate(card.issued_at))
    card.token_digest = token_digest(token)
    card.save(update_fields=["token_digest"])
    audit_record(
        actor=actor, action="card_issue", instance=card, changes={"person": person.pk, "replaced": replaced}
    )
    return card, token


def card_issue_by_nik(*, actor: Any, nik: Any) -> tuple[MembershipCard, str]:
    """`card_issue` for the person with this NIK (the command line). An unknown NIK, or one outside the
    actor's scope, is the same field error: the answer never says whether someone is registered."""
    scope = require(actor, Perm.CARD_ISSUE)
    digits = nik_normalise(nik)
    if not (digits.isdigit() and len(digits) == 16):
        raise InvalidInput.single("nik", _("A NIK has 16 digits."))
    person = person_list(user=actor, scope=scope).filter(nik=digits).first()
    if person is None:
        raise InvalidInput.single("nik", _("No person with this NIK in your scope."))
    return card_issue(actor=actor, person_id=person.pk)


@transaction.atomic
def card_revoke(*, actor: Any, person_id: Any) -> int:
    """Revoke the person's valid card (lost, or no longer wanted); its verify page then says so. Returns
    how many cards were revoked (0 or 1)."""
    scope = require(actor, Perm.CARD_ISSUE)
    person = _person_in_scope(actor, scope, person_id)
    revoked = _revoke_current(person.pk)
    for card_id in revoked:
        audit_record(actor=actor, action="card_revoke", entity="cards.membershipcard", entity_id=str(card_id))
    return len(revoked)
