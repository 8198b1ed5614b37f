"""Reads of membership cards: a person's current card, what it shows, and the public verification.

The status a card shows is read from the membership rows on the day it is looked at, never from the
token: a card printed while active says "ended" once the membership has ended.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote

from django.conf import settings
from django.db.models import Case, CharField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cakupan.cards.models import MembershipCard
from cakupan.cards.tokens import token_digest, token_read, token_sign
from cakupan.registry.models import Membership, Person, Program, Segment
from cakupan.registry.services.memberships import ended_by


class CardStatus(StrEnum):
    ACTIVE = "active"
    LAPSED = "lapsed"  # non-active: the membership stands but is not in force (e.g. contributions stopped)
    ENDED = "ended"


STATUS_LABELS: dict[str, Promise] = {
    CardStatus.ACTIVE: _("active"),
    CardStatus.LAPSED: _("lapsed"),
    CardStatus.ENDED: _("ended"),
}
_ORDER = {CardStatus.ACTIVE: 0, CardStatus.LAPSED: 1, CardStatus.ENDED: 2}


@dataclass(frozen=True)
class MembershipLine:
    kpj: str
    segment: Promise | str
    programmes: tuple[Promise | str, ...]  # the labels, in the order JKK, JKM, JHT, JP, JKP
    status: str
    start_date: dt.date
    end_date: dt.date | None

    @property
    def status_label(self) -> Promise:
        return STATUS_LABELS[self.status]


def status_today(day: dt.date) -> Case:
    """The status of each membership on `day`, in SQL: ended (by its status or by the one rule for an end
    date, registry.services.memberships.ended_by), lapsed (non-active) or active."""
    return Case(
        When(Q(status=Membership.Status.ENDED) | ended_by(day), then=Value(CardStatus.ENDED.value)),
        When(status=Membership.Status.INACTIVE, then=Value(CardStatus.LAPSED.value)),
        default=Value(CardStatus.ACTIVE.value),
        output_field=CharField(),
    )


def memberships_today(*, person_id: int, day: dt.date | None = None) -> list[MembershipLine]:
    """The person's memberships as they stand on `day` (today): active first, then lapsed, then ended,
    newest first within each. One query."""
    day = day or timezone.localdate()
    rows = (
        Membership.objects.filter(person_id=person_id)
        .annotate(today=status_today(day))
        .values("kpj", "segment", *Membership.PROGRAM_FIELDS, "start_date", "end_date", "today")
    )
    lines = [
        MembershipLine(
            kpj=row["kpj"],
            segment=Segment(row["segment"]).label,
            programmes=tuple(Program(f.upper()).label for f in Membership.PROGRAM_FIELDS if row[f]),
            status=row["today"],
            start_date=row["start_date"],
            end_date=row["end_date"],
        )
        for row in rows
    ]
    lines.sort(key=lambda line: (-line.start_date.toordinal(), line.kpj))
    lines.sort(key=lambda line: _ORDER[CardStatus(line.status)])
    return lines


def overall_status(lines: list[MembershipLine]) -> str:
    """Active when any membership is; else lapsed when any is; else ended (also with none at all)."""
    return lines[0].status if lines else CardStatus.ENDED.value


def initials(full_name: str) -> str:
    """ "Budi Santoso" -> "B. S.": each word's first letter. Letters with full stops rather than "B*** S***":
    the way Indonesian documents abbreviate names, read aloud by a screen reader as letters (asterisks are
    read as "star"), and it says nothing about how long each word is."""
    letters = [word[0].upper() for word in full_name.replace(".", " ").split() if word[:1].isalpha()]
    return " ".join(f"{letter}." for letter in letters) or "–"


def verify_url(token: str) -> str:
    """The public URL of the verify page for a token, on CAKUPAN_PUBLIC_URL (the address people reach)."""
    base = str(settings.CAKUPAN_PUBLIC_URL).rstrip("/")
    return base + reverse("cards:verify", kwargs={"token": quote(token, safe=":")})


def card_token(card: MembershipCard) -> str | None:
    """The token of a card, signed again (signing is deterministic). None when it no longer matches the
    digest recorded at issue, i.e. the secret key was rotated since: such a card must be issued again."""
    token = token_sign(card_id=card.pk, issued_on=timezone.localdate(card.issued_at))
    return token if hmac.compare_digest(token_digest(token), card.token_digest) else None


def card_current(*, person: Person) -> MembershipCard | None:
    """The person's valid card (at most one, by a constraint). `person` comes from a scoped selector."""
    return MembershipCard.objects.filter(person=person, revoked=False).first()


@dataclass(frozen=True)
class CardFace:
    """What a card shows its holder (on screen and in the PDF): the full name, never the NIK."""

    card: MembershipCard
    full_name: str
    token: str | None
    url: str | None
    memberships: list[MembershipLine]
    status: str

    @property
    def issued_on(self) -> dt.date:
        return timezone.localdate(self.card.issued_at)

    @property
    def kpj(self) -> str:
        return self.memberships[0].kpj if self.memberships else ""

    @property
    def status_label(self) -> Promise:
        return STATUS_LABELS[self.status]


def card_face(*, card: MembershipCard, person: Person) -> CardFace:
    token = card_token(card)
    lines = memberships_today(person_id=person.pk)
    return CardFace(
        card=card,
        full_name=person.full_name,
        token=token,
        url=verify_url(token) if token else None,
        memberships=lines,
        status=overall_status(lines),
    )


class Outcome(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    UNKNOWN = "unknown"  # forged, altered, truncated, or a card that does not exist


@dataclass(frozen=True)
class Verification:
    """What the public verify page may show: initials, KPJ, programmes, status today, the card's date.
    Never the NIK, the birth date or the address (the page is public, the token is printed)."""

    outcome: Outcome
    initials: str = ""
    issued_on: dt.date | None = None
    memberships: tuple[MembershipLine, ...] = ()
    status: str = ""

    @property
    def status_label(self) -> Promise | str:
        return STATUS_LABELS[self.status] if self.status else ""


def card_verify(token: str) -> Verification:
    """The card a token proves, as it stands today. The signature is checked before any query, so a
    forged token costs no database work; a signed token must also match the card's digest and date."""
    claim = token_read(token)
    if claim is None:
        return Verification(Outcome.UNKNOWN)
    card = MembershipCard.objects.select_related("person").filter(pk=claim.card_id).first()
    if (
        card is None
        or not hmac.compare_digest(token_digest(token), card.token_digest)
        or timezone.localdate(card.issued_at) != claim.issued_on
    ):
        return Verification(Outcome.UNKNOWN)
    if card.revoked:
        return Verification(Outcome.REVOKED, issued_on=claim.issued_on)
    lines = memberships_today(person_id=card.person_id)
    return Verification(
        Outcome.VALID,
        initials=initials(card.person.full_name),
        issued_on=claim.issued_on,
        memberships=tuple(lines),
        status=overall_status(lines),
    )
