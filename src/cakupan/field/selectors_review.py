"""What the branch reads about its agents' money and behaviour (issue 17), each a constant number of
queries whatever the number of agents or members:

- reconciliation: per agent and month, cash collected against cash deposited, the difference named;
- commission statements: 7.5 % of what was collected plus the new-member bonus (rules/field.py, [M]);
- anomaly flags: JKM/JKK claims within N months of enrolment (by agent and by sponsor), agents whose members
  lapse right after the first payment, NIKs captured more than once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, QuerySet, Sum
from django.utils import timezone

from cakupan.accounts.scope import mask_nik
from cakupan.benefits.models import Claim
from cakupan.contributions.models import Payment
from cakupan.field.models import Agent, Collection, Deposit, SyncItem
from cakupan.registry.models import Membership
from cakupan.rules.field import Commission, FieldTables, commission_compute, field_tables
from cakupan.rules.period import Period

# The claims an early-claim flag counts: death and work-accident benefits (issue 17, BPJS Watch 2024).
EARLY_CLAIM_BENEFITS = ("JKM", "JKK_DEATH", "JKK_TOTAL_DISABILITY", "JKK_PARTIAL_DISABILITY", "JKK_STMB")


def month_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The month as aware instants in Jakarta time: [first day 00:00, next month's first day 00:00)."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.first_day, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(period.shift(1).first_day, dt.time(0), tzinfo=tz)
    return start, end


def _collected(agents: QuerySet[Agent], period: Period) -> dict[int, int]:
    start, end = month_bounds(period)
    rows = (
        Collection.objects.filter(agent__in=agents, collected_at__gte=start, collected_at__lt=end)
        .values("agent")
        .annotate(total=Sum("amount"))
    )
    return {r["agent"]: int(r["total"]) for r in rows}


def _new_members(agents: QuerySet[Agent], period: Period) -> dict[int, int]:
    start, end = month_bounds(period)
    rows = (
        SyncItem.objects.filter(
            agent__in=agents,
            kind=SyncItem.Kind.ENROLMENT,
            outcome=SyncItem.Outcome.ACCEPTED,
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("agent")
        .annotate(n=Count("id"))
    )
    return {r["agent"]: int(r["n"]) for r in rows}


@dataclass(frozen=True)
class Reconciliation:
    agent: Agent
    collected: int
    deposited: int

    @property
    def difference(self) -> int:
        return self.collected - self.deposited

    @property
    def state(self) -> str:
        """ "undeposited": cash collected not yet handed in; "over": more deposited than collected (a
        deposit of another month, or a collection not synced yet); "balanced"."""
        if self.difference > 0:
            return "undeposited"
        return "over" if self.difference < 0 else "balanced"


def reconciliation(agents: QuerySet[Agent], period: Period) -> list[Reconciliation]:
    """Each agent's month: three queries for all agents."""
    collected = _collected(agents, period)
    deposited = {
        r["agent"]: int(r["total"])
        for r in Deposit.objects.filter(
            agent__in=agents, deposited_on__gte=period.first_day, deposited_on__lte=period.last_day
        )
        .values("agent")
        .annotate(total=Sum("amount"))
    }
    return [
        Reconciliation(agent=a, collected=collected.get(a.pk, 0), deposited=deposited.get(a.pk, 0))
        for a in agents.select_related("user").order_by("user__username")
    ]


@dataclass(frozen=True)
class Statement:
    agent: Agent
    period: Period
    commission: Commission
    tables: FieldTables

    def as_dict(self) -> dict[str, Any]:
        t = self.tables
        return {
            "agent": self.agent.pk,
            "username": self.agent.user.get_username(),
            "period": str(self.period),
            "collected": self.commission.collected,
            "new_members": self.commission.new_members,
            "fee": self.commission.fee,
            "bonus": self.commission.bonus,
            "total": self.commission.total,
            "confidence": self.commission.confidence,
            "rules": {
                "rate_percent": {"value": str(t.rate.value), **_source(t.rate.source)},
                "bonus": {"value": t.bonus.value, **_source(t.bonus.source)},
                "bonus_new_members": {
                    "value": t.bonus_new_members.value,
                    **_source(t.bonus_new_members.source),
                },
            },
        }


def _source(source: Any) -> dict[str, str]:
    return {"citation": source.citation, "confidence": source.confidence}


def statements(agents: QuerySet[Agent], period: Period) -> list[Statement]:
    """The month's commission of each agent: two queries for all agents (computed, not stored)."""
    tables = field_tables()
    collected = _collected(agents, period)
    new = _new_members(agents, period)
    return [
        Statement(
            agent=a,
            period=period,
            commission=commission_compute(
                collected=collected.get(a.pk, 0), new_members=new.get(a.pk, 0), tables=tables
            ),
            tables=tables,
        )
        for a in agents.select_related("user").order_by("user__username")
    ]


@dataclass
class EarlyClaims:
    key: Any  # an Agent or a sponsor name
    claims: int = 0
    members: set[int] = field(default_factory=set)
    benefits: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _months_after(start: dt.date, months: int) -> dt.date:
    later = Period.of(start).shift(months)
    return later.first_day.replace(day=min(start.day, later.last_day.day))


