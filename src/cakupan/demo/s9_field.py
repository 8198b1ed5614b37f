"""Field agents in Kab. Malang (S9, issue 17), written through the field services after the users:

- three agents of Kantor Cabang Malang serving Kab. Malang: `agen_malang` (the demo login), `agen_kepanjen`
  and `agen_dampit`, registered and approved by `staf_malang` (`agen_dampit` is then suspended);
- a month of enrolments synced from their phones (the sync service, so every registry rule applies),
  collections for most self-paying members and deposits at the branch, one agent short of what they
  collected;
- one conflict: `agen_kepanjen` captures a NIK `agen_malang` enrolled;
- the suspicious pattern: four of `agen_kepanjen`'s members died within weeks of enrolment (JKM claims
  submitted by the heirs), which the anomaly page shows.
Enrolment and collection dates are spread over the last 30 days after the sync (the sync stamps now).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from typing import Any

from django.db.models import Q
from django.utils import timezone

from cakupan.accounts.models import User
from cakupan.benefits.models import Claim
from cakupan.enrolment.models import LinkReview, RosterImport
from cakupan.field.models import Agent, Collection, Conflict, Deposit, Device, SyncItem
from cakupan.field.services.agents import agent_status_set
from cakupan.field.services.review import deposit_record
from cakupan.field.services.sync import batch_sync
from cakupan.registry.models import Membership, Person
from cakupan.registry.nik import nik_compose

from . import figures as f

Say = Callable[[str, int | None], None]
OFFICE_USER = "staf_malang"
# (username, first and last name, members enrolled at scale 1, suspended at the end)
AGENTS = [
    ("agen_malang", "Andi Prasetyo", 40, False),
    ("agen_kepanjen", "Rudi Hartono", 24, False),
    ("agen_dampit", "Wati Susanti", 8, True),
]
USERNAMES = [a[0] for a in AGENTS]
EARLY_DEATHS = 4
MONTHLY = 16_800  # JKK 1 % of Rp1,000,000 + JKM Rp6,800: the lowest BPU income level
DISTRICTS = ["35.07.01", "35.07.02", "35.07.03", "35.07.04", "35.07.05"]
FIRST = ("Sutrisno", "Suparmi", "Slamet", "Tukiyem", "Wagiman", "Sumarni", "Paijo", "Ngatini")
OCCUPATIONS = ("petani", "pedagang pasar", "nelayan", "buruh tani", "ojek pangkalan", "pengrajin")


def _enrolment(rng: random.Random, district: str, serial: int, index: int) -> dict[str, Any]:
    sex = rng.choice("LP")
    born = dt.date(rng.randint(1965, 2002), rng.randint(1, 12), rng.randint(1, 28))
    occupation = rng.choice(OCCUPATIONS)
    return {
        "client_id": str(uuid.UUID(int=rng.getrandbits(128))),
        "kind": "enrolment",
        "nik": nik_compose(district_code=district, birth_date=born, sex=sex, serial=serial),
        "full_name": f"{rng.choice(FIRST)} {index} {f.SURNAMES[1]}",
        "birth_date": born.isoformat(),
        "sex": sex,
        "phone": f"0812{rng.randint(10_000_000, 99_999_999)}",
        "address_region": district,
        "occupation": occupation,
        "declared_income": 1_000_000,
        "programs": ["JKK", "JKM"],
        "bpu_sector": "transport" if occupation.startswith("ojek") else "other",
        "consent": True,
    }


def field_load(*, users: list[User], scale: float, say: Say, seed: int = f.DEFAULT_SEED) -> dict[str, int]:
    rng = random.Random(seed + 9)
    by_name = {u.username: u for u in users}
    office = by_name[OFFICE_USER]
    today = timezone.localdate()
    agents: list[Agent] = []
    for username, _name, _n, _suspended in AGENTS:
        agent = Agent.objects.create(
            user=by_name[username],
            branch_office_id=office.branch_office_id or 0,  # staf_malang: always an office
            regions=[f.KAB_MALANG],
            registered_by=office,
        )
        agents.append(agent_status_set(actor=office, agent=agent, action="approve"))
    serial = 9000  # above the serials the population builder draws, so no NIK clashes with theirs
    enrolled: dict[int, list[dict[str, Any]]] = {}
    for agent, (_u, _name, count, _s) in zip(agents, AGENTS, strict=True):
        items = []
        for index in range(max(3, round(count * min(scale, 1.0)))):
            serial += 1
            items.append(_enrolment(rng, DISTRICTS[index % len(DISTRICTS)], serial, index + 1))
        batch_sync(actor=agent.user, device=f"hp-{agent.user.username}", items=items)
        enrolled[agent.pk] = items
    # The same worker captured again by the second agent: a conflict for the branch.
    again = dict(enrolled[agents[0].pk][0], client_id=str(uuid.UUID(int=rng.getrandbits(128))))
    batch_sync(actor=agents[1].user, device=f"hp-{agents[1].user.username}", items=[again])
    # A month of work: each accepted enrolment and its membership dated within the last 30 days.
    for kept in SyncItem.objects.filter(agent__in=agents, outcome="accepted", kind="enrolment"):
        day = today - dt.timedelta(days=rng.randint(1, 30))
        SyncItem.objects.filter(pk=kept.pk).update(
            created_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
        )
        Membership.objects.filter(pk=kept.membership_id or 0).update(start_date=day)
    collected = 0
    for agent, (_u, _name, _n, _s) in zip(agents, AGENTS, strict=True):
        cash = []
        for index, item in enumerate(enrolled[agent.pk]):
            if index % 5 == 4:
                continue  # one in five has not paid yet
            months = rng.choice((1, 1, 2, 3))
            cash.append(
                {
                    "client_id": str(uuid.UUID(int=rng.getrandbits(128))),
                    "kind": "collection",
                    "nik": item["nik"],
                    "amount": MONTHLY * months,
                    "months": months,
                    "receipt": f"KW-{agent.pk}-{index + 1:04d}",
                    "collected_at": timezone.now().isoformat(),
                }
            )
        batch_sync(actor=agent.user, device=f"hp-{agent.user.username}", items=cash)
        total = sum(c["amount"] for c in cash)
        collected += total
        # Deposits: the first agent hands in everything, the second keeps Rp50,400 back.
        short = 50_400 if agent == agents[1] else 0
        if total - short > 0:
            deposit_record(
                actor=office,
                agent=agent,
                amount=total - short,
                deposited_on=today,
                reference=f"SETOR-{today:%Y%m}-{agent.pk:03d}",
            )
    # The early-claim pattern: members of the second agent who died within weeks of enrolment.
    early = (
        SyncItem.objects.filter(agent=agents[1], outcome="accepted", kind="enrolment")
        .select_related("membership")
        .order_by("id")[:EARLY_DEATHS]
    )
    claims = [
        Claim(
            person_id=died.person_id or 0,
            benefit="JKM",
            event_date=min(
                today, (died.membership.start_date if died.membership else today) + dt.timedelta(days=12)
            ),
            claimant_kind="heir",
            claimant_name="Ahli waris",
            submitted_by=office,
        )
        for died in early
    ]
    Claim.objects.bulk_create(claims)
    for agent, spec in zip(agents, AGENTS, strict=True):
        if spec[3]:  # suspended
            agent_status_set(actor=office, agent=agent, action="suspend")
    counts: dict[str, int] = {
        "field_agents": len(agents),
        "field_enrolments": SyncItem.objects.filter(
            agent__in=agents, kind="enrolment", outcome="accepted"
        ).count(),
        "field_collected": collected,
        "field_collections": Collection.objects.filter(agent__in=agents).count(),
        "field_conflicts": Conflict.objects.filter(agent__in=agents).count(),
        "field_early_claims": len(claims),
    }
    say("field agents, enrolments and collections", counts["field_enrolments"])
    return counts


def field_delete() -> dict[str, int]:
    """What the demo's agents wrote, before their users and persons go (claims on their members too)."""
    agents = Agent.objects.filter(user__username__in=USERNAMES)
    persons = Person.objects.filter(field_items__agent__in=agents)
    # The syncs' roster imports (and any row they held for review) name the agents' users.
    imports = RosterImport.objects.filter(uploader__username__in=USERNAMES)
    deleted: dict[str, int] = {}
    for label, queryset in (
        ("claims", Claim.objects.filter(Q(person__in=persons))),
        ("field link reviews", LinkReview.objects.filter(roster_import__in=imports)),
        ("field roster imports", imports),
        ("field conflicts", Conflict.objects.filter(agent__in=agents)),
        ("synced items", SyncItem.objects.filter(agent__in=agents)),
        ("field collections", Collection.objects.filter(agent__in=agents)),
        ("deposits", Deposit.objects.filter(agent__in=agents)),
        ("devices", Device.objects.filter(agent__in=agents)),
        ("field agents", agents),
    ):
        deleted[label] = queryset.delete()[1].get(queryset.model._meta.label, 0)
    return deleted
