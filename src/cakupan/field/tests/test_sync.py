"""The sync contract: idempotency, each item all or nothing, conflicts, bad input (issue 17)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from cakupan.field.models import Collection, Conflict, SyncItem
from cakupan.field.tests.conftest import collection, enrolment
from cakupan.registry.models import Membership, Person

URL = "/api/v1/field/batches/"


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def send(user: Any, items: list[dict[str, Any]], device: str = "hp-1") -> Any:
    return client_for(user).post(URL, {"device": device, "items": items}, format="json")


def counts() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        Membership.objects.count(),
        Collection.objects.count(),
        SyncItem.objects.count(),
    )


def test_batch_sent_twice_creates_nothing_twice(world: Any, agent: Any) -> None:
    items = [enrolment(11), enrolment(12)]
    items.append(collection(items[0]["nik"], "KW-001"))
    first = send(agent.user, items)
    assert first.status_code == 200, first.json()
    body = first.json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (3, 0, [])
    after = counts()
    second = send(agent.user, items)
    assert second.status_code == 200
    assert (second.json()["accepted"], second.json()["duplicates"]) == (0, 3)
    assert counts() == after
    person = Person.objects.get(nik=items[0]["nik"])
    member = Membership.objects.get(person=person)
    assert (member.segment, member.payer_kind, member.jkk, member.jkm, member.jht) == (
        "BPU",
        "self",
        True,
        True,
        False,
    )
    assert member.declared_income == 1_000_000


def test_same_client_id_twice_in_one_batch_counts_once(world: Any, agent: Any) -> None:
    item = enrolment(13)
    body = send(agent.user, [item, item]).json()
    assert (body["accepted"], body["duplicates"]) == (1, 1)
    assert Person.objects.filter(nik=item["nik"]).count() == 1


def test_each_item_all_or_nothing(world: Any, agent: Any) -> None:
    """A bad programme list fails in membership_enrol after person_register wrote the person: the savepoint
    takes the person back too; the good item next to it is kept."""
    bad = enrolment(14, programs=["JKK"])  # JKM missing: refused by the membership service
    good = enrolment(15)
    body = send(agent.user, [bad, good]).json()
    assert body["accepted"] == 1
    assert [r["client_id"] for r in body["rejected"]] == [bad["client_id"]]
    assert body["rejected"][0]["errors"][0]["field"] == "programs"
    assert not Person.objects.filter(nik=bad["nik"]).exists()
    assert Person.objects.filter(nik=good["nik"]).exists()
    kept = SyncItem.objects.get(client_id=bad["client_id"])
    assert (kept.outcome, kept.person_id) == ("rejected", None)
    # The same rejected item again: a duplicate, answered without writing anything.
    again = send(agent.user, [bad]).json()
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 1, [])


def test_field_errors_of_an_item(world: Any, agent: Any) -> None:
    item = enrolment(
        16, nik="3507010904880016X", consent=False, address_region="35.73.01", declared_income="a lot"
    )
    body = send(agent.user, [item]).json()
    fields = {e["field"] for e in body["rejected"][0]["errors"]}
    assert {"nik", "consent", "address_region", "declared_income"} <= fields
    assert Person.objects.filter(full_name=item["full_name"]).count() == 0


def test_conflict_other_agent(world: Any, agent: Any, agent2: Any) -> None:
    item = enrolment(17)
    assert send(agent.user, [item]).json()["accepted"] == 1
    again = enrolment(17)  # the same NIK, captured by another agent
    body = send(agent2.user, [again]).json()
    assert body["accepted"] == 0
    assert body["conflicts"] == [{"client_id": again["client_id"], "kind": "other_agent"}]
    assert body["rejected"][0]["errors"][0]["field"] == "nik"
    conflict = Conflict.objects.get()
    assert (conflict.agent, conflict.other_agent, conflict.kind) == (agent2, agent, "other_agent")
    assert Membership.objects.filter(person__nik=item["nik"]).count() == 1


def test_conflict_member_through_another_payer(world: Any, agent: Any) -> None:
    """The sponsored driver (conftest world) is captured by an agent: refused, listed for the branch."""
    driver = world.driver
    item = enrolment(
        18,
        nik=driver.nik,
        full_name=driver.full_name,
        birth_date=driver.birth_date.isoformat(),
        sex=driver.sex,
        address_region="35.07.01",
    )
    body = send(agent.user, [item]).json()
    assert body["conflicts"] == [{"client_id": item["client_id"], "kind": "other_payer"}]
    assert Conflict.objects.get().person == driver
    assert Membership.objects.filter(person=driver).count() == 1


def test_collection_needs_own_member_and_unique_receipt(world: Any, agent: Any, agent2: Any) -> None:
    item = enrolment(19)
    send(agent.user, [item])
    other = send(agent2.user, [collection(item["nik"], "KW-9")]).json()
    assert other["rejected"][0]["errors"][0]["field"] == "nik"  # not a member agent2 enrolled
    first = send(agent.user, [collection(item["nik"], "KW-9")]).json()
    assert first["accepted"] == 1
    repeat = send(agent.user, [collection(item["nik"], "KW-9")]).json()  # new client_id, same receipt
    assert repeat["rejected"][0]["errors"][0]["field"] == "receipt"
    assert Collection.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"items": []}, "device"),
        ({"device": "hp"}, "items"),
        ({"device": "hp", "items": "x"}, "items"),
        ({"device": "hp", "items": [1]}, "items[0]"),
        ({"device": "hp", "items": [{"kind": "enrolment"}]}, "items[0].client_id"),
    ],
)
def test_bad_batch_is_400_and_writes_nothing(world: Any, agent: Any, body: Any, field: str) -> None:
    before = counts()
    response = client_for(agent.user).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in {e["field"] for e in response.json()["errors"]}
    assert counts() == before


def test_only_approved_agents_sync(world: Any, agent: Any) -> None:
    from cakupan.field.services.agents import agent_status_set

    assert send(world.branch_malang, [enrolment(20)]).status_code == 403
    agent_status_set(actor=world.branch_malang, agent=agent, action="suspend")
    agent.user.refresh_from_db()
    assert send(agent.user, [enrolment(21)]).status_code == 403
    assert not Person.objects.filter(full_name__startswith="Petani").exists()


def test_agent_gets_403_on_registry_lists(world: Any, agent: Any) -> None:
    """Registry pages refuse an agent, and so does the registry API (its reads name the permission they need,
    which no agent holds): not even the persons the agent enrolled are listed there."""
    from django.test import Client

    page = Client()
    page.force_login(agent.user)
    for url in ("/persons/", "/memberships/", "/employers/"):
        assert page.get(url).status_code == 403, url
    item = enrolment(22)
    send(agent.user, [item])
    api = client_for(agent.user)
    for url in ("/api/v1/persons/", "/api/v1/employers/", "/api/v1/memberships/"):
        assert api.get(url).status_code == 403, url
    # Writes go through the field sync only, where the agent's regencies are checked: the registry's own
    # write endpoints refuse an agent, even for a region the agent serves, and write nothing.
    other = enrolment(23)
    person = {k: other[k] for k in ("nik", "full_name", "birth_date", "sex", "phone")}
    body = {**person, "address_region": other["address_region"]}
    refused = api.post("/api/v1/persons/", body, format="json")
    assert refused.status_code == 403
    assert not Person.objects.filter(nik=other["nik"]).exists()


def test_session_post_needs_csrf(world: Any, agent: Any) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(agent.user)
    response = client.post(URL, {"device": "hp", "items": []}, content_type="application/json")
    assert response.status_code == 403
