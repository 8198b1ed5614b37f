"""Collections allocated like payments, reconciliation, commission, anomaly flags (issue 17)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cakupan.benefits.models import Claim
from cakupan.contributions.models import Allocation, PayerAccount
from cakupan.contributions.tests.payment_fixtures import bill_make
from cakupan.field.models import Agent, SyncItem
from cakupan.field.selectors_review import (
    early_claims,
    lapse_flags,
    reconciliation,
    repeated_captures,
    statements,
)
from cakupan.field.services.review import deposit_record
from cakupan.field.tests.conftest import approved_agent, collection, enrolment
from cakupan.field.tests.test_sync import send
from cakupan.registry.models import Membership, Person, Sponsor
from cakupan.rules.field import commission_compute, field_tables
from cakupan.rules.period import Period


def _this_month() -> Period:
    return Period.of(timezone.localdate())


def test_collection_allocated_oldest_bill_first(world: Any, agent: Any) -> None:
    item = enrolment(31)
    send(agent.user, [item])
    person = Person.objects.get(nik=item["nik"])
    account = PayerAccount.objects.create(kind="self", person=person, virtual_account="8899000000000031")
    # Created out of order: the collection settles January, then part of February.
    bill_make(account, "2026-02", 16_800)
    bill_make(account, "2026-01", 16_800)
    bill_make(account, "2026-03", 16_800)
    body = send(agent.user, [collection(item["nik"], "KW-31", amount=25_200, months=2)]).json()
    assert body["accepted"] == 1, body
    paid = {a.bill.period: a.amount for a in Allocation.objects.filter(payment__account=account)}
    assert paid == {"2026-01": 16_800, "2026-02": 8_400}


def test_reconciliation_names_the_difference(world: Any, agent: Any, agent2: Any) -> None:
    item = enrolment(32)
    send(agent.user, [item])
    send(agent.user, [collection(item["nik"], "KW-a", amount=50_400, months=3)])
    send(agent.user, [collection(item["nik"], "KW-b", amount=16_800)])
    today = timezone.localdate()
    deposit_record(
        actor=world.branch_malang, agent=agent, amount=50_000, deposited_on=today, reference="SETOR-1"
    )
    rows = {r.agent.pk: r for r in reconciliation(Agent.objects.all(), _this_month())}
    mine = rows[agent.pk]
    assert (mine.collected, mine.deposited, mine.difference, mine.state) == (
        67_200,
        50_000,
        17_200,
        "undeposited",
    )
    assert (rows[agent2.pk].difference, rows[agent2.pk].state) == (0, "balanced")
    deposit_record(
        actor=world.branch_malang, agent=agent, amount=20_000, deposited_on=today, reference="SETOR-2"
    )
    again = {r.agent.pk: r for r in reconciliation(Agent.objects.all(), _this_month())}
    assert (again[agent.pk].difference, again[agent.pk].state) == (-2_800, "over")


def test_reconciliation_query_count_does_not_grow_with_agents(world: Any, agent: Any) -> None:
    with CaptureQueriesContext(connection) as few:
        reconciliation(Agent.objects.all(), _this_month())
    for n in range(5):
        approved_agent(world, f"agen_extra_{n}")
    with CaptureQueriesContext(connection) as many:
        reconciliation(Agent.objects.all(), _this_month())
    assert len(many) == len(few)


def test_commission_hand_computed(world: Any, agent: Any) -> None:
    """Rp1,234,567 collected: 7.5 % = Rp92,592.525, paid Rp92,592 (rounded down); 49 new members: no bonus,
    50: Rp500,000 (field.toml, [M])."""
    tables = field_tables()
    assert commission_compute(collected=1_234_567, new_members=49, tables=tables).total == 92_592
    with_bonus = commission_compute(collected=1_234_567, new_members=50, tables=tables)
    assert (with_bonus.fee, with_bonus.bonus, with_bonus.total) == (92_592, 500_000, 592_592)
    assert with_bonus.confidence == "medium"
    # And over real rows: two members enrolled, Rp33,600 collected -> Rp2,520.
    items = [enrolment(33), enrolment(34)]
    send(agent.user, items)
    send(agent.user, [collection(items[0]["nik"], "KW-c", amount=33_600, months=2)])
    (st,) = statements(Agent.objects.filter(pk=agent.pk), _this_month())
    assert (st.commission.collected, st.commission.new_members, st.commission.fee, st.commission.bonus) == (
        33_600,
        2,
        2_520,
        0,
    )
    data = st.as_dict()
    assert data["rules"]["rate_percent"]["confidence"] == "medium"
    assert "12.4" in data["rules"]["bonus"]["citation"]


def _claim(person: Person, benefit: str, event: dt.date, user: Any) -> Claim:
    # Made directly: the claim services' eligibility rules are not what this test is about.
    return Claim.objects.create(
        person=person, benefit=benefit, event_date=event, claimant_kind="heir", submitted_by=user
    )


def test_early_claims_by_agent_and_by_sponsor(world: Any, agent: Any, agent2: Any) -> None:
    items = [enrolment(35), enrolment(36)]
    send(agent.user, items)
    today = timezone.localdate()
    first = Person.objects.get(nik=items[0]["nik"])
    _claim(first, "JKM", today, world.admin)
    _claim(Person.objects.get(nik=items[1]["nik"]), "JHT", today, world.admin)  # not a JKM/JKK claim
    late = Membership.objects.get(person=world.driver)
    _claim(world.driver, "JKM", today, world.admin)
    flags = early_claims(Agent.objects.all(), Sponsor.objects.all())
    assert [(g.key, g.claims) for g in flags["agents"]] == [(agent, 1)]
    assert flags["sponsors"] == []  # the driver's cover began in May 2025, far more than N months ago
    # A sponsored member whose death came a month after the start is flagged for the sponsor.
    late.start_date = today - dt.timedelta(days=20)
    late.save(update_fields=["start_date"])
    flags = early_claims(Agent.objects.all(), Sponsor.objects.all())
    assert [(g.key, g.claims) for g in flags["sponsors"]] == [(world.sponsor.name, 1)]


def test_lapse_flag(world: Any, agent: Any, agent2: Any) -> None:
    """Five members who each paid once four months ago and never again flag the agent; agent2's members pay
    every month."""
    today = timezone.localdate()
    long_ago = today - dt.timedelta(days=130)
    for who, base in ((agent, 40), (agent2, 50)):
        items = [enrolment(base + i) for i in range(5)]
        send(who.user, items)
        for i, it in enumerate(items):
            when = dt.datetime.combine(long_ago, dt.time(10)).isoformat()
            send(who.user, [collection(it["nik"], f"KW-{base}-{i}", collected_at=when)])
            if who == agent2:
                send(who.user, [collection(it["nik"], f"KW-{base}-{i}-b")])
    flagged = lapse_flags(Agent.objects.all(), today=today)
    assert [(f.agent, f.paying, f.lapsed) for f in flagged] == [(agent, 5, 5)]


def test_repeated_captures(world: Any, agent: Any, agent2: Any) -> None:
    item = enrolment(60)
    send(agent.user, [item])
    send(agent.user, [enrolment(60)])  # the same NIK again, new client_id: refused, still a capture
    send(agent2.user, [enrolment(60)])  # and by another agent: a conflict
    (capture,) = repeated_captures(Agent.objects.all())
    assert (capture.captures, capture.agents) == (3, 2)
    assert "*" in capture.nik_masked
    assert SyncItem.objects.filter(nik=item["nik"]).count() == 3
