"""The agreement's lifecycle: draft → signed → active → expiring → ended | renewed, enforced by the service
(and the signature by a database constraint); bad input collected per field with nothing written; every
write audited; only the office writes, and only its own agreements."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from cakupan.core.errors import Forbidden, InvalidInput, NotInScope
from cakupan.core.models import AuditEvent
from cakupan.partners.models import Agreement, AgreementParty, AgreementStatus, Obligation, ObligationMark
from cakupan.partners.services.agreements import (
    agreement_create,
    agreement_transition,
    agreement_update,
    obligation_mark,
)
from cakupan.partners.tests.factories import agency_of, agreement

pytestmark = pytest.mark.django_db


def fields(exc: pytest.ExceptionInfo[InvalidInput]) -> set[str]:
    return {e.field for e in exc.value.errors}


def test_a_draft_walks_the_whole_lifecycle_and_each_step_is_audited(world: Any) -> None:
    draft = agreement(world.branch_malang, signed_on=None, agencies=(agency_of(world.agency_health_malang),))
    assert draft.status == AgreementStatus.DRAFT
    assert draft.branch_office_id == world.malang.pk
    assert [p.kind for p in draft.parties.all()] == ["agency"]
    assert sorted(draft.obligations.values_list("kind", flat=True)) == ["enforcement", "workforce_data"]
    with pytest.raises(InvalidInput) as no_date:
        agreement_transition(actor=world.branch_malang, agreement=draft.pk, status="signed")
    assert fields(no_date) == {"signed_on"}
    for status in ("signed", "active", "expiring", "renewed"):
        agreement_transition(
            actor=world.branch_malang, agreement=draft.pk, status=status, signed_on="2025-01-10"
        )
    draft.refresh_from_db()
    assert draft.status == AgreementStatus.RENEWED
    assert draft.signed_on == dt.date(2025, 1, 10)
    steps = AuditEvent.objects.filter(entity="partners.agreement", entity_id=str(draft.pk))
    assert list(steps.order_by("id").values_list("action", flat=True)) == [
        "create",
        "status",
        "status",
        "status",
        "status",
    ]


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("draft", "active"),
        ("signed", "ended"),
        ("active", "draft"),
        ("ended", "active"),
        ("renewed", "expiring"),
        ("active", "nonsense"),
    ],
)
def test_a_step_the_lifecycle_does_not_allow_is_refused_and_changes_nothing(
    world: Any, start: str, target: str
) -> None:
    found = agreement(world.branch_malang)
    Agreement.objects.filter(pk=found.pk).update(status=start)
    with pytest.raises(InvalidInput) as refused:
        agreement_transition(actor=world.branch_malang, agreement=found.pk, status=target)
    assert fields(refused) == {"status"}
    found.refresh_from_db()
    assert found.status == start


def test_the_database_refuses_a_signed_agreement_without_its_signing_date(world: Any) -> None:
    found = agreement(world.branch_malang)
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.filter(pk=found.pk).update(signed_on=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.filter(pk=found.pk).update(valid_to=found.valid_from)
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementParty.objects.create(agreement=found, kind="agency", name="tanpa instansi")


def test_every_bad_field_is_named_at_once_and_nothing_is_written(world: Any) -> None:
    before = (Agreement.objects.count(), AuditEvent.objects.count())
    with pytest.raises(InvalidInput) as bad:
        agreement_create(
            actor=world.branch_malang,
            number="",
            title="  ",
            region="32.16",  # not served by branch Malang
            valid_from="2025-13-01",
            valid_to="2025-01-01",
            segments=["XYZ"],
            parties=[{"kind": "agency", "id": "999999"}],
            obligations=[{"kind": "karaoke"}],
        )
    assert fields(bad) == {"number", "title", "region", "valid_from", "segments", "parties", "obligations"}
    assert (Agreement.objects.count(), AuditEvent.objects.count()) == before


def test_dates_out_of_order_and_a_number_taken_are_refused(world: Any) -> None:
    agreement(world.branch_malang)
    with pytest.raises(InvalidInput) as bad:
        agreement(
            world.branch_malang,
            valid_from=dt.date(2026, 1, 1),
            valid_to=dt.date(2025, 1, 1),
            signed_on=dt.date(2026, 1, 1),
        )
    assert fields(bad) == {"number", "valid_to", "signed_on"}


def test_only_the_office_writes_and_only_its_own_agreements(world: Any) -> None:
    found = agreement(world.branch_malang)
    with pytest.raises(Forbidden):
        agreement_update(actor=world.agency_health_malang, agreement=found.pk, title="Baru")
    with pytest.raises(NotInScope):
        agreement_update(actor=world.branch_bekasi, agreement=found.pk, title="Baru")
    with pytest.raises(NotInScope):  # another office's agreement cannot be created in its name
        agreement_create(
            actor=world.branch_bekasi,
            branch_office=world.malang.pk,
            number="X",
            title="X",
            region="35.73",
            valid_from="2025-01-01",
            valid_to="2026-01-01",
            parties=[{"kind": "association", "name": "A"}],
        )
    updated = agreement_update(actor=world.admin, agreement=found.pk, title="Judul baru", segments=["BPU"])
    assert (updated.title, updated.segments) == ("Judul baru", ["BPU"])
    event = AuditEvent.objects.filter(entity="partners.agreement", action="update").get()
    assert event.changes["title"] == ["Perluasan cakupan kepesertaan", "Judul baru"]
    with pytest.raises(InvalidInput) as fixed:
        agreement_update(actor=world.admin, agreement=found.pk, number="Y")
    assert fields(fixed) == {"number"}


def test_an_obligation_is_ticked_once_a_month_with_a_note(world: Any) -> None:
    found = agreement(world.branch_malang)
    data = Obligation.objects.get(agreement=found, kind="workforce_data")
    obligation_mark(actor=world.branch_malang, obligation=data.pk, period="2025-03", done=False, note="telat")
    mark = obligation_mark(actor=world.branch_malang, obligation=data.pk, period="2025-03", done=True)
    assert ObligationMark.objects.filter(obligation=data).count() == 1
    assert (mark.done, mark.note) == (True, "")
    with pytest.raises(InvalidInput) as outside:
        obligation_mark(actor=world.branch_malang, obligation=data.pk, period="2024-12", done=True)
    assert fields(outside) == {"period"}
    with pytest.raises(InvalidInput) as bad:
        obligation_mark(actor=world.branch_malang, obligation=data.pk, period="2025-3", done=True)
    assert fields(bad) == {"period"}
    with pytest.raises(NotInScope):
        obligation_mark(actor=world.branch_bekasi, obligation=data.pk, period="2025-03", done=True)
    assert AuditEvent.objects.filter(action="mark").count() == 2
