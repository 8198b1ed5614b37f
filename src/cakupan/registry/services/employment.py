"""Writes to employment: who works where, for which wage."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, may, require
from cakupan.accounts.scope import Scope, scope_for
from cakupan.core.audit import audit_record, diff, snapshot
from cakupan.core.errors import FieldError, InvalidInput, NotInScope
from cakupan.registry.models import Employer, Employment, Person
from cakupan.registry.selectors import employer_list
from cakupan.registry.services._common import EMPLOYMENT_FIELDS, _Errors
from cakupan.registry.services.persons import person_register
from cakupan.registry.services.scope_keys import scope_keys_refresh
from cakupan.registry.services.wages import _month_start, _wage_set

# A sanity bound, not a rule: far above any monthly wage, far below the BIGINT column's limit (a larger
# value would fail in the database instead of as a field error).
WAGE_MAX = 10**12
# How far ahead an end date may be set: a planned end (a contract's last day, a resignation's notice) is known
# months ahead, not decades; beyond this it is a slip (9999-12-31) and a field error, not an end.
END_AHEAD_MAX = dt.timedelta(days=366)


def end_date_too_far(end: dt.date) -> bool:
    return end > timezone.localdate() + END_AHEAD_MAX


def _employment_validate(errors: _Errors, data: dict[str, Any], born: dt.date | None = None) -> None:
    start, end = data.get("start_date"), data.get("end_date")
    if not isinstance(start, dt.date):
        errors.add("start_date", _("Enter the start date."))
    elif born is not None and start < born:
        errors.add("start_date", _("The employment cannot start before the person was born."))
    if end is not None and not isinstance(end, dt.date):
        errors.add("end_date", _("Enter the end date as a date, or leave it empty."))
    elif end is not None and isinstance(start, dt.date) and end < start:
        errors.add("end_date", _("The end date cannot be before the start date."))
    elif end is not None and end_date_too_far(end):
        errors.add("end_date", _("The end date can be at most a year ahead."))
    for name in ("basic_wage", "fixed_allowance"):
        value = data.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= WAGE_MAX:
            errors.add(name, _("Enter a whole number of Rupiah, zero or more."))
        elif name == "basic_wage" and value == 0:
            errors.add("basic_wage", _("The basic wage must be more than zero."))
    if data.get("occupation", "other") not in Employment.Occupation.values:
        errors.add("occupation", _("Unknown occupation group."))
    if data.get("civil_service", "NON_ASN") not in Employment.CivilService.values:
        errors.add("civil_service", _("Choose ASN or non-ASN."))


def _writable_employer(actor: Any, scope: Scope, employer: Any, errors: _Errors) -> Employer | None:
    """The employer if this actor may act for it; otherwise None and a field error."""
    pk = employer.pk if isinstance(employer, Employer) else employer
    found = None
    if (isinstance(pk, int) and not isinstance(pk, bool)) or (isinstance(pk, str) and pk.isdigit()):
        found = employer_list(user=actor, scope=scope).filter(pk=int(pk)).first()
    if found is None:
        errors.add("employer", _("Unknown employer, or one you may not act for."))
    return found


def _open_elsewhere(person_id: int, employer: Employer, exclude_pk: int | None = None) -> bool:
    others = Employment.objects.filter(person_id=person_id, employer=employer, end_date__isnull=True)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


@transaction.atomic
def employment_start(
    *,
    actor: Any,
    person: Person,
    employer: Employer | int,
    start_date: dt.date | None,
    basic_wage: int,
    fixed_allowance: int = 0,
    occupation: str = "other",
    civil_service: str = "NON_ASN",
    end_date: dt.date | None = None,
) -> Employment:
    scope = require(actor, Perm.REGISTRY_WRITE)
    errors = _Errors()
    data = {
        "start_date": start_date,
        "end_date": end_date,
        "basic_wage": basic_wage,
        "fixed_allowance": fixed_allowance,
        "occupation": occupation,
        "civil_service": civil_service,
    }
    _employment_validate(errors, data, born=person.birth_date)
    found = _writable_employer(actor, scope, employer, errors)
    if found is not None and end_date is None and _open_elsewhere(person.pk, found):
        errors.add("employer", _("This person already has an open employment with this employer."))
    if errors.items or found is None:
        raise InvalidInput(errors.items)
    try:
        with transaction.atomic():
            employment = Employment.objects.create(person=person, employer=found, **data)
    except IntegrityError as exc:  # a concurrent start of the same employment
        raise InvalidInput.single(
            "employer", _("This person already has an open employment with this employer.")
        ) from exc
    scope_keys_refresh([person.pk])
    assert start_date is not None  # validated above
    _wage_set(employment, start_date)  # the first wage holds from the start month
    audit_record(
        actor=actor, action="create", instance=employment, changes=snapshot(employment, EMPLOYMENT_FIELDS)
    )
    return employment


@transaction.atomic
def employment_update(
    *, actor: Any, employment: Employment, wage_from: dt.date | None = None, **fields: Any
) -> Employment:
    """Changes dates, wage and occupation; the person and the employer of an employment never change.

    A changed wage is kept in the wage history from the month of `wage_from` (default: this month); the
    month may not be before the employment's start month nor more than a year ahead."""
    scope = require(actor, Perm.REGISTRY_WRITE)
    if _writable_employer(actor, scope, employment.employer_id, _Errors()) is None:
        raise NotInScope
    errors = _Errors()
    before = snapshot(employment, EMPLOYMENT_FIELDS)
    data = {k: getattr(employment, k) for k in EMPLOYMENT_FIELDS if k not in ("person", "employer")}
    data.update({k: v for k, v in fields.items() if k in data})
    _employment_validate(errors, data, born=employment.person.birth_date)
    wage_month = _wage_month(errors, wage_from, data.get("start_date"))
    if data["end_date"] is None and _open_elsewhere(
        employment.person_id, employment.employer, exclude_pk=employment.pk
    ):
        errors.add("end_date", _("This person already has an open employment with this employer."))
    errors.raise_if_any()
    for key, value in data.items():
        setattr(employment, key, value)
    try:
        with transaction.atomic():
            employment.save()
    except IntegrityError as exc:  # a concurrent reopening
        raise InvalidInput.single(
            "end_date", _("This person already has an open employment with this employer.")
        ) from exc
    scope_keys_refresh([employment.person_id])  # save() wrote the instance's copy of the scope columns
    changes = diff(before, snapshot(employment, EMPLOYMENT_FIELDS))
    if wage_month is not None and ("basic_wage" in changes or "fixed_allowance" in changes):
        _wage_set(employment, wage_month)
        if wage_from is not None:  # a month given is recorded; the default is the current month
            changes["wage_from"] = [None, wage_month.isoformat()]
    if changes:
        audit_record(actor=actor, action="update", instance=employment, changes=changes)
    return employment


