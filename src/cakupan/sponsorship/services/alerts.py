"""Runway alerts: 90, 60 and 30 days before a sponsor's money or funded period ends (issue 15), shown on
the sponsor's page and e-mailed (Django's mail backend, services/notify.py) to the sponsor's users and the
branch office staff serving its region, of the roles the permission table lets read its runway. Each
(period, threshold, what ends) is raised once: the daily job may run again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from cakupan.accounts.permissions import SYSTEM, Perm, require
from cakupan.core.audit import audit_record
from cakupan.registry.models import Sponsor
from cakupan.rules.period import Period
from cakupan.sponsorship.models import FundedPeriod, FundingAlert
from cakupan.sponsorship.services.notify import runway_alert

ALERT_DAYS = (30, 60, 90)  # product settings, not regulation: when the office needs to start a renewal


@dataclass(frozen=True)
class Raised:
    alert: FundingAlert
    sponsor: Sponsor


def _threshold(days: int) -> int | None:
    return next((limit for limit in ALERT_DAYS if days <= limit), None)


def alerts_raise(*, actor: Any = SYSTEM, today: dt.date | None = None) -> list[Raised]:
    """Raise the alerts now due; each in its own transaction, with its e-mail sent after it commits."""
    from cakupan.sponsorship.selectors import _sponsor_bills, cover_end_dates, runway_compute

    require(actor, Perm.SPONSORSHIP_ALERT)
    day = today or timezone.localdate()
    month = str(Period.of(day))
    raised: list[Raised] = []
    current = FundedPeriod.objects.filter(first_month__lte=month, last_month__gte=month).select_related(
        "sponsor"
    )
    for funded in current:
        latest = (
            _sponsor_bills(funded.sponsor_id)
            .filter(period__gte=funded.first_month, period__lte=month)
            .order_by("-period")
            .values_list("period", flat=True)
            .first()
        )
        run = runway_compute(funded.sponsor, latest or month)
        for ends, ends_on in cover_end_dates(run, funded).items():
            limit = _threshold((ends_on - day).days)
            if limit is None or (ends_on - day).days < 0:
                continue
            try:
                with transaction.atomic():
                    alert = FundingAlert.objects.create(
                        funded_period=funded, threshold_days=limit, ends=ends, ends_on=ends_on
                    )
                    audit_record(
                        actor=actor,
                        action="alert",
                        instance=alert,
                        changes={"sponsor": funded.sponsor_id, "days": limit, "ends": ends},
                    )
            except IntegrityError:
                continue  # raised before
            raised.append(Raised(alert, funded.sponsor))
            _mail(alert, funded.sponsor)
    return raised


def _mail(alert: FundingAlert, sponsor: Sponsor) -> None:
    to = runway_alert(
        sponsor=sponsor,
        ends_money=alert.ends == FundingAlert.Ends.MONEY,
        ends_on=alert.ends_on,
        days=alert.threshold_days,
    )
    if to:
        FundingAlert.objects.filter(pk=alert.pk).update(emailed_to=to)
        alert.emailed_to = to
