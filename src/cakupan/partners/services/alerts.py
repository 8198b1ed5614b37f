"""Expiry alerts: 90 and 30 days before an agreement in force ends, shown on its page and the homes of its
office and agency parties, and e-mailed (Django's mail backend) to their users. Each (agreement,
threshold, end date) is raised once, so the daily job may run again; an extended agreement is alerted
anew for its new end.

The same daily run moves the lifecycle on by the calendar: signed → active once it takes effect, active →
expiring in its last 90 days, expiring → ended after its last day (each an audited status change)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cakupan.accounts.permissions import SYSTEM, Perm, require
from cakupan.core import display
from cakupan.core.audit import audit_record
from cakupan.partners.models import Agreement, AgreementAlert, AgreementStatus

ALERT_DAYS = (30, 90)  # product settings, not regulation: time to prepare a renewal before the end
EXPIRING_DAYS = 90


@dataclass(frozen=True)
class Raised:
    alert: AgreementAlert
    agreement: Agreement


def _threshold(days: int) -> int | None:
    return next((limit for limit in ALERT_DAYS if days <= limit), None)


def _recipients(agreement: Agreement) -> list[str]:
    """The office's staff and the users of the agencies party to the agreement."""
    agencies = list(agreement.parties.exclude(agency=None).values_list("agency_id", flat=True))
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(branch_office_id=agreement.branch_office_id) | Q(agency_id__in=agencies))
    )
    return sorted(set(users.values_list("email", flat=True)))


def _advance(actor: Any, day: dt.date) -> list[tuple[str, str]]:
    """Calendar-driven status changes due on `day`; returns (number, new status)."""
    moves = (
        (AgreementStatus.SIGNED, AgreementStatus.ACTIVE, Q(valid_from__lte=day, valid_to__gte=day)),
        (
            AgreementStatus.ACTIVE,
            AgreementStatus.EXPIRING,
            Q(valid_to__lte=day + dt.timedelta(days=EXPIRING_DAYS)),
        ),
        (AgreementStatus.EXPIRING, AgreementStatus.ENDED, Q(valid_to__lt=day)),
        (AgreementStatus.ACTIVE, AgreementStatus.ENDED, Q(valid_to__lt=day)),
    )
    done: list[tuple[str, str]] = []
    for before, after, when in moves:
        rows = list(Agreement.objects.filter(when, status=before).values_list("pk", "number"))
        if not rows:
            continue
        Agreement.objects.filter(pk__in=[pk for pk, _n in rows]).update(
            status=after, updated_at=timezone.now()
        )
        for pk, number in rows:
            audit_record(
                actor=actor,
                action="status",
                entity="partners.agreement",
                entity_id=str(pk),
                changes={"status": [before, after], "by": "calendar"},
            )
            done.append((number, after))
    return done


def agreements_daily(*, actor: Any = SYSTEM, today: dt.date | None = None) -> dict[str, Any]:
    """The daily run: status changes by the calendar, then the alerts due."""
    require(actor, Perm.AGREEMENT_JOBS)
    day = today or timezone.localdate()
    with transaction.atomic():
        moved = _advance(actor, day)
    raised = alerts_raise(actor=actor, today=day)
    return {
        "date": day.isoformat(),
        "status_changes": [{"number": n, "status": s} for n, s in moved],
        "alerts": [
            {
                "number": r.agreement.number,
                "days": r.alert.threshold_days,
                "ends_on": r.alert.ends_on.isoformat(),
                "emailed": len(r.alert.emailed_to),
            }
            for r in raised
        ],
    }


def alerts_raise(*, actor: Any = SYSTEM, today: dt.date | None = None) -> list[Raised]:
    """Raise the alerts now due; each in its own transaction, its e-mail sent once it is recorded."""
    require(actor, Perm.AGREEMENT_JOBS)
    day = today or timezone.localdate()
    horizon = day + dt.timedelta(days=max(ALERT_DAYS))
    due = Agreement.objects.filter(
        status__in=[AgreementStatus.ACTIVE, AgreementStatus.EXPIRING],
        valid_to__gte=day,
        valid_to__lte=horizon,
    ).select_related("branch_office")
    raised: list[Raised] = []
    for agreement in due:
        limit = _threshold((agreement.valid_to - day).days)
        if limit is None:
            continue
        try:
            with transaction.atomic():
                alert = AgreementAlert.objects.create(
                    agreement=agreement, threshold_days=limit, ends_on=agreement.valid_to
                )
                audit_record(
                    actor=actor,
                    action="alert",
                    instance=alert,
                    changes={"agreement": agreement.pk, "days": limit},
                )
        except IntegrityError:
            continue  # raised before
        raised.append(Raised(alert, agreement))
        _mail(alert, agreement)
    return raised


def _mail(alert: AgreementAlert, agreement: Agreement) -> None:
    to = _recipients(agreement)
    if not to:
        return
    date = display.date(alert.ends_on, lang="id")
    subject = _("Agreement %(number)s ends on %(date)s") % {"number": agreement.number, "date": date}
    body = _(
        "The cooperation agreement %(number)s (%(title)s) ends in %(days)s days or less, on %(date)s. "
        "Prepare its renewal or its closing report with the parties before then."
    ) % {"number": agreement.number, "title": agreement.title, "days": alert.threshold_days, "date": date}
    send_mail(subject, body, None, to, fail_silently=False)
    AgreementAlert.objects.filter(pk=alert.pk).update(emailed_to=to)
    alert.emailed_to = to
