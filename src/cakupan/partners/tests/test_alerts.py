"""Expiry alerts 90 and 30 days before the end, once each (the daily job may rerun), in the product and
by e-mail to the office's staff and the agency parties' users; the calendar moves the status on."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail

from cakupan.accounts.permissions import SYSTEM
from cakupan.core.errors import Forbidden
from cakupan.partners.models import Agreement, AgreementAlert, AgreementStatus
from cakupan.partners.services.alerts import agreements_daily, alerts_raise
from cakupan.partners.tests.factories import agency_of, agreement

pytestmark = pytest.mark.django_db
END = dt.date(2026, 6, 30)


def in_force(world: Any) -> Agreement:
    for user, email in (
        (world.branch_malang, "staf@kc.example"),
        (world.agency_health_malang, "dinkes@ex.id"),
    ):
        user.email = email
        user.save()
    found = agreement(world.branch_malang, valid_to=END, agencies=(agency_of(world.agency_health_malang),))
    Agreement.objects.filter(pk=found.pk).update(status=AgreementStatus.ACTIVE)
    return found


def test_alerts_at_90_and_30_days_each_once(world: Any) -> None:
    found = in_force(world)
    assert alerts_raise(actor=SYSTEM, today=END - dt.timedelta(days=91)) == []
    first = alerts_raise(actor=SYSTEM, today=END - dt.timedelta(days=90))
    assert [(r.agreement.pk, r.alert.threshold_days) for r in first] == [(found.pk, 90)]
    assert alerts_raise(actor=SYSTEM, today=END - dt.timedelta(days=60)) == []  # 90 raised already
    second = alerts_raise(actor=SYSTEM, today=END - dt.timedelta(days=30))
    assert [r.alert.threshold_days for r in second] == [30]
    assert alerts_raise(actor=SYSTEM, today=END - dt.timedelta(days=10)) == []
    assert sorted(AgreementAlert.objects.values_list("threshold_days", flat=True)) == [30, 90]
    assert len(mail.outbox) == 2
    assert sorted(mail.outbox[0].to) == ["dinkes@ex.id", "staf@kc.example"]
    assert found.number in mail.outbox[0].subject


def test_an_extended_agreement_is_alerted_again_for_its_new_end(world: Any) -> None:
    found = in_force(world)
    alerts_raise(actor=SYSTEM, today=END - dt.timedelta(days=20))
    Agreement.objects.filter(pk=found.pk).update(valid_to=END + dt.timedelta(days=365))
    assert alerts_raise(actor=SYSTEM, today=END + dt.timedelta(days=300))[0].alert.threshold_days == 90
    assert AgreementAlert.objects.count() == 2


def test_the_calendar_moves_the_status_and_raises_the_alert(world: Any) -> None:
    found = agreement(world.branch_malang, valid_from=dt.date(2026, 1, 1), valid_to=END)
    assert found.status == AgreementStatus.SIGNED
    out = agreements_daily(actor=SYSTEM, today=dt.date(2026, 1, 1))
    assert out["status_changes"] == [{"number": found.number, "status": "active"}]
    out = agreements_daily(actor=SYSTEM, today=END - dt.timedelta(days=45))
    assert out["status_changes"] == [{"number": found.number, "status": "expiring"}]
    assert [a["days"] for a in out["alerts"]] == [90]
    assert agreements_daily(actor=SYSTEM, today=END - dt.timedelta(days=45))["alerts"] == []
    out = agreements_daily(actor=SYSTEM, today=END + dt.timedelta(days=1))
    assert out["status_changes"] == [{"number": found.number, "status": "ended"}]


def test_only_the_system_or_the_national_admin_runs_the_daily_job(world: Any) -> None:
    with pytest.raises(Forbidden):
        agreements_daily(actor=world.branch_malang)
    assert agreements_daily(actor=world.admin, today=dt.date(2026, 1, 1))["alerts"] == []