def _wage_month(errors: _Errors, wage_from: Any, start: Any) -> dt.date | None:
    """The first day of the month a changed wage starts in, checked (None with a field error)."""
    if wage_from is None:
        this_month = _month_start(timezone.localdate())
        return max(this_month, _month_start(start)) if isinstance(start, dt.date) else this_month
    if not isinstance(wage_from, dt.date):
        errors.add("wage_from", _("Enter the month the new wage starts in as a date."))
        return None
    month = _month_start(wage_from)
    if isinstance(start, dt.date) and month < _month_start(start):
        errors.add("wage_from", _("The new wage cannot start before the employment's start month."))
        return None
    if end_date_too_far(wage_from):
        errors.add("wage_from", _("The new wage can start at most a year ahead."))
        return None
    return month


@transaction.atomic
def worker_register(
    *, actor: Any, person: dict[str, Any], employer: Employer | int, employment: dict[str, Any]
) -> Employment:
    """A new worker and their employment in one step, as employers and branch staff register people."""
    errors: list[FieldError] = []
    new_person: Person | None = None
    try:
        with transaction.atomic():
            new_person = person_register(actor=actor, **person)
            return employment_start(actor=actor, person=new_person, employer=employer, **employment)
    except InvalidInput as exc:
        errors += exc.errors
    if new_person is None and may(actor, Perm.REGISTRY_WRITE):
        # The person failed: report the employment's own errors too, so one submit shows them all.
        probe = _Errors()
        _employment_validate(probe, {"fixed_allowance": 0, **employment})  # the defaults of employment_start
        _writable_employer(actor, scope_for(actor), employer, probe)
        errors += probe.items
    raise InvalidInput(errors)
