"""The card's token: what the QR code carries, signed so that no one can make or alter a card.

A token is `django.core.signing` over `[card id, issue date]` with a salt of its own (a session or
password-reset signature can never pass for a card), some 65 characters, so the verify URL fits a small
QR code. It names no person: the card row does, and the verify page reads the memberships as they are
that day. Reading a token touches no database; only a token whose signature checks out reaches a query.
"""

from __future__ import annotations

import binascii
import datetime as dt
import hashlib
import zlib
from dataclasses import dataclass

from django.core import signing

SALT = "cakupan.cards.verify"
# A real token is about 65 characters; anything much longer is not one of ours (and is not hashed).
MAX_LENGTH = 200
_DATE = "%Y%m%d"


@dataclass(frozen=True)
class CardClaim:
    """What a token says, once its signature checks out."""

    card_id: int
    issued_on: dt.date


def token_sign(*, card_id: int, issued_on: dt.date) -> str:
    # Signer, not signing.dumps: the issue date is in the payload, a timestamp would only lengthen it.
    return signing.Signer(salt=SALT).sign_object([card_id, issued_on.strftime(_DATE)])


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_read(token: str) -> CardClaim | None:
    """The card a token names, or None for anything not signed by us with this salt (forged, altered,
    truncated, empty, too long)."""
    if not token or len(token) > MAX_LENGTH:
        return None
    try:
        payload = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError, binascii.Error, zlib.error):
        return None
    # The signature is ours, so the shape is too; checked all the same (a token of an older format).
    if not (isinstance(payload, list) and len(payload) == 2):
        return None
    card_id, issued = payload
    if not (isinstance(card_id, int) and card_id > 0 and isinstance(issued, str)):
        return None
    try:
        issued_on = dt.datetime.strptime(issued, _DATE).date()
    except ValueError:
        return None
    return CardClaim(card_id=card_id, issued_on=issued_on)
