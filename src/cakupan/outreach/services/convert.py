"""Turning an event's sign-ups into BPU memberships in one action (issue 16, point 3).

Set-based: a constant number of statements whatever the number of sign-ups (the classification reads
four sets; the persons and memberships are written by one INSERT ... SELECT each from the sign-up rows,
and the sign-ups pointed at them by two UPDATEs). The registry's rules for a new person and a BPU
membership (`person_register`, `membership_enrol`) hold here as the database and these reads enforce them:
- the NIK passed the registry's check when it was recorded (`SignUp.nik_valid`); a NIK already registered
  keeps its person (their record is not rewritten by a sign-up);
- a registered person outside the actor's area is not enrolled by them (as `membership_enrol` refuses);
- a person with an active membership without an employer in BPU already is not enrolled twice (the
  conditional unique constraint): the sign-up is linked to the person and counted "already covered";
- JKK and JKM (the minimum, Perpres 109/2013 Pasal 6), declared income the lowest BPU level of the rules
  tables (or the sponsor's funded period's), transport sector for ride-hailing drivers (PP 50/2025
  discount), the start on the first day of a month;
- a sponsor pays only within the money and the cap it has left (sponsorship's `enrol_capacity`); a
  sponsor with nothing left is refused with a field error, and sign-ups beyond its capacity wait.
"""
# ruff: noqa: S608 - SQL text from model names and choices (core.sqlnames); values are parameters

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.core.audit import audit_record
from cakupan.core.errors import FieldError, InvalidInput, NotInScope
from cakupan.core.sqlnames import quoted, table
from cakupan.outreach.models import Audience, Event, SignUp
from cakupan.registry.models import Citizenship, Membership, Person, Segment
from cakupan.registry.selectors import bpu_lowest_income, person_list, sponsor_list
from cakupan.registry.services.scope_keys import scope_keys_refresh
from cakupan.rules.period import Period
from cakupan.sponsorship.selectors import enrol_capacity

PAYERS = ("self", "sponsor")
_SIGNUP, _PERSON, _MEMBER = table(SignUp), table(Person), table(Membership)


@dataclass(frozen=True)
class ConvertResult:
    converted: int  # new memberships
    new_persons: int  # of which the person was registered now
    already_covered: int  # an active BPU membership already: linked to the person, not enrolled again
    outside: int  # registered in another office's area: left for that office
    waiting: int  # beyond the sponsor's money or cap: left for a later conversion
    invalid: int  # NIK failed the rules: never converted
    start_date: dt.date

    def as_dict(self) -> dict[str, Any]:
        return {
            "converted": self.converted,
            "new_persons": self.new_persons,
            "already_covered": self.already_covered,
            "outside": self.outside,
            "waiting": self.waiting,
            "invalid": self.invalid,
            "start_date": self.start_date.isoformat(),
        }


def _pairs_sql(pairs: list[tuple[int, str]]) -> tuple[str, list[Any]]:
    """(sid, kpj) rows from one or two parameters, however many sign-ups (as scope_keys.ids_sql)."""
    if connection.vendor == "postgresql":
        return (
            "SELECT * FROM unnest(%s::bigint[], %s::text[]) AS m(sid, kpj)",
            [[p[0] for p in pairs], [p[1] for p in pairs]],
        )
    return (
        "SELECT json_extract(value, '$[0]') AS sid, json_extract(value, '$[1]') AS kpj FROM json_each(%s)",
        [json.dumps(pairs)],
    )


def _kpjs(n: int) -> list[str]:
    """`n` unused 11-digit participant numbers (format unconfirmed: rules.md §9.3), one query a round."""
    found: set[str] = set()
    while len(found) < n:
        batch = {f"{secrets.randbelow(9 * 10**10) + 10**10}" for _i in range(n - len(found))}
        taken = set(Membership.objects.filter(kpj__in=batch).values_list("kpj", flat=True))
        found |= batch - taken
    return sorted(found)[:n]


def _start(start_date: Any, errors: list[FieldError]) -> dt.date:
    if start_date in (None, ""):
        return Period.of(timezone.localdate()).shift(1).first_day
    if isinstance(start_date, str):
        try:
            start_date = dt.date.fromisoformat(start_date)
        except ValueError:
            start_date = None
    if not isinstance(start_date, dt.date) or start_date.day != 1:
        errors.append(FieldError("start_date", _("The start date is the first day of a month.")))
        return Period.of(timezone.localdate()).shift(1).first_day
    return start_date


def signups_convert(
    *, actor: Any, event: Event, payer: str = "self", sponsor: Any = None, start_date: Any = None
) -> ConvertResult:
    scope = require(actor, Perm.OUTREACH_CONVERT)
    require(actor, Perm.REGISTRY_WRITE)
    if not Event.objects.filter(scope.events(), pk=event.pk).exists():
        raise NotInScope
    errors: list[FieldError] = []
    start = _start(start_date, errors)
    found = None
    capacity_left: int | None = None
    income = bpu_lowest_income(start)
    if payer not in PAYERS:
        errors.append(FieldError("payer", _("Choose who pays: the worker or a sponsor.")))
    elif payer == "sponsor":
        pk = sponsor.pk if hasattr(sponsor, "pk") else sponsor
        if isinstance(pk, str) and pk.isascii() and pk.isdigit():
            pk = int(pk)
        found = sponsor_list(user=actor, scope=scope).filter(pk=pk).first() if isinstance(pk, int) else None
        if found is None:
            errors.append(FieldError("sponsor", _("Choose the sponsor who pays.")))
        else:
            capacity = enrol_capacity(found, str(Period.of(start)))
            if capacity.members <= 0:
                errors.append(
                    FieldError(
                        "sponsor",
                        _("This sponsor has no money or places left for new members from that month."),
                    )
                )
            capacity_left = capacity.members
            if capacity.funded is not None:
                income = capacity.funded.declared_income
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        return _convert(actor, scope, event, found, capacity_left, start, income)


