"""The scope is computed once per request and kept on the request's user object only (issue 17): a sync of
many items reads the agent once for the scope, whatever the number of items; a role changed between two
requests is seen at the second; a user object no request marked recomputes every time."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cakupan.accounts.models import Role, User
from cakupan.accounts.scope import scope_cache_enable, scope_for
from cakupan.field.models import Agent
from cakupan.field.tests.conftest import enrolment
from cakupan.fieldapp.tests.agents import make_agent

pytestmark = pytest.mark.django_db

AGENT_TABLE = Agent._meta.db_table


def agent_reads(user: Any, items: list[dict[str, Any]]) -> int:
    """How many statements of one sync request read the agents' table."""
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        answer = client.post(
            "/api/v1/field/batches/", {"device": "hp-1", "items": items}, content_type="application/json"
        )
    assert answer.status_code == 200, answer.content
    assert answer.json()["accepted"] == len(items)
    return sum(1 for q in queries.captured_queries if f'FROM "{AGENT_TABLE}"' in q["sql"])


def test_a_sync_reads_the_agent_as_often_for_one_item_as_for_five(world: Any) -> None:
    user = make_agent(world)
    one = agent_reads(user, [enrolment(21)])
    five = agent_reads(user, [enrolment(n) for n in range(22, 27)])
    assert one == five
    # The scope's read and the sync's own check of the approval; not one per item.
    assert five <= 2


def test_a_role_changed_between_requests_is_seen_at_the_next(world: Any) -> None:
    user = world.branch_malang
    client = Client()
    client.force_login(user)
    assert client.get("/api/v1/persons/").status_code == 200
    User.objects.filter(pk=user.pk).update(role=Role.AGENT)
    assert client.get("/api/v1/persons/").status_code == 403


def test_the_same_user_object_follows_a_change_of_role(world: Any) -> None:
    user = scope_cache_enable(User.objects.get(pk=world.branch_malang.pk))
    assert scope_for(user).role == Role.BRANCH_STAFF
    user.role = Role.AGENT
    assert scope_for(user).role == Role.AGENT


def test_kept_on_a_marked_user_only(world: Any, django_assert_num_queries: Any) -> None:
    marked = scope_cache_enable(User.objects.get(pk=world.branch_malang.pk))
    scope_for(marked)
    with django_assert_num_queries(0):
        assert scope_for(marked).regency_codes
    plain = User.objects.get(pk=world.branch_malang.pk)
    scope_for(plain)
    # The office's regions read again: no request holds this object.
    with CaptureQueriesContext(connection) as again:
        assert scope_for(plain).regency_codes
    assert len(again) > 0
