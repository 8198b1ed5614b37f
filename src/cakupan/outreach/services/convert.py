"""Turning an event's sign-ups into BPU memberships in one action (issue 16, point 3), through the roster's
own pipeline (enrolment's `roster_rows_import`): the same decisions, in the same SQL statements, as a roster
file, the field sync and a sponsor's candidate list, so no path decides an edge its own way.

Each open sign-up with a valid NIK becomes a row: NIK, name, birth date, sex and phone as the worker gave
them; no address and, unless a sponsor's funded period sets it, no income, so a registered person keeps
theirs and a new one lives in the event's regency (self-paid; a sponsor's members in the sponsor's
regency) with the payer's default income, the lowest BPU level of the rules tables (payer.py); JKK and JKM
(the minimum, Perpres 109/2013 Pasal 6); the transport sector for ride-hailing drivers (PP 50/2025
discount); the start on the first day of a month.

What the import decides, this service counts and links, set-based from the per-row results:
- imported: a new membership; the sign-up points at its person and membership ("converted");
- unchanged or updated: the same payer covers the person already; linked to the person ("already covered");
- refused: another payer covers the person (the sponsor is named); linked to the person;
- held: a registered person outside the actor's area whose details disagree, filed for the branch office;
- rejected: any other reason the roster gives (a birth date that disagrees with the registry, ...).
A sponsor pays only within the money and the cap it has left (sponsorship's `enrol_capacity`): a dry run of
the same import says which rows would be new members, and only the first of those up to the capacity are
sent; the others wait for a later conversion. A constant number of statements whatever the number of
sign-ups.
"""
# ruff: noqa: S608 - SQL text from model names (core.sqlnames); values are parameters

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.accounts.scope import Scope
from cakupan.core.audit import audit_record
from cakupan.core.errors import FieldError, InvalidInput, NotInScope
from cakupan.core.sqlnames import table
from cakupan.enrolment.services import RowOutcome, roster_rows_import
from cakupan.outreach.models import Audience, Event, SignUp
from cakupan.registry.models import Membership, Person
from cakupan.registry.selectors import sponsor_list
from cakupan.rules.period import Period
from cakupan.sponsorship.selectors import enrol_capacity

PAYERS = ("self", "sponsor")
# The programmes of a converted sign-up: JKK and JKM, the minimum (Perpres 109/2013 Pasal 6).
PROGRAMS = ("JKK", "JKM")
OTHER_PAYER = ("membership_other_sponsor", "membership_other_payer")
# The rows whose sign-up points at the person afterwards (and, imported, at the new membership).
LINKED = ("imported", "updated", "unchanged")
_SIGNUP = table(SignUp)


@dataclass(frozen=True)
class ConvertResult:
    converted: int  # new memberships
    new_persons: int  # of which the person was registered now
    already_covered: int  # the same payer covers the person already: linked, not enrolled again
    refused: int  # another payer covers the person: linked, not enrolled
    outside: int  # held for the branch office: registered elsewhere and the details disagree
    rejected: int  # refused for another reason the roster gives (each sign-up keeps it in the import)
    waiting: int  # beyond the sponsor's money or cap: left for a later conversion
    invalid: int  # NIK failed the rules: never converted
    start_date: dt.date
    # Who pays for the refused ones: the sponsor's name, or "" for another kind of payer; with counts.
    refused_by: tuple[tuple[str, int], ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "converted": self.converted,
            "new_persons": self.new_persons,
            "already_covered": self.already_covered,
            "refused": self.refused,
            "refused_by": [{"sponsor": name, "count": n} for name, n in self.refused_by],
            "outside": self.outside,
            "rejected": self.rejected,
            "waiting": self.waiting,
            "invalid": self.invalid,
            "start_date": self.start_date.isoformat(),
        }


def conversion_source(event: Event) -> str:
    """The name the conversion's roster imports carry (RosterImport.file_name), as a file's would."""
    return f"outreach conversion {event.code}"


@dataclass(frozen=True)
class _Plan:
    """What the rows say besides the sign-up's own fields."""

    region: str
    sector: str
    income: int | None
    start: dt.date


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
    # No income in the rows: a new member gets the payer's default (the lowest BPU level, or the
    # sponsor's basis), a registered one keeps theirs (enrolment/services/payer.py).
    income: int | None = None
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
    # Where a new worker lives, the row giving no address: the event's regency (a registered person keeps
    # theirs; a sponsor's members default to the sponsor's regency, as in its roster).
    region = event.region_id[:5]
    ride_hailing = event.audience == Audience.RIDE_HAILING
    sector = Membership.BpuSector.TRANSPORT if ride_hailing else Membership.BpuSector.OTHER
    plan = _Plan(region=region, sector=str(sector), income=income, start=start)
    with transaction.atomic():
        return _convert(actor, scope, event, found, capacity_left, plan)


