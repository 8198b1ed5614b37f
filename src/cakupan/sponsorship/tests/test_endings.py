"""Ending sponsored cover well: each action for one member and for a cohort (renew, move once the other
sponsor accepts, convert to self-paid with account, first bill and message, end), bad input refused with
nothing written, constant queries for a cohort, and the 3-month follow-up with the inactivity rule (and the
rule configured otherwise)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cakupan.contributions.models import Bill, BillLine, PayerAccount
from cakupan.contributions.services.billing import billing_run
from cakupan.contributions.services.payments import payment_record
from cakupan.core.errors import Forbidden, InvalidInput, NotInScope
from cakupan.registry.models import Membership
from cakupan.rules.bpu_inactivity import OVERRIDE_ENV, TABLE_PATH
from cakupan.rules.period import Period
from cakupan.sponsorship.models import CoverEnding, MemberMessage
from cakupan.sponsorship.pricing import member_price
from cakupan.sponsorship.selectors_endings import endings_soon, retention
from cakupan.sponsorship.services.endings import (
    cover_endings_apply,
    cover_endings_decide,
    cover_moves_answer,
    endings_due,
)
from cakupan.sponsorship.services.endings_follow import retention_follow
from cakupan.sponsorship.services.funding import funded_period_create
from cakupan.sponsorship.tests.factories import apbd_sponsor, sponsored

pytestmark = pytest.mark.django_db

M = Period.of(timezone.localdate())  # the cohort's last sponsored month: this month


def fund(world: Any, sponsor: Any, first: Period, last: Period, cap: int = 100) -> None:
    funded_period_create(
        actor=world.admin,
        sponsor=sponsor,
        source="apbd_regency",
        document=f"DPA {first}",
        amount=100_000_000,
        first_month=str(first),
        last_month=str(last),
        declared_income=1_000_000,
        member_cap=cap,
    )


def cohort(world: Any, members: int, *, name: str = "APBD Kota Contoh", serial: int = 0) -> Any:
    sponsor = apbd_sponsor(world.admin, name=name)
    fund(world, sponsor, M.shift(-5), M)
    people = [
        sponsored(world.admin, sponsor, serial + i, start=M.shift(-5).first_day) for i in range(members)
    ]
    return sponsor, people


def test_each_action_for_one_member(world: Any) -> None:
    sponsor, members = cohort(world, 4)
    fund(world, sponsor, M.shift(1), M.shift(12))
    other = apbd_sponsor(world.admin, name="APBD Kota Lain")
    fund(world, other, M.shift(1), M.shift(12))
    assert endings_due(sponsor.pk, str(M)).count() == 4
    soon = endings_soon(user=world.branch_malang, sponsor_id=sponsor.pk)
    assert [(row.month, row.due) for row in soon] == [(str(M), 4)]

    def decide(action: str, member: Membership, **extra: Any) -> dict[str, Any]:
        return cover_endings_decide(
            actor=world.branch_malang,
            sponsor=sponsor.pk,
            month=str(M),
            action=action,
            memberships=[member.pk],
            **extra,
        )

    assert decide("renew", members[0])["state"] == "done"
    assert decide("move", members[1], to_sponsor=other.pk)["state"] == "pending"
    decide("convert", members[2])
    decide("end", members[3])
    assert endings_due(sponsor.pk, str(M)).count() == 0
    # End: through membership_end, on the last sponsored day (scheduled while that day is to come).
    ended = Membership.objects.get(pk=members[3].pk)
    assert ended.end_date == M.last_day
    # Convert: an account of their own, a first bill for the next month, a message for their own page.
    converted = members[2]
    account = PayerAccount.objects.get(kind="self", person=converted.person)
    bill = Bill.objects.get(account=account, period=str(M.shift(1)))
    price = member_price(period=str(M.shift(1)), declared_income=1_000_000, jht=False, funding="self")
    assert (bill.amount_due, bill.members) == (price, 1)
    message = MemberMessage.objects.get(person=converted.person)
    assert (message.amount, message.first_month) == (price, str(M.shift(1)))
    assert message.sponsor_name == sponsor.name
    assert message.virtual_account == account.virtual_account
    # Nothing changes payer before the month is over.
    assert Membership.objects.get(pk=converted.pk).sponsor_id == sponsor.pk
    cover_endings_apply(today=M.last_day)
    assert Membership.objects.get(pk=converted.pk).payer_kind == "sponsor"
    # The move waits for the other sponsor; its answer, then the month's turn, moves the member.
    cover_moves_answer(
        actor=world.branch_malang, to_sponsor=other.pk, from_sponsor=sponsor.pk, month=str(M), accept=True
    )
    done = cover_endings_apply(today=M.shift(1).first_day)
    assert done == {"converted": 1, "moved": 1}
    assert Membership.objects.get(pk=members[1].pk).sponsor_id == other.pk
    now_self = Membership.objects.get(pk=converted.pk)
    assert (now_self.payer_kind, now_self.sponsor_id) == ("self", None)
    assert Membership.objects.get(pk=members[0].pk).sponsor_id == sponsor.pk
    # The monthly run of the next month writes the converted member's bill once, at the same amount.
    billing_run(period=str(M.shift(1)))
    assert BillLine.objects.filter(membership=converted, period=str(M.shift(1))).count() == 1
    assert Bill.objects.get(pk=bill.pk).amount_due == price


def test_a_declined_move_is_due_again(world: Any) -> None:
    sponsor, _members = cohort(world, 2)
    other = apbd_sponsor(world.admin, name="APBD Kota Lain")
    fund(world, other, M.shift(1), M.shift(6))
    cover_endings_decide(
        actor=world.branch_malang, sponsor=sponsor, month=str(M), action="move", to_sponsor=other.pk
    )
    assert endings_due(sponsor.pk, str(M)).count() == 0
    cover_moves_answer(
        actor=world.branch_malang, to_sponsor=other.pk, from_sponsor=sponsor.pk, month=str(M), accept=False
    )
    assert endings_due(sponsor.pk, str(M)).count() == 2
    assert cover_endings_apply(today=M.shift(1).first_day) == {"converted": 0, "moved": 0}


def test_bad_input_is_refused_with_nothing_written(world: Any) -> None:
    sponsor, _members = cohort(world, 2)
    before = CoverEnding.objects.count()
    cases = [
        ({"month": "2026-13", "action": "end"}, "month"),
        ({"month": str(M), "action": "pause"}, "action"),
        ({"month": str(M), "action": "renew"}, "action"),  # no next funded period
        ({"month": str(M), "action": "move", "to_sponsor": sponsor.pk}, "to_sponsor"),
        ({"month": str(M), "action": "move", "to_sponsor": 999_999}, "to_sponsor"),
        ({"month": str(M.shift(1)), "action": "end"}, "month"),  # nobody's cover ends then
        ({"month": str(M), "action": "end", "memberships": [world.driver_membership.pk]}, "memberships"),
    ]
    for kwargs, field in cases:
        with pytest.raises(InvalidInput) as caught:
            cover_endings_decide(actor=world.branch_malang, sponsor=sponsor, **kwargs)
        assert field in [e["field"] for e in caught.value.as_dict()["errors"]], kwargs
    assert CoverEnding.objects.count() == before
    # The sponsor's own user may not decide, and another regency's office does not see the sponsor.
    with pytest.raises(Forbidden):
        cover_endings_decide(actor=world.sponsor_user, sponsor=sponsor, month=str(M), action="end")
    with pytest.raises(NotInScope):
        cover_endings_decide(actor=world.branch_bekasi, sponsor=sponsor, month=str(M), action="end")


def test_the_next_period_cap_limits_renewal(world: Any) -> None:
    sponsor, _members = cohort(world, 3)
    fund(world, sponsor, M.shift(1), M.shift(12), cap=2)
    with pytest.raises(InvalidInput):
        cover_endings_decide(actor=world.branch_malang, sponsor=sponsor, month=str(M), action="renew")
    assert not CoverEnding.objects.exists()


@pytest.mark.parametrize("action", ["convert", "end", "renew", "move"])
def test_a_whole_cohort_takes_constant_queries(world: Any, action: str) -> None:
    counts = []
    for size, name in ((2, "APBD Satu"), (7, "APBD Dua")):
        sponsor, _members = cohort(world, size, name=name, serial=100 * size)
        fund(world, sponsor, M.shift(1), M.shift(12))
        other = apbd_sponsor(world.admin, name=f"Penerima {name}")
        fund(world, other, M.shift(1), M.shift(12))
        with CaptureQueriesContext(connection) as queries:
            out = cover_endings_decide(
                actor=world.branch_malang, sponsor=sponsor, month=str(M), action=action, to_sponsor=other.pk
            )
        assert out["members"] == size
        assert CoverEnding.objects.filter(sponsor=sponsor, action=action).count() == size
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1], counts


def _pay(world: Any, person: Any, amount: int) -> None:
    payment_record(
        actor=world.admin,
        account=PayerAccount.objects.get(kind="self", person=person),
        amount=amount,
        paid_on=timezone.localdate().isoformat(),
        reference=f"VA-{person.pk}",
        source="page",
    )


def _three_way_cohort(world: Any) -> tuple[Any, list[Membership]]:
    """The cohort ended 4 months ago: one renewed (sponsor pays on), two converted (one paid), one ended."""
    sponsor = apbd_sponsor(world.admin)
    last = M.shift(-4)
    fund(world, sponsor, M.shift(-10), last)
    fund(world, sponsor, last.shift(1), M.shift(6))
    members = [sponsored(world.admin, sponsor, i, start=M.shift(-10).first_day) for i in range(4)]
    for action, member in zip(("renew", "convert", "convert", "end"), members, strict=True):
        cover_endings_decide(
            actor=world.admin, sponsor=sponsor, month=str(last), action=action, memberships=[member.pk]
        )
    cover_endings_apply(today=last.shift(1).first_day)
    price = member_price(period=str(last.shift(1)), declared_income=1_000_000, jht=False, funding="self")
    _pay(world, members[1].person, price)
    return sponsor, members


def test_retention_three_months_later_with_the_inactivity_rule(world: Any) -> None:
    sponsor, members = _three_way_cohort(world)
    last = M.shift(-4)
    # Before the third month after is over, nothing is recorded.
    assert retention_follow(today=last.shift(3).first_day)["active_3"] == 0
    assert retention_follow(today=M.first_day) == {"active_3": 4, "active_6": 0, "active_12": 0}
    active = dict(CoverEnding.objects.values_list("membership_id", "active_3"))
    # Renewed: still sponsored. Converted and paid one of the last three months: active. Converted and
    # never paid (three unpaid months): non-active. Ended: not covered.
    assert active == {members[0].pk: True, members[1].pk: True, members[2].pk: False, members[3].pk: False}
    report = retention(user=world.branch_malang, sponsor_id=sponsor.pk)
    [row] = report.rows
    assert (row.month, row.members, row.still[3], row.still[6]) == (str(last), 4, (2, 4), None)
    assert row.actions == {"renew": 1, "convert": 2, "end": 1}
    assert report.rule.unpaid_months.value == 3
    assert report.rule.unpaid_months.source.confidence == "medium"
    # A sponsor sees only its own: the CSR's user cannot read this sponsor's retention.
    with pytest.raises(NotInScope):
        retention(user=world.sponsor_user, sponsor_id=sponsor.pk)


def test_the_inactivity_rule_is_configurable(world: Any, tmp_path: Path, monkeypatch: Any) -> None:
    _sponsor, members = _three_way_cohort(world)
    table = tmp_path / "bpu_inactivity.toml"
    table.write_text(TABLE_PATH.read_text().replace("unpaid_months = 3", "unpaid_months = 1"))
    monkeypatch.setenv(OVERRIDE_ENV, str(table))
    retention_follow(today=M.first_day)
    # With one unpaid month enough, the member who paid only the first month is non-active 3 months on.
    assert CoverEnding.objects.get(membership=members[1]).active_3 is False


def test_ends_soon_lists_only_the_months_a_period_ends(world: Any) -> None:
    sponsor, _members = cohort(world, 1)
    assert [r.month for r in endings_soon(user=world.branch_malang, sponsor_id=sponsor.pk, months=3)] == [
        str(M)
    ]
    assert endings_due(sponsor.pk, str(M.shift(1))).count() == 0
    assert dt.date.today() <= M.last_day
