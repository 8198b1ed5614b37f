"""Events and sign-ups for the outreach tests, made through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cakupan.outreach.models import Event
from cakupan.outreach.services.events import event_create
from cakupan.outreach.services.signups import signup_submit
from cakupan.registry.nik import nik_compose


def market_event(
    actor: Any, *, region: str = "35.07.01", day: dt.date = dt.date(2026, 1, 15), **extra: Any
) -> Event:
    data = {
        "name": "Sosialisasi Pasar Kepanjen",
        "place": "Pasar Kepanjen",
        "region": region,
        "date": day,
        "audience": "market_traders",
        **extra,
    }
    return event_create(actor=actor, **data)


def worker(serial: int, *, district: str = "35.07.01", sex: str = "L") -> dict[str, Any]:
    born = dt.date(1970 + serial % 30, 1 + serial % 12, 1 + serial % 28)
    return {
        "nik": nik_compose(district_code=district, birth_date=born, sex=sex, serial=100 + serial),
        "full_name": f"Pedagang Contoh {serial}",
        "birth_date": born.isoformat(),
        "sex": sex,
        "phone": f"0812345{serial:05d}",
        "occupation": "pedagang sayur",
        "consent": True,
    }


def signed_up(event: Event, *serials: int) -> list[str]:
    return [signup_submit(event=event, data=worker(s)).signup.reference for s in serials]