def _row(signup: Mapping[str, Any], plan: _Plan) -> dict[str, Any]:
    return {
        "nik": signup["nik"],
        "full_name": signup["full_name"],
        "birth_date": signup["birth_date"],
        "sex": signup["sex"],
        "phone": signup["phone"] or None,
        "declared_income": plan.income,
        "bpu_sector": plan.sector,
        "programs": list(PROGRAMS),
        "start_date": plan.start,
    }


def _convert(
    actor: Any, scope: Scope, event: Event, sponsor: Any, capacity: int | None, plan: _Plan
) -> ConvertResult:
    open_rows = SignUp.objects.filter(event=event, nik_valid=True, membership__isnull=True)
    signups = list(
        open_rows.order_by("created_at", "id").values("pk", "nik", "full_name", "birth_date", "sex", "phone")
    )
    invalid = SignUp.objects.filter(event=event, nik_valid=False).count()
    registered = set(Person.objects.filter(nik__in=open_rows.values("nik")).values_list("nik", flat=True))
    target = ("sponsor", sponsor.pk) if sponsor is not None else ("self", None)
    source = conversion_source(event)
    waiting = 0
    if signups and capacity is not None:
        # The import's own answer says which rows would be new members: the first up to the capacity go.
        trial = roster_rows_import(
            actor=actor,
            scope=scope,
            target=target,
            rows=[_row(s, plan) for s in signups],
            source=source,
            dry_run=True,
            region_default=plan.region,
        )
        new = [o.index for o in trial.rows if o.status == "imported"]
        beyond = set(new[capacity:])
        waiting = len(beyond)
        signups = [s for i, s in enumerate(signups) if i not in beyond]
    outcomes: list[RowOutcome] = []
    if signups:
        outcomes = roster_rows_import(
            actor=actor,
            scope=scope,
            target=target,
            rows=[_row(s, plan) for s in signups],
            source=source,
            region_default=plan.region,
        ).rows
    by_status = Counter(o.status for o in outcomes)
    refused = [o for o in outcomes if o.status == "rejected" and set(o.codes) & set(OTHER_PAYER)]
    linked = {o.index for o in refused} | {o.index for o in outcomes if o.status in LINKED}
    links = [
        (signups[o.index]["pk"], o.person_id, o.membership_id if o.status == "imported" else None)
        for o in outcomes
        if o.person_id is not None and o.index in linked
    ]
    _link(links)
    imported = [signups[o.index] for o in outcomes if o.status == "imported"]
    result = ConvertResult(
        converted=len(imported),
        new_persons=sum(1 for s in imported if s["nik"] not in registered),
        already_covered=by_status["updated"] + by_status["unchanged"],
        refused=len(refused),
        outside=by_status["held"],
        rejected=by_status["rejected"] - len(refused),
        waiting=waiting,
        invalid=invalid,
        start_date=plan.start,
        refused_by=tuple(sorted(Counter(o.other_sponsor or "" for o in refused).items())),
    )
    done = SignUp.objects.filter(pk__in=[s["pk"] for s in imported[:1000]])
    audit_record(
        actor=actor,
        action="convert",
        instance=event,
        changes={
            **result.as_dict(),
            "payer": "sponsor" if sponsor is not None else "self",
            "sponsor": sponsor.pk if sponsor is not None else None,
            "signups": list(done.values_list("reference", flat=True)),
        },
    )
    return result


def _links_sql(links: Sequence[tuple[int, int, int | None]]) -> tuple[str, list[Any]]:
    """(sid, pid, mid) rows from one to three parameters, however many sign-ups."""
    if connection.vendor == "postgresql":
        return (
            "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS m(sid, pid, mid)",
            [[r[0] for r in links], [r[1] for r in links], [r[2] for r in links]],
        )
    return (
        "SELECT json_extract(value, '$[0]') AS sid, json_extract(value, '$[1]') AS pid, "
        "json_extract(value, '$[2]') AS mid FROM json_each(%s)",
        [json.dumps(links)],
    )


def _link(links: Sequence[tuple[int, int, int | None]]) -> None:
    """Each sign-up points at the person (and the new membership) its row wrote or found: one UPDATE."""
    if not links:
        return
    rows, params = _links_sql(links)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {_SIGNUP} SET
                person_id = (SELECT m.pid FROM ({rows}) m WHERE m.sid = {_SIGNUP}.id),
                membership_id = (SELECT m.mid FROM ({rows}) m WHERE m.sid = {_SIGNUP}.id)
            WHERE id IN (SELECT sid FROM ({rows}) m)""",
            [*params, *params, *params],
        )
