"""The claim workflow against a real database: four eyes, scope, rejection, notifications and mail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import translation

from cakupan.accounts.models import Role, User
from cakupan.benefits import selectors
from cakupan.benefits.models import Claim, ClaimEvent, Notification
from cakupan.benefits.services import claim_approve, claim_pay, claim_reject, claim_submit, claim_verify
from cakupan.core.errors import Forbidden, InvalidInput, NotInScope
from cakupan.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Any:
    # The messages asserted below are the English msgids; the default language is Bahasa Indonesia.
    with translation.override("en"):
        yield


def staff(world: Any, name: str) -> User:
    return User.objects.create_user(
        username=name, password="pw", role=Role.BRANCH_STAFF, branch_office=world.malang, email=f"{name}@x.id"
    )


def jkm_claim(world: Any, actor: Any = None, **extra: Any) -> Claim:
    return claim_submit(
        actor=actor or world.worker_user,
        person=world.nurse.pk,
        benefit="JKM",
        event_date=dt.date(2024, 6, 1),
        claimant_kind="worker" if actor is None else "heir",
        details={"children": 2},
        **extra,
    )


def all_docs(claim: Claim) -> list[int]:
    return list(claim.documents.values_list("pk", flat=True))


def test_submit_assesses_from_the_data_with_checklist_and_timeline(world: Any) -> None:
    claim = jkm_claim(world, actor=world.branch_malang)
    assert claim.status == "submitted"
    assert claim.assessment["eligible"] is True
    assert claim.assessed_total == 42_000_000
    assert [c["name"] for c in claim.assessment["components"]] == ["lump_sum", "periodic", "funeral"]
    assert claim.eligibility["decision"] == "eligible"
    names = list(claim.documents.values_list("name", flat=True))
    assert names == claim.assessment["documents"]
    assert len(names) >= 3
    assert ClaimEvent.objects.filter(claim=claim, status="submitted").count() == 1
    assert AuditEvent.objects.filter(action="claim_submitted", entity_id=str(claim.pk)).exists()


def test_full_workflow_four_eyes_notifications_and_mail(world: Any) -> None:
    world.worker_user.email = "ners@contoh.id"
    world.worker_user.save()
    submitter, verifier, approver = world.branch_malang, staff(world, "verif"), staff(world, "approver")
    claim = jkm_claim(world, actor=submitter)
    mail.outbox.clear()
    with pytest.raises(InvalidInput, match="documents_received"):
        claim_verify(actor=verifier, claim=claim, documents_received=all_docs(claim)[:-1])
    claim = claim_verify(actor=verifier, claim=claim, documents_received=all_docs(claim))
    assert claim.status == "verified"
    assert not claim.documents.filter(received=False).exists()
    # Neither the submitter nor the verifier may approve.
    for actor in (submitter, verifier):
        with pytest.raises(InvalidInput, match="neither submitted nor verified"):
            claim_approve(actor=actor, claim=claim)
    assert Claim.objects.get(pk=claim.pk).status == "verified"
    claim = claim_approve(actor=approver, claim=claim)
    assert claim.status == "approved"
    assert claim.decided_by == approver
    claim = claim_pay(
        actor=approver, claim=claim, payment_reference="TRF-001", paid_on=dt.date.today().isoformat()
    )
    assert (claim.status, claim.payment_reference) == ("paid", "TRF-001")
    steps = list(ClaimEvent.objects.filter(claim=claim).values_list("status", flat=True))
    assert steps == ["submitted", "verified", "approved", "paid"]
    audited = set(
        AuditEvent.objects.filter(entity_id=str(claim.pk), entity="benefits.claim").values_list(
            "action", flat=True
        )
    )
    assert audited == {"claim_submitted", "claim_verified", "claim_approved", "claim_paid"}
    # The worker (own account) heard of every step after submission, in the app and by e-mail.
    texts = list(Notification.objects.filter(user=world.worker_user).values_list("text", flat=True))
    assert len(texts) == 4
    assert all(f"#{claim.pk}" in t for t in texts)
    assert len(mail.outbox) == 3
    assert all(m.to == ["ners@contoh.id"] for m in mail.outbox)
    assert f"#{claim.pk}" in mail.outbox[-1].body


def test_worker_submitter_cannot_approve_and_four_eyes_is_a_database_rule(world: Any) -> None:
    claim = jkm_claim(world)
    claim = claim_verify(actor=world.branch_malang, claim=claim, documents_received=all_docs(claim))
    with pytest.raises(Forbidden):
        claim_approve(actor=world.worker_user, claim=claim)  # a worker is not office staff
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(status="approved", decided_by=world.branch_malang)


def test_rejected_claim_keeps_reasons(world: Any) -> None:
    claim = claim_submit(
        actor=world.branch_malang,
        person=world.nurse.pk,
        benefit="JKM",
        event_date=dt.date(2019, 6, 1),  # before the membership started (2020)
        claimant_kind="heir",
        claimant_name="Ahli Waris",
    )
    assert claim.eligibility["decision"] == "not_eligible"
    assert claim.assessed_total == 0
    assert any("No membership" in r for r in claim.reasons)
    with pytest.raises(InvalidInput, match="reasons"):
        claim_reject(actor=world.admin, claim=claim, reasons=["  "])
    claim = claim_verify(actor=world.admin, claim=claim, documents_received=all_docs(claim))
    with pytest.raises(InvalidInput, match="not eligible"):
        claim_approve(actor=staff(world, "s2"), claim=claim)
    claim = claim_reject(actor=world.admin, claim=claim, reasons=["Not a member on the day of death."])
    assert claim.status == "rejected"
    assert "Not a member on the day of death." in claim.reasons
    with pytest.raises(InvalidInput, match="status"):
        claim_pay(actor=world.admin, claim=claim, payment_reference="X", paid_on=dt.date.today())


def test_scope_of_reading_and_deciding(world: Any) -> None:
    nurse_claim = jkm_claim(world)  # Kota Malang, the hospital's worker
    visible = {
        world.admin: True,
        world.branch_malang: True,
        world.branch_bekasi: False,
        world.agency_health_malang: True,
        world.agency_labour_bekasi: False,
        world.hr_hospital: True,
        world.hr_factory: False,
        world.sponsor_user: False,  # the sponsor pays for the driver, not the nurse
        world.worker_user: True,
    }
    for user, sees in visible.items():
        assert selectors.claim_list(user=user).filter(pk=nurse_claim.pk).exists() is sees, user.username
    # Deciding needs office staff in scope: another branch, an agency, a sponsor cannot verify or reject.
    # Roles that never decide are refused as a whole (Forbidden); to office staff of another branch the
    # claim is out of scope, as if it did not exist (NotInScope: 404).
    for user in (world.branch_bekasi, world.agency_health_malang, world.sponsor_user, world.hr_hospital):
        refusal = NotInScope if user is world.branch_bekasi else Forbidden
        with pytest.raises(refusal):
            claim_verify(actor=user, claim=nurse_claim, documents_received=all_docs(nurse_claim))
        with pytest.raises(refusal):
            claim_reject(actor=user, claim=nurse_claim, reasons=["no"])
    assert Claim.objects.get(pk=nurse_claim.pk).status == "submitted"
    # The sponsor sees the claim of the person it pays for, and only that one.
    driver_claim = claim_submit(
        actor=world.branch_malang,
        person=world.driver.pk,
        benefit="JKM",
        event_date=dt.date(2025, 6, 1),
        claimant_kind="heir",
    )
    assert list(selectors.claim_list(user=world.sponsor_user)) == [driver_claim]


def test_submit_input_errors_name_fields_and_write_nothing(world: Any) -> None:
    with pytest.raises(InvalidInput) as exc:
        claim_submit(
            actor=world.worker_user,
            person=world.operator.pk,  # not the worker's own record
            benefit="JKX",
            event_date="2024-02-30",
            claimant_kind="employer",
            details={"colour": "red", "end_reason": "bored"},
        )
    fields = {e.field for e in exc.value.errors}
    assert fields == {
        "person",
        "benefit",
        "event_date",
        "claimant_kind",
        "details.colour",
        "details.end_reason",
    }
    with pytest.raises(Forbidden):  # sponsors follow claims; they do not file them
        claim_submit(
            actor=world.sponsor_user,
            person=world.driver.pk,
            benefit="JKM",
            event_date="2025-06-01",
            claimant_kind="heir",
        )
    assert Claim.objects.count() == 0


def test_calculator_errors_map_to_detail_fields(world: Any) -> None:
    with pytest.raises(InvalidInput) as exc:
        claim_submit(
            actor=world.branch_malang,
            person=world.nurse.pk,
            benefit="JKK_PARTIAL_DISABILITY",
            event_date="2024-06-01",
            claimant_kind="worker",
            details={"disability_percent": 150},
        )
    assert "details.disability_percent" in {e.field for e in exc.value.errors}
    assert Claim.objects.count() == 0


def test_a_second_open_claim_of_the_same_benefit_is_refused(world: Any) -> None:
    first = jkm_claim(world)
    with pytest.raises(InvalidInput) as exc:
        jkm_claim(world, actor=world.branch_malang, claimant_name="Ahli Waris")
    assert [e.field for e in exc.value.errors] == ["benefit"]
    assert str(first.pk) in str(exc.value.errors[0].message)
    assert Claim.objects.count() == 1
    # Another benefit for the same person is a claim of its own.
    other = claim_submit(
        actor=world.worker_user,
        person=world.nurse.pk,
        benefit="JHT",
        event_date=dt.date(2024, 6, 1),
        claimant_kind="worker",
        details={"claim_reason": "RESIGNATION"},
    )
    assert other.benefit == "JHT"
    # The database refuses it too, whoever writes around the service.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            person=first.person,
            benefit="JKM",
            event_date=first.event_date,
            claimant_kind="heir",
            submitted_by=world.admin,
        )
    # Once the first is decided, the benefit can be claimed again.
    claim_reject(actor=world.admin, claim=first, reasons=["Filed in error."])
    assert jkm_claim(world).status == "submitted"
