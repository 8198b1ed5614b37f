"""End dates: a future end date schedules the end (the member stays active, billed and counted until that
day); an end date far ahead (9999-12-31) or before the start is a field error, on the service and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from conftest import World
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cakupan.contributions.services.billable import members_billable
from cakupan.core.models import AuditEvent
from cakupan.registry import services
from cakupan.registry.models import Employment, Membership
from cakupan.registry.services.memberships import memberships_end_due
from cakupan.registry.tests.service_checks import refused
from cakupan.rules.period import Period

pytestmark = pytest.mark.django_db
FAR = dt.date(9999, 12, 31)


def nurse_membership(world: World) -> Membership:
    return Membership.objects.get(person=world.nurse)


def test_a_future_end_date_schedules_the_end(world: World) -> None:
    today = timezone.localdate()
    member = nurse_membership(world)
    end = today + dt.timedelta(days=40)
    services.membership_end(actor=world.admin, membership=member, end_date=end)
    member.refresh_from_db()
    assert (member.status, member.end_date) == ("active", end)
    assert AuditEvent.objects.filter(action="end_scheduled", entity_id=str(member.pk)).count() == 1
    # Billed this month and the month the end falls in, not the month after.
    assert members_billable(Period.of(today)).filter(pk=member.pk).exists()
    assert members_billable(Period.of(end)).filter(pk=member.pk).exists()
    after = Period.of(end).first_day + dt.timedelta(days=32)
    assert not members_billable(Period.of(after)).filter(pk=member.pk).exists()
    # Nothing ends before the day; on the day the end takes effect, with one event.
    assert memberships_end_due(today=end - dt.timedelta(days=1)) == 0
    assert memberships_end_due(today=end) == 1
    member.refresh_from_db()
    assert member.status == "ended"
    assert AuditEvent.objects.filter(action="end_due").get().changes == {
        "ended": 1,
        "memberships": [member.pk],
    }


def test_a_scheduled_end_can_be_moved_and_an_end_today_ends_now(world: World) -> None:
    today = timezone.localdate()
    member = nurse_membership(world)
    services.membership_end(actor=world.admin, membership=member, end_date=today + dt.timedelta(days=90))
    services.membership_end(actor=world.admin, membership=member, end_date=today)
    member.refresh_from_db()
    assert (member.status, member.end_date) == ("ended", today)


@pytest.mark.parametrize("end", [FAR, "year_and_a_bit"])
def test_an_end_date_too_far_ahead_is_refused(world: World, end: Any) -> None:
    day = timezone.localdate() + dt.timedelta(days=400) if end == "year_and_a_bit" else end
    member = nurse_membership(world)
    refused(lambda: services.membership_end(actor=world.admin, membership=member, end_date=day), "end_date")
    member.refresh_from_db()
    assert (member.status, member.end_date) == ("active", None)


def test_a_year_ahead_is_accepted(world: World) -> None:
    day = timezone.localdate() + dt.timedelta(days=365)
    member = services.membership_end(actor=world.admin, membership=nurse_membership(world), end_date=day)
    assert member.status == "active"


def test_an_end_before_the_start_is_refused(world: World) -> None:
    member = nurse_membership(world)
    refused(
        lambda: services.membership_end(actor=world.admin, membership=member, end_date=dt.date(2019, 12, 31)),
        "end_date",
    )


def test_an_enrolment_after_a_scheduled_end_came_is_allowed(world: World) -> None:
    member = nurse_membership(world)
    Membership.objects.filter(pk=member.pk).update(end_date=timezone.localdate() - dt.timedelta(days=1))
    again = services.membership_enrol(
        actor=world.admin,
        person=world.nurse,
        segment="PU",
        programs=["JKK", "JKM"],
        start_date=timezone.localdate(),
        payer_kind="employer",
        employer=world.hospital,
    )
    member.refresh_from_db()
    assert member.status == "ended"
    assert again.status == "active"


def test_employment_end_dates_are_bounded(world: World) -> None:
    employment = Employment.objects.get(person=world.nurse)
    refused(
        lambda: services.employment_update(actor=world.admin, employment=employment, end_date=FAR), "end_date"
    )
    refused(
        lambda: services.employment_start(
            actor=world.admin,
            person=world.driver,
            employer=world.hospital,
            start_date=dt.date(2024, 1, 1),
            basic_wage=3_000_000,
            end_date=FAR,
        ),
        "end_date",
    )


def _api(user: Any) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_the_api_refuses_9999_and_schedules_a_future_end(world: World) -> None:
    client = _api(world.admin)
    path = f"/api/v1/memberships/{world.driver_membership.pk}/end/"
    response = client.post(path, {"end_date": "9999-12-31"}, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["end_date"]
    soon = timezone.localdate() + dt.timedelta(days=10)
    response = client.post(path, {"end_date": soon.isoformat()}, format="json")
    assert response.status_code == 200, response.content
    world.driver_membership.refresh_from_db()
    assert (world.driver_membership.status, world.driver_membership.end_date) == ("active", soon)
