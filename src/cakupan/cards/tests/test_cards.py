"""Issuing, verifying and revoking cards: the services, the token checks and who may do what."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import signing
from django.utils import timezone

from cakupan.accounts.permissions import SYSTEM
from cakupan.cards import selectors
from cakupan.cards.models import MembershipCard
from cakupan.cards.selectors import Outcome, card_verify, initials
from cakupan.cards.services import card_issue, card_issue_by_nik, card_revoke
from cakupan.cards.tokens import SALT, token_read, token_sign
from cakupan.core.errors import Forbidden, InvalidInput, NotInScope
from cakupan.core.models import AuditEvent
from cakupan.registry import services as registry
from cakupan.registry.models import Membership


def test_issue_and_verify_round_trip(world: Any, django_assert_num_queries: Any) -> None:
    card, token = card_issue(actor=world.worker_user, person_id=world.nurse.pk)

    with django_assert_num_queries(2):  # the card (with its person), then the memberships
        result = card_verify(token)
    assert result.outcome == Outcome.VALID
    assert result.initials == "N. C."  # Ners Contoh
    assert result.status == "active"
    assert result.issued_on == timezone.localdate(card.issued_at)
    nurse_membership = Membership.objects.get(person=world.nurse)
    (line,) = result.memberships
    assert line.kpj == nurse_membership.kpj
    assert [str(p) for p in line.programmes] == [  # the tests run in Bahasa Indonesia, as the site does
        "jaminan kecelakaan kerja (JKK)",
        "jaminan kematian (JKM)",
        "jaminan hari tua (JHT)",
        "jaminan pensiun (JP)",
        "jaminan kehilangan pekerjaan (JKP)",
    ]
    # What is kept is the digest, and the event names ids only (no name, no NIK).
    assert card.token_digest
    assert token not in card.token_digest
    event = AuditEvent.objects.get(action="card_issue")
    assert event.actor == world.worker_user
    assert event.entity_id == str(card.pk)
    assert world.nurse.nik not in str(event.changes)
    assert world.nurse.full_name not in str(event.changes)


def test_token_is_compact_and_names_no_person(world: Any) -> None:
    card, token = card_issue(actor=world.admin, person_id=world.driver.pk)
    assert len(token) < 80  # fits a version 6 QR code with the URL
    claim = token_read(token)
    assert claim is not None
    assert claim.card_id == card.pk
    # The payload is readable by anyone (signed, not encrypted): it holds the card id and date, no person.
    payload = signing.b64_decode(token.split(":")[0].encode()).decode()
    assert payload == f'[{card.pk},"{timezone.localdate(card.issued_at):%Y%m%d}"]'


def test_initials() -> None:
    assert initials("Budi Santoso") == "B. S."
    assert initials("siti  nurhaliza binti ahmad") == "S. N. B. A."
    assert initials("Sukarno") == "S."
    assert initials("Dr. Ahmad") == "D. A."
    assert initials("") == "–"


def _forgeries(card: MembershipCard, token: str) -> dict[str, str]:
    payload, signature = token.rsplit(":", 1)
    day = timezone.localdate(card.issued_at)
    other_payload = signing.Signer(salt=SALT).sign_object([card.pk + 1, day.strftime("%Y%m%d")]).split(":")[0]
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    return {
        "altered payload": f"{other_payload}:{signature}",
        "altered signature": f"{payload}:{flipped}",
        "truncated": token[:-5],
        "wrong salt": signing.Signer(salt="cakupan.other").sign_object([card.pk, day.strftime("%Y%m%d")]),
        "dumps without salt": signing.dumps([card.pk, day.strftime("%Y%m%d")]),
        "garbage": "not-a-card",
        "colons": "a:b:c:",
        "empty": "",
        "long": "A" * 5000,
        "unicode": "kartu✓:ß",
    }


def test_forged_tokens_are_refused_without_a_query(world: Any, django_assert_num_queries: Any) -> None:
    card, token = card_issue(actor=world.admin, person_id=world.nurse.pk)
    for name, forged in _forgeries(card, token).items():
        with django_assert_num_queries(0):
            assert card_verify(forged).outcome == Outcome.UNKNOWN, name


def test_a_signed_token_must_match_the_recorded_card(world: Any) -> None:
    card, _token = card_issue(actor=world.admin, person_id=world.nurse.pk)
    # Signed with our key and salt, but not a token we issued: another date, a card that does not exist.
    other_day = token_sign(card_id=card.pk, issued_on=dt.date(2020, 1, 1))
    assert card_verify(other_day).outcome == Outcome.UNKNOWN
    assert (
        card_verify(token_sign(card_id=card.pk + 1000, issued_on=dt.date.today())).outcome == Outcome.UNKNOWN
    )


def test_reissue_revokes_the_earlier_card(world: Any) -> None:
    first, first_token = card_issue(actor=world.worker_user, person_id=world.nurse.pk)
    second, second_token = card_issue(actor=world.worker_user, person_id=world.nurse.pk)
    first.refresh_from_db()
    assert first.revoked
    assert first.revoked_at is not None
    assert card_verify(first_token).outcome == Outcome.REVOKED
    assert card_verify(second_token).outcome == Outcome.VALID
    assert selectors.card_current(person=world.nurse) == second

    assert card_revoke(actor=world.worker_user, person_id=world.nurse.pk) == 1
    assert card_verify(second_token).outcome == Outcome.REVOKED
    assert selectors.card_current(person=world.nurse) is None
    assert card_revoke(actor=world.worker_user, person_id=world.nurse.pk) == 0
    assert AuditEvent.objects.filter(action="card_revoke", entity_id=str(second.pk)).count() == 1


def test_status_is_read_today_not_from_the_token(world: Any) -> None:
    _card, token = card_issue(actor=world.admin, person_id=world.driver.pk)
    assert card_verify(token).status == "active"

    Membership.objects.filter(pk=world.driver_membership.pk).update(status=Membership.Status.INACTIVE)
    assert card_verify(token).status == "lapsed"

    Membership.objects.filter(pk=world.driver_membership.pk).update(status=Membership.Status.ACTIVE)
    world.driver_membership.refresh_from_db()
    today = timezone.localdate()
    # An end scheduled for tomorrow: still active today.
    registry.membership_end(
        actor=world.admin, membership=world.driver_membership, end_date=today + dt.timedelta(days=1)
    )
    assert card_verify(token).status == "active"
    # An end date that has come is an end, even before the daily job sets the status.
    Membership.objects.filter(pk=world.driver_membership.pk).update(end_date=today)
    assert card_verify(token).status == "ended"
    world.driver_membership.refresh_from_db()
    registry.membership_end(actor=world.admin, membership=world.driver_membership, end_date=today)
    result = card_verify(token)
    assert result.status == "ended"
    assert result.memberships[0].status == "ended"


def test_active_memberships_come_first(world: Any) -> None:
    # The nurse also held an older BPU membership, ended: the card's KPJ is the active one.
    old = registry.membership_enrol(
        actor=world.admin,
        person=world.nurse,
        segment="BPU",
        programs=["JKK", "JKM"],
        start_date=dt.date(2015, 1, 1),
        payer_kind="self",
        declared_income=1_000_000,
        bpu_sector="other",
    )
    registry.membership_end(actor=world.admin, membership=old, end_date=dt.date(2019, 12, 31))
    card, _token = card_issue(actor=world.admin, person_id=world.nurse.pk)
    face = selectors.card_face(card=card, person=world.nurse)
    assert face.kpj == Membership.objects.get(person=world.nurse, segment="PU").kpj
    assert [line.status for line in face.memberships] == ["active", "ended"]
    assert face.status == "active"


def test_who_may_issue(world: Any) -> None:
    # A worker: their own card only; another person is out of their scope (404, as if not there).
    with pytest.raises(NotInScope):
        card_issue(actor=world.worker_user, person_id=world.driver.pk)
    # A sponsor pays for the driver but does not vouch for a card; nor do employers and agencies.
    for actor in (world.sponsor_user, world.hr_hospital, world.agency_health_malang):
        with pytest.raises(Forbidden):
            card_issue(actor=actor, person_id=world.driver.pk)
        with pytest.raises(Forbidden):
            card_revoke(actor=actor, person_id=world.driver.pk)
    # Branch staff: persons of their area only.
    with pytest.raises(NotInScope):
        card_issue(actor=world.branch_bekasi, person_id=world.driver.pk)
    card, _token = card_issue(actor=world.branch_malang, person_id=world.driver.pk)
    assert card.issued_by == world.branch_malang
    with pytest.raises(Forbidden):
        card_issue(actor=None, person_id=world.driver.pk)
    assert MembershipCard.objects.count() == 1


def test_no_card_without_a_membership(world: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        card_issue(actor=world.admin, person_id=world.operator.pk)
    assert caught.value.errors[0].field == "person"
    assert not MembershipCard.objects.exists()


def test_issue_by_nik_as_system(world: Any) -> None:
    card, _token = card_issue_by_nik(actor=SYSTEM, nik=world.driver.nik)
    assert card.person == world.driver
    assert card.issued_by is None
    for bad in ("123", "", None, "35730" + "x" * 11, "9999999999999999"):
        with pytest.raises(InvalidInput) as caught:
            card_issue_by_nik(actor=SYSTEM, nik=bad)
        assert caught.value.errors[0].field == "nik"
    # A NIK outside the actor's scope is the same answer as an unknown one.
    with pytest.raises(InvalidInput):
        card_issue_by_nik(actor=world.worker_user, nik=world.driver.nik)


def test_a_rotated_key_keeps_printed_cards_valid(world: Any, settings: Any) -> None:
    card, token = card_issue(actor=world.admin, person_id=world.nurse.pk)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "another-key-" + "x" * 50
    assert card_verify(token).outcome == Outcome.VALID  # the old key is a fallback
    # The page cannot sign the old token again: it says to issue a new card instead of showing a bad code.
    assert selectors.card_token(card) is None
    settings.SECRET_KEY_FALLBACKS = []
    assert card_verify(token).outcome == Outcome.UNKNOWN
