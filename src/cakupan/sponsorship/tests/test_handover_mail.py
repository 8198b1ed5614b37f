"""A hand-over that waits for the receiving sponsor's acceptance is also told by e-mail (Django's locmem
outbox), in Indonesian, to the receiving sponsor's users and the branch office serving it: the roles the
permission table lets accept (one place). Not the giving sponsor's users, not another regency's office, not a
national administrator or an agency (tied to neither); nothing when the decision is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from cakupan.accounts.models import User
from cakupan.accounts.permissions import Perm
from cakupan.core.errors import InvalidInput
from cakupan.sponsorship.services.endings import cover_endings_decide
from cakupan.sponsorship.services.notify import recipients
from cakupan.sponsorship.tests.factories import apbd_sponsor
from cakupan.sponsorship.tests.test_endings import M, cohort, fund

pytestmark = pytest.mark.django_db


def _addresses(world: Any, giver: Any, receiver: Any) -> None:
    User.objects.create_user(
        username="lain", password="x", role="sponsor", sponsor=receiver, email="lain@x.id"
    )
    User.objects.create_user(username="asal", password="x", role="sponsor", sponsor=giver, email="asal@x.id")
    for user, email in (
        (world.branch_malang, "staf@malang.example.id"),
        (world.branch_bekasi, "staf@bekasi.example.id"),
        (world.admin, "admin@example.id"),
        (world.agency_health_malang, "dinkes@malang.example.id"),
    ):
        User.objects.filter(pk=user.pk).update(email=email)


def test_a_move_waiting_for_acceptance_is_mailed_in_indonesian(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    giver, _members = cohort(world, 3)
    receiver = apbd_sponsor(world.admin, name="APBD Kota Lain")
    fund(world, receiver, M.shift(1), M.shift(6))
    _addresses(world, giver, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        out = cover_endings_decide(
            actor=world.branch_malang, sponsor=giver, month=str(M), action="move", to_sponsor=receiver.pk
        )
    assert out["state"] == "pending"
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["lain@x.id", "staf@malang.example.id"]
    assert sent.subject == "APBD Kota Lain: 3 peserta yang diserahkan APBD Kota Contoh menunggu persetujuan"
    assert "berakhir" in sent.body
    assert "APBD Kota Contoh" in sent.body
    assert "members" not in sent.body
    assert "accept" not in sent.body.lower()


def test_recipients_follow_the_permission_table(world: Any) -> None:
    giver = apbd_sponsor(world.admin)
    receiver = apbd_sponsor(world.admin, name="APBD Kota Lain")
    _addresses(world, giver, receiver)
    # Runway alerts go to who may read the runway, a hand-over to who may accept: today the same people.
    assert recipients(receiver, Perm.SPONSORSHIP_READ) == ["lain@x.id", "staf@malang.example.id"]
    assert recipients(receiver, Perm.SPONSORSHIP_ACCEPT) == ["lain@x.id", "staf@malang.example.id"]
    # A permission only administrators hold mails no one tied to the sponsor or its office.
    assert recipients(receiver, Perm.SPONSORSHIP_ALERT) == []


def test_a_refused_move_mails_no_one(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    giver, _members = cohort(world, 2)
    receiver = apbd_sponsor(world.admin, name="APBD Kota Lain")  # no funded period for the next month
    _addresses(world, giver, receiver)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput):
        cover_endings_decide(
            actor=world.branch_malang, sponsor=giver, month=str(M), action="move", to_sponsor=receiver.pk
        )
    assert mail.outbox == []
