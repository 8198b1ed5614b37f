"""Writes to outreach events: plan one, change it (held, cancelled, moved). The office only
(Perm.OUTREACH_WRITE), within its regions; every field error collected, one audit event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.accounts.scope import Scope
from cakupan.core.audit import audit_record, diff, snapshot
from cakupan.core.errors import FieldError, InvalidInput, NotInScope
from cakupan.outreach.models import Audience, Event
from cakupan.partners.models import PartnerAgency
from cakupan.regions.models import Region

FIELDS = ("name", "place", "region", "date", "audience", "partner", "staff", "status")
_NAME_MAX = Event._meta.get_field("name").max_length or 160
_PLACE_MAX = Event._meta.get_field("place").max_length or 200


def _text(errors: list[FieldError], field: str, value: Any, limit: int, missing: Any) -> str:
    text = " ".join(value.split()) if isinstance(value, str) else ""
    if not text:
        errors.append(FieldError(field, missing))
    elif len(text) > limit:
        errors.append(FieldError(field, _("At most %(limit)d characters.") % {"limit": limit}))
    return text


def _validate(scope: Scope, data: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    errors: list[FieldError] = []
    out: dict[str, Any] = {
        "name": _text(errors, "name", data.get("name"), _NAME_MAX, _("Enter the event's name.")),
        "place": _text(errors, "place", data.get("place"), _PLACE_MAX, _("Enter where the event is held.")),
    }
    code = data.get("region")
    region = Region.objects.filter(pk=str(code)).first() if isinstance(code, str) and code else None
    if region is None:
        errors.append(FieldError("region", _("Unknown region code.")))
    elif region.level < 2:
        errors.append(FieldError("region", _("Choose a regency/city or a district, not a province.")))
    elif not scope.everything and region.code[:5] not in scope.regency_codes:
        errors.append(FieldError("region", _("This region is outside your office's area.")))
    out["region"] = region
    day = data.get("date")
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            day = None
    if not isinstance(day, dt.date):
        errors.append(FieldError("date", _("Enter the date as YYYY-MM-DD.")))
    out["date"] = day
    audience = data.get("audience")
    if audience not in Audience.values:
        errors.append(FieldError("audience", _("Choose the audience.")))
    out["audience"] = audience
    partner = data.get("partner")
    if partner in (None, ""):
        out["partner"] = None
    else:
        pk = partner.pk if isinstance(partner, PartnerAgency) else partner
        found = (
            PartnerAgency.objects.filter(scope.agencies(), pk=int(pk)).first()
            if str(pk).isascii() and str(pk).isdigit()
            else None
        )
        if found is None:
            errors.append(FieldError("partner", _("Choose a partner agency of your area.")))
        out["partner"] = found
    status = data.get("status", Event.Status.PLANNED) or Event.Status.PLANNED
    if status not in Event.Status.values:
        errors.append(FieldError("status", _("Choose planned, held or cancelled.")))
    out["status"] = status
    return out, errors


@transaction.atomic
def event_create(*, actor: Any, **data: Any) -> Event:
    """`name`, `place`, `region` (code), `date`, `audience`, optional `partner` (agency id) and `status`.
    The staff member is the actor."""
    scope = require(actor, Perm.OUTREACH_WRITE)
    values, errors = _validate(scope, data)
    if errors:
        raise InvalidInput(errors)
    staff = actor if getattr(actor, "is_authenticated", False) else None
    event = Event.objects.create(staff=staff, **values)
    audit_record(actor=actor, action="create", instance=event, changes=snapshot(event, FIELDS))
    return event


@transaction.atomic
def event_update(*, actor: Any, event: Event, **fields: Any) -> Event:
    scope = require(actor, Perm.OUTREACH_WRITE)
    if not Event.objects.filter(scope.events(), pk=event.pk).exists():
        raise NotInScope
    before = snapshot(event, FIELDS)
    current = {
        "name": event.name,
        "place": event.place,
        "region": event.region_id,
        "date": event.date,
        "audience": event.audience,
        "partner": event.partner_id,
        "status": event.status,
    }
    current.update({k: v for k, v in fields.items() if k in current})
    values, errors = _validate(scope, current)
    if errors:
        raise InvalidInput(errors)
    for key, value in values.items():
        setattr(event, key, value)
    event.save()
    changes = diff(before, snapshot(event, FIELDS))
    if changes:
        audit_record(actor=actor, action="update", instance=event, changes=changes)
    return event
