"""Reads of the field app, scoped: an agent reads their own rows; branch staff those of their office."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from cakupan.accounts.permissions import Perm, require
from cakupan.core.errors import NotInScope
from cakupan.field.models import Agent, Collection, Conflict, Deposit, SyncItem
from cakupan.regions.models import Region
from cakupan.registry.models import Sponsor
from cakupan.rules.period import Period
from cakupan.sponsorship.selectors import enrol_capacity


def agents_for_office(*, user: Any) -> QuerySet[Agent]:
    """The agents branch staff manage and review: their office's (the national admin: all)."""
    scope = require(user, Perm.FIELD_REVIEW)
    agents = Agent.objects.select_related("user", "branch_office")
    return agents if scope.everything else agents.filter(branch_office_id=scope.branch_office_id)


def agent_get(*, user: Any, pk: Any) -> Agent:
    found = agents_for_office(user=user).filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise NotInScope
    return found


def own_agent(*, user: Any) -> Agent:
    """The agent row of the signed-in agent (any status: a suspended agent still reads their statement)."""
    scope = require(user, Perm.FIELD_OWN)
    found = (
        Agent.objects.filter(pk=scope.agent_id).select_related("branch_office").first()
        if scope.agent_id is not None
        else None
    )
    if found is None:
        raise NotInScope
    return found


def agent_profile(*, user: Any) -> dict[str, Any]:
    """What the phone needs at login: the agent, their regions, and the sponsors of those regions that have
    a place and money left this month."""
    scope = require(user, Perm.FIELD_SYNC)
    agent = own_agent(user=user)
    regions = list(Region.objects.filter(pk__in=agent.regions).order_by("code").values_list("code", "name"))
    month = str(Period.of(timezone.localdate()))
    sponsors = [
        {"id": s.pk, "name": s.name}
        for s in Sponsor.objects.filter(scope.sponsors()).order_by("name", "id")[:200]
        if enrol_capacity(s, month).members > 0
    ]
    return {
        "agent": agent.pk,
        "username": user.get_username(),
        "status": agent.status,
        "branch_office": {"id": agent.branch_office_id, "name": agent.branch_office.name},
        "regions": [{"code": code, "name": name} for code, name in regions],
        "sponsors": sponsors,
    }


def own_items(*, user: Any) -> QuerySet[SyncItem]:
    agent = own_agent(user=user)
    return SyncItem.objects.filter(agent=agent).select_related("person", "membership")


def own_members(*, user: Any) -> QuerySet[SyncItem]:
    """The enrolments the agent made that were accepted, newest first."""
    return (
        own_items(user=user)
        .filter(kind=SyncItem.Kind.ENROLMENT, outcome=SyncItem.Outcome.ACCEPTED)
        .order_by("-created_at", "-id")
    )


def own_collections(*, user: Any) -> QuerySet[Collection]:
    agent = own_agent(user=user)
    return Collection.objects.filter(agent=agent).select_related("membership__person", "payment")


def conflicts_for_office(*, user: Any) -> QuerySet[Conflict]:
    agents = agents_for_office(user=user)
    return Conflict.objects.filter(agent__in=agents).select_related(
        "agent__user", "person", "other_agent__user"
    )


def deposits_for_office(*, user: Any) -> QuerySet[Deposit]:
    agents = agents_for_office(user=user)
    return Deposit.objects.filter(agent__in=agents).select_related("agent__user")
