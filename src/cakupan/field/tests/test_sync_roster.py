"""The field sync decides enrolments as a roster does (issue 17): one decision set, queries per chunk."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cakupan.enrolment.models import LinkReview, RosterImport
from cakupan.enrolment.reasons import REASONS
from cakupan.field.models import SyncItem
from cakupan.field.services.sync import batch_sync
from cakupan.field.tests.conftest import enrolment
from cakupan.registry.models import Membership


def test_enrolments_are_one_self_paid_roster_import(world: Any, agent: Any) -> None:
    items = [enrolment(70), enrolment(71, declared_income="banyak"), enrolment(72)]
    result = batch_sync(actor=agent.user, device="hp", items=items)
    assert [i["outcome"] for i in result.items] == ["accepted", "rejected", "accepted"]
    record = RosterImport.objects.get()
    assert (record.target_kind, record.segment, record.imported, record.uploader) == (
        "self",
        "BPU",
        2,
        agent.user,
    )
    kept = SyncItem.objects.get(client_id=items[0]["client_id"])
    assert kept.membership is not None
    assert (kept.membership.payer_kind, kept.membership.sponsor_id) == ("self", None)
    assert kept.person == kept.membership.person
    assert kept.occupation == "petani"


def test_a_stranger_named_with_other_data_is_held_for_the_branch(world: Any, agent: Any) -> None:
    """The registered operator's NIK with another name: not linked to the agent, filed for the branch; the
    phone is told so."""
    operator = world.operator
    item = enrolment(
        73,
        nik=operator.nik,
        full_name="Orang Lain",
        birth_date=operator.birth_date.isoformat(),
        sex=operator.sex,
    )
    with translation.override("en"):
        result = batch_sync(actor=agent.user, device="hp", items=[item])
    assert result.rejected == [
        {"client_id": item["client_id"], "errors": [{"field": "nik", "message": REASONS["link_review"][2]}]}
    ]
    review = LinkReview.objects.get()
    assert (review.person, review.self_paid, review.region) == (operator, True, "35.07.01")
    kept = SyncItem.objects.get(client_id=item["client_id"])
    assert (kept.outcome, kept.person_id, kept.membership_id) == ("rejected", None, None)
    assert not Membership.objects.filter(person=operator, segment="BPU").exists()


def _queries(agent: Any, serials: range) -> int:
    items = [enrolment(s) for s in serials]
    with CaptureQueriesContext(connection) as captured:
        result = batch_sync(actor=agent.user, device="hp", items=items)
    assert result.accepted == len(items)
    return len(captured.captured_queries)


def test_a_batch_costs_the_same_queries_whatever_its_size(world: Any, agent: Any) -> None:
    _queries(agent, range(90, 91))  # the device registered: later batches only mark it seen
    assert _queries(agent, range(100, 105)) == _queries(agent, range(200, 250))
