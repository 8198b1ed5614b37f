"""Outreach in the demo (issue 16), after S1: Malang branch's socialisation toward Kab. Malang's 45,000
informal-worker target (scenarios.md S1), written through the outreach services.

- the 26 February 2020 socialisation at a restaurant in Kepanjen for the association of inpatient clinics
  and hospitals (the seed article), with the Kab. Malang labour agency as partner;
- three market and harbour events of the demo's year (AS_OF): Kepanjen and Lawang markets, Sendang Biru
  fishers; and one planned for next month, with no sign-ups yet;
- sign-ups through the public path (the same service as the QR page), a few paper forms with a NIK that
  fails the rules (serial 0000) typed in by the office, a few workers who signed up after the conversion
  (still waiting);
- conversion into self-paid BPU memberships before the demo's billing, so the billing and its payment
  pattern (billing.py) decide who pays; after billing, a few members of the Kepanjen market end their
  membership (lapsed), so every step of the funnel has a count.
Names carry the demo surnames, so `--reset` removes the persons; `outreach_delete` removes the events.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from cakupan.enrolment.models import LinkReview, RosterImport
from cakupan.outreach.models import Event, SignUp
from cakupan.outreach.services.convert import conversion_source, signups_convert
from cakupan.outreach.services.events import event_create
from cakupan.outreach.services.signups import signup_record_paper, signup_submit
from cakupan.partners.models import PartnerAgency
from cakupan.regions.models import Region
from cakupan.registry.models import Membership
from cakupan.registry.nik import nik_compose
from cakupan.registry.services.memberships import membership_end

from . import figures as f
from .people import _GIVEN_FEMALE, _GIVEN_MALE

Say = Callable[[str, int | None], None]
OFFICE_USER = "staf_malang"
PARTNER = "Dinas Ketenagakerjaan Kabupaten Malang"
SERIAL_BASE = 9_100  # NIK serials far above the other demo rows' of the same districts and birth dates
JOBS = {
    "market_traders": ("pedagang sayur", "pedagang buah", "pedagang ikan", "penjual jajanan", "kuli pasar"),
    "fishers": ("nelayan", "buruh nelayan", "pengolah ikan"),
    "health_workers": ("perawat klinik", "bidan", "petugas farmasi"),
}


def _district(name: str) -> str:
    found = Region.objects.filter(parent_id=f.KAB_MALANG, name__icontains=name).values_list("pk", flat=True)
    first = found.first()
    if first is not None:
        return str(first)
    return str(Region.objects.filter(parent_id=f.KAB_MALANG).order_by("pk").values_list("pk", flat=True)[0])


def _events(today: dt.date) -> list[dict[str, Any]]:
    """(event fields, sign-ups, paper sign-ups with a bad NIK, late sign-ups, start of the memberships)."""
    this_year = f.AS_OF.year  # the demo's registry stands as of AS_OF: its memberships start before it
    planned = (today.replace(day=1) + dt.timedelta(days=40)).replace(day=15)  # the 15th of next month
    return [
        {
            "fields": {
                "name": "Sosialisasi Paguyuban Klinik Rawat Inap & Rumah Sakit se-Kabupaten Malang",
                "place": "Rumah makan di Kepanjen",
                "region": _district("Kepanjen"),
                "date": dt.date(2020, 2, 26),
                "audience": "health_workers",
                "status": "held",
            },
            "signups": 12,
            "bad": 1,
            "late": 0,
            "start": dt.date(2020, 3, 1),
        },
        {
            "fields": {
                "name": f"Sosialisasi Pasar Kepanjen {this_year}",
                "place": "Pasar Induk Kepanjen",
                "region": _district("Kepanjen"),
                "date": dt.date(this_year, 5, 20),
                "audience": "market_traders",
                "status": "held",
            },
            "signups": 40,
            "bad": 3,
            "late": 2,
            "start": dt.date(this_year, 6, 1),
        },
        {
            "fields": {
                "name": f"Sosialisasi Pasar Lawang {this_year}",
                "place": "Pasar Lawang",
                "region": _district("Lawang"),
                "date": dt.date(this_year, 6, 10),
                "audience": "market_traders",
                "status": "held",
            },
            "signups": 30,
            "bad": 2,
            "late": 1,
            "start": dt.date(this_year, 7, 1),
        },
        {
            "fields": {
                "name": f"Sosialisasi Nelayan Sendang Biru {this_year}",
                "place": "Tempat Pelelangan Ikan Sendang Biru",
                "region": _district("Sumbermanjing"),
                "date": dt.date(this_year, 6, 24),
                "audience": "fishers",
                "status": "held",
            },
            "signups": 20,
            "bad": 2,
            "late": 0,
            "start": dt.date(this_year, 7, 1),
        },
        {
            "fields": {
                "name": f"Sosialisasi Pasar Tumpang {planned.year}",
                "place": "Pasar Tumpang",
                "region": _district("Tumpang"),
                "date": planned,
                "audience": "market_traders",
                "status": "planned",
            },
            "signups": 0,
            "bad": 0,
            "late": 0,
            "start": None,
        },
    ]


def _worker(rng: random.Random, district: str, serial: int, jobs: tuple[str, ...]) -> dict[str, Any]:
    sex = rng.choice("LP")
    born = dt.date(rng.randint(1965, 2002), rng.randint(1, 12), rng.randint(1, 28))
    given = rng.choice(_GIVEN_FEMALE if sex == "P" else _GIVEN_MALE)
    return {
        "nik": nik_compose(district_code=district, birth_date=born, sex=sex, serial=serial),
        "full_name": f"{given} {rng.choice(f.SURNAMES)}",
        "birth_date": born,
        "sex": sex,
        "phone": f"08{rng.randint(1_100_000_000, 9_999_999_999)}",
        "occupation": rng.choice(jobs),
        "consent": True,
    }


def outreach_load(*, users: list[Any], seed: int, say: Say) -> dict[str, Any]:
    """Events, sign-ups and their conversion, before billing. Returns the counts and the events."""
    office = next(u for u in users if u.username == OFFICE_USER)
    rng = random.Random(seed + 16)
    partner = PartnerAgency.objects.filter(name=PARTNER).values_list("pk", flat=True).first()
    today = timezone.localdate()
    events: list[Event] = []
    signups = persons = members = 0
    serial = SERIAL_BASE
    for spec in _events(today):
        event = event_create(actor=office, partner=partner, **spec["fields"])
        events.append(event)
        district = event.region_id if event.region.level >= 3 else f"{event.region_id}.01"
        jobs = JOBS.get(event.audience, JOBS["market_traders"])
        for _i in range(spec["signups"]):
            serial += 1
            signup_submit(event=event, data=_worker(rng, district, serial, jobs))
            signups += 1
        for _i in range(spec["bad"]):
            serial += 1
            bad = _worker(rng, district, serial, jobs)
            signup_record_paper(actor=office, event=event, data={**bad, "nik": bad["nik"][:12] + "0000"})
            signups += 1
        if spec["start"] is not None:
            result = signups_convert(actor=office, event=event, start_date=spec["start"])
            persons += result.new_persons
            members += result.converted
        for _i in range(spec["late"]):
            serial += 1
            signup_submit(event=event, data=_worker(rng, district, serial, jobs))
            signups += 1
    say("outreach sign-ups", signups)
    return {
        "outreach_events": len(events),
        "outreach_signups": signups,
        "events": events,
        "persons": persons,
        "memberships": members,
    }


def outreach_lapse(*, users: list[Any], events: list[Event], say: Say) -> int:
    """After billing: five members of the Kepanjen market event end their membership at the end
    of their second month (they stopped paying and left), so "still active after 3 months" is below
    "member"."""
    office = next(u for u in users if u.username == OFFICE_USER)
    market = next((e for e in events if e.name.startswith("Sosialisasi Pasar Kepanjen")), None)
    if market is None:
        return 0
    ids = SignUp.objects.filter(event=market, membership__isnull=False).values_list(
        "membership_id", flat=True
    )
    ended = 0
    for membership in Membership.objects.filter(pk__in=list(ids)).order_by("pk")[:5]:
        month_two = (membership.start_date + dt.timedelta(days=62)).replace(day=1)
        membership_end(actor=office, membership=membership, end_date=month_two - dt.timedelta(days=1))
        ended += 1
    say("outreach members lapsed", ended)
    return ended


PLACES = (
    "Rumah makan di Kepanjen",
    "Pasar Induk Kepanjen",
    "Pasar Lawang",
    "Tempat Pelelangan Ikan Sendang Biru",
    "Pasar Tumpang",
)


def demo_events() -> QuerySet[Event]:
    return Event.objects.filter(name__startswith="Sosialisasi ", place__in=PLACES)


def outreach_delete() -> dict[str, int]:
    """The demo's events and their sign-ups (before the persons and memberships they point at)."""
    events = demo_events()
    signups = SignUp.objects.filter(event__in=events).delete()[0]
    # The conversions' roster imports (and any row they held for review) name the demo office's user.
    imports = RosterImport.objects.filter(file_name__in=[conversion_source(e) for e in events])
    reviews = LinkReview.objects.filter(roster_import__in=imports).delete()[0]
    return {
        "outreach sign-ups": signups,
        "outreach link reviews": reviews,
        "outreach roster imports": imports.delete()[0],
        "outreach events": events.delete()[0],
    }