def _convert(
    actor: Any, scope: Any, event: Event, sponsor: Any, capacity: int | None, start: dt.date, income: int
) -> ConvertResult:
    open_rows = SignUp.objects.filter(event=event, nik_valid=True, membership__isnull=True)
    niks = open_rows.values("nik")
    candidates = list(open_rows.order_by("created_at", "id").values_list("pk", "nik"))
    registered = dict(Person.objects.filter(nik__in=niks).values_list("nik", "pk"))
    visible = set(person_list(user=actor, scope=scope).filter(nik__in=niks).values_list("pk", flat=True))
    covered = set(
        Membership.objects.filter(
            person__nik__in=niks,
            status=Membership.Status.ACTIVE,
            segment=Segment.BPU,
            employer__isnull=True,
        ).values_list("person_id", flat=True)
    )
    chosen: list[tuple[int, str]] = []
    linked: list[int] = []
    outside = waiting = new_persons = 0
    for pk, nik in candidates:
        person_id = registered.get(nik)
        if person_id is not None and person_id not in visible and not scope.everything:
            outside += 1
        elif person_id is not None and person_id in covered:
            linked.append(pk)
        elif capacity is not None and len(chosen) >= capacity:
            waiting += 1
        else:
            chosen.append((pk, nik))
            new_persons += person_id is None
    invalid = SignUp.objects.filter(event=event, nik_valid=False).count()
    if linked:
        SignUp.objects.filter(pk__in=linked).update(
            person_id=Subquery(Person.objects.filter(nik=OuterRef("nik")).values("pk")[:1])
        )
    if chosen:
        _write(event, chosen, sponsor, start, income)
    done = SignUp.objects.filter(event=event, pk__in=[pk for pk, _n in chosen[:1000]])
    scope_keys_refresh(SignUp.objects.filter(event=event, person__isnull=False).values("person_id"))
    result = ConvertResult(
        converted=len(chosen),
        new_persons=new_persons,
        already_covered=len(linked),
        outside=outside,
        waiting=waiting,
        invalid=invalid,
        start_date=start,
    )
    audit_record(
        actor=actor,
        action="convert",
        instance=event,
        changes={
            **result.as_dict(),
            "payer": "sponsor" if sponsor is not None else "self",
            "sponsor": sponsor.pk if sponsor is not None else None,
            "signups": list(done.values_list("reference", flat=True)[:1000]),
        },
    )
    return result


def _write(event: Event, chosen: list[tuple[int, str]], sponsor: Any, start: dt.date, income: int) -> None:
    now = timezone.now()
    pairs = list(zip([pk for pk, _n in chosen], _kpjs(len(chosen)), strict=True))
    pairs_text, pairs_params = _pairs_sql(pairs)
    # Where the worker lives: the event's regency or district (a sign-up gives no address; the person
    # corrects it at the counter). A village is cut to its district.
    region = event.region_id if event.region.level <= 3 else event.region_id[:8]
    sector = (
        Membership.BpuSector.TRANSPORT
        if event.audience == Audience.RIDE_HAILING
        else Membership.BpuSector.OTHER
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {_PERSON} (nik, full_name, birth_date, sex, phone, address_region_id,
                citizenship, nik_warnings, created_at, updated_at)
            SELECT s.nik, s.full_name, s.birth_date, s.sex, s.phone, %s, {quoted(Citizenship.WNI)}, '[]',
                %s, %s
            FROM {_SIGNUP} s JOIN ({pairs_text}) m ON m.sid = s.id
            WHERE NOT EXISTS (SELECT 1 FROM {_PERSON} p WHERE p.nik = s.nik)""",
            [region, now, now, *pairs_params],
        )
        cursor.execute(
            f"""UPDATE {_SIGNUP} SET person_id = (SELECT p.id FROM {_PERSON} p WHERE p.nik = {_SIGNUP}.nik)
            WHERE id IN (SELECT sid FROM ({pairs_text}) m)""",
            pairs_params,
        )
        cursor.execute(
            f"""INSERT INTO {_MEMBER} (person_id, kpj, segment, jkk, jkm, jht, jp, jkp, start_date, status,
                payer_kind, sponsor_id, declared_income, bpu_sector, created_at, updated_at)
            SELECT s.person_id, m.kpj, {quoted(Segment.BPU)}, %s, %s, %s, %s, %s, %s,
                {quoted(Membership.Status.ACTIVE)}, %s, %s, %s, %s, %s, %s
            FROM {_SIGNUP} s JOIN ({pairs_text}) m ON m.sid = s.id""",
            [
                True,
                True,
                False,
                False,
                False,
                start,
                Membership.PayerKind.SPONSOR if sponsor is not None else Membership.PayerKind.SELF,
                sponsor.pk if sponsor is not None else None,
                income,
                str(sector),
                now,
                now,
                *pairs_params,
            ],
        )
        cursor.execute(
            f"""UPDATE {_SIGNUP} SET membership_id = (
                SELECT m.id FROM {_MEMBER} m JOIN ({pairs_text}) k ON k.kpj = m.kpj
                WHERE k.sid = {_SIGNUP}.id)
            WHERE id IN (SELECT sid FROM ({pairs_text}) m)""",
            [*pairs_params, *pairs_params],
        )