def early_claims(agents: QuerySet[Agent], sponsor_q: Any) -> dict[str, list[EarlyClaims]]:
    """JKM/JKK claims whose event came within N months (field.toml) of the membership's start, grouped by the
    agent who enrolled the member and by the sponsor paying for them. Two queries."""
    months = field_tables().early_claim_months.value
    by_agent: dict[int, EarlyClaims] = {}
    rows = Claim.objects.filter(
        benefit__in=EARLY_CLAIM_BENEFITS,
        person__field_items__agent__in=agents,
        person__field_items__kind=SyncItem.Kind.ENROLMENT,
        person__field_items__outcome=SyncItem.Outcome.ACCEPTED,
    ).values_list(
        "pk",
        "benefit",
        "event_date",
        "person_id",
        "person__field_items__agent",
        "person__field_items__membership__start_date",
    )
    names = {a.pk: a for a in agents.select_related("user")}
    for _pk, benefit, event, person, agent_id, start in rows:
        if start is None or not (start <= event < _months_after(start, months)):
            continue
        group = by_agent.setdefault(agent_id, EarlyClaims(key=names[agent_id]))
        group.claims += 1
        group.members.add(person)
        group.benefits[benefit] += 1
    by_sponsor: dict[int, EarlyClaims] = {}
    sponsored = Claim.objects.filter(
        benefit__in=EARLY_CLAIM_BENEFITS,
        person__memberships__sponsor__isnull=False,
        person__memberships__sponsor__in=sponsor_q,
    ).values_list(
        "benefit",
        "event_date",
        "person_id",
        "person__memberships__sponsor",
        "person__memberships__sponsor__name",
        "person__memberships__start_date",
    )
    for benefit, event, person, sponsor_id, name, start in sponsored:
        if not (start <= event < _months_after(start, months)):
            continue
        group = by_sponsor.setdefault(sponsor_id, EarlyClaims(key=name))
        group.claims += 1
        group.members.add(person)
        group.benefits[benefit] += 1
    order = lambda g: (-g.claims, str(g.key))  # noqa: E731
    return {
        "agents": sorted(by_agent.values(), key=order),
        "sponsors": sorted(by_sponsor.values(), key=order),
    }


@dataclass(frozen=True)
class Lapses:
    agent: Agent
    paying: int  # members who paid at least once
    lapsed: int  # ... of whom paid once and nothing in the lapse months since

    @property
    def share(self) -> Decimal:
        return Decimal(self.lapsed) / self.paying if self.paying else Decimal(0)


def lapse_flags(agents: QuerySet[Agent], *, today: dt.date | None = None) -> list[Lapses]:
    """Agents whose self-paying members paid once and then nothing for `lapse_months` (field.toml, [M]: BPU
    cover goes inactive after 3 unpaid months), flagged above the table's share and minimum. Two queries."""
    t = field_tables()
    day = today or timezone.localdate()
    cutoff = Period.of(day).shift(-t.lapse_months.value).first_day
    members = dict(
        SyncItem.objects.filter(
            agent__in=agents,
            kind=SyncItem.Kind.ENROLMENT,
            outcome=SyncItem.Outcome.ACCEPTED,
            membership__payer_kind=Membership.PayerKind.SELF,
        ).values_list("person_id", "agent_id")
    )
    paid = (
        Payment.objects.filter(account__kind="self", account__person_id__in=list(members))
        .exclude(status=Payment.Status.REJECTED)
        .values("account__person_id")
        .annotate(n=Count("id"), first=Min("paid_on"))
    )
    paying: dict[int, int] = defaultdict(int)
    lapsed: dict[int, int] = defaultdict(int)
    for row in paid:
        agent_id = members[row["account__person_id"]]
        paying[agent_id] += 1
        if row["n"] == 1 and row["first"] < cutoff:
            lapsed[agent_id] += 1
    flagged = []
    for agent in agents.select_related("user").order_by("user__username"):
        entry = Lapses(agent=agent, paying=paying.get(agent.pk, 0), lapsed=lapsed.get(agent.pk, 0))
        if entry.paying >= t.lapse_min_members.value and entry.share * 100 >= t.lapse_share.value:
            flagged.append(entry)
    return flagged


@dataclass(frozen=True)
class Capture:
    nik_masked: str
    captures: int
    agents: int


def repeated_captures(agents: QuerySet[Agent], limit: int = 100) -> list[Capture]:
    """NIKs captured in more than one enrolment item (by one agent again, or by several). One query."""
    rows = (
        SyncItem.objects.filter(agent__in=agents, kind=SyncItem.Kind.ENROLMENT)
        .exclude(nik="")
        .values("nik")
        .annotate(n=Count("id"), agents=Count("agent", distinct=True))
        .filter(n__gt=1)
        .order_by("-agents", "-n", "nik")[:limit]
    )
    return [Capture(nik_masked=mask_nik(r["nik"]), captures=r["n"], agents=r["agents"]) for r in rows]
