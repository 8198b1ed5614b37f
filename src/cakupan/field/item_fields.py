"""Reading the fields of a synced item: what the phone sends is JSON, checked field by field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.core.errors import FieldError


def day(value: Any, name: str, errors: list[FieldError]) -> dt.date | None:
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors.append(FieldError(name, _("A date written YYYY-MM-DD.")))
    return None


def moment(value: Any, name: str, errors: list[FieldError]) -> dt.datetime | None:
    """An ISO date-time (a bare date is noon of that day, Jakarta time); not in the future (five minutes of
    a phone's clock running fast are allowed)."""
    when: dt.datetime | None = None
    if isinstance(value, str) and value.strip():
        text = value.strip().replace("Z", "+00:00")
        try:
            when = (
                dt.datetime.combine(dt.date.fromisoformat(text), dt.time(12))
                if len(text) == 10
                else dt.datetime.fromisoformat(text)
            )
        except ValueError:
            when = None
    if when is None:
        errors.append(FieldError(name, _("A date and time written YYYY-MM-DDTHH:MM.")))
        return None
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when > timezone.now() + dt.timedelta(minutes=5):
        errors.append(FieldError(name, _("Cannot be in the future.")))
        return None
    return when


def whole(
    value: Any, name: str, errors: list[FieldError], *, low: int, high: int, message: Any
) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.append(FieldError(name, message))
        return None
    return value


def text(value: Any, name: str, errors: list[FieldError], *, most: int, message: Any, required: bool) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()) or len(value.strip()) > most:
        errors.append(FieldError(name, message))
        return ""
    return " ".join(value.split())
