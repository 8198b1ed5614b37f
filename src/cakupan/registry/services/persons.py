"""Writes to persons (NIK holders)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, may, require
from cakupan.accounts.scope import Scope
from cakupan.core.audit import audit_record, diff, snapshot
from cakupan.core.errors import Forbidden, InvalidInput, NotInScope
from cakupan.regions.models import Region
from cakupan.registry.models import Citizenship, Person, Sex
from cakupan.registry.nik import nik_check, nik_normalise
from cakupan.registry.selectors import person_list
from cakupan.registry.services._common import PERSON_FIELDS, _Errors, _region
from cakupan.registry.services.scope_keys import scope_keys_refresh

_NAME_MAX = Person._meta.get_field("full_name").max_length or 160
_PHONE_MAX = Person._meta.get_field("phone").max_length or 20


def _person_validate(
    errors: _Errors,
    *,
    nik: str,
    full_name: Any,
    birth_date: Any,
    sex: Any,
    citizenship: Any,
    phone: Any,
) -> list[dict[str, str]]:
    """Checks every field and returns the NIK's warnings (stored with the person for review)."""
    if not isinstance(full_name, str) or not full_name.strip():
        errors.add("full_name", _("Enter the full name."))
    else:
        errors.check_length("full_name", " ".join(full_name.split()), _NAME_MAX)
    if not isinstance(birth_date, dt.date):
        errors.add("birth_date", _("Enter the birth date."))
        birth_date = None
    elif birth_date > dt.date.today():
        errors.add("birth_date", _("The birth date cannot be in the future."))
    elif birth_date.year < 1900:
        errors.add("birth_date", _("The birth date is before 1900."))
    if sex not in Sex.values:
        errors.add("sex", _("Choose L (male) or P (female)."))
    if citizenship not in Citizenship.values:
        errors.add("citizenship", _("Choose WNI or WNA."))
    if not isinstance(phone, str):
        errors.add("phone", _("A phone number has digits only (and an optional leading +)."))
    elif phone.strip():
        digits = phone.strip().removeprefix("+").replace("-", "").replace(" ", "")
        if not (digits.isascii() and digits.isdigit()):
            errors.add("phone", _("A phone number has digits only (and an optional leading +)."))
        else:
            errors.check_length("phone", phone.strip(), _PHONE_MAX)
    check = nik_check(nik, birth_date=birth_date, sex=sex if sex in Sex.values else None)
    for issue in check.errors:
        errors.add("nik", issue.message)
    return [w.as_dict() for w in check.warnings]


def _duplicate_nik(errors: _Errors, nik: str, scope: Scope, exclude_pk: int | None = None) -> None:
    others = Person.objects.filter(nik=nik)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    existing = others.values_list("pk", flat=True).first()
    if existing is None:
        return
    # The record is named only to a user who may see it; to others it must not say who holds the NIK.
    if person_list(user=None, scope=scope).filter(pk=existing).exists():
        errors.add("nik", _("This NIK is already registered as person #%(id)s.") % {"id": existing})
    else:
        errors.add("nik", _("This NIK is already registered."))


@transaction.atomic
def person_register(
    *,
    actor: Any,
    nik: str,
    full_name: str,
    birth_date: dt.date | None,
    sex: str,
    address_region: str,
    phone: str = "",
    citizenship: str = Citizenship.WNI,
) -> Person:
    # REGISTRY_WRITE, not PERSON_CREATE: employer HR registers its new workers through worker_register.
    scope = require(actor, Perm.REGISTRY_WRITE)
    errors = _Errors()
    nik = nik_normalise(nik)
    warnings = _person_validate(
        errors,
        nik=nik,
        full_name=full_name,
        birth_date=birth_date,
        sex=sex,
        citizenship=citizenship,
        phone=phone,
    )
    region = _region(address_region, errors, "address_region")
    _duplicate_nik(errors, nik, scope)
    if errors.items or region is None or birth_date is None:  # a None has its error in `errors`
        raise InvalidInput(errors.items)
    try:
        with transaction.atomic():
            person = Person.objects.create(
                nik=nik,
                full_name=" ".join(full_name.split()),
                birth_date=birth_date,
                sex=sex,
                address_region=region,
                phone=phone.strip(),
                citizenship=citizenship,
                nik_warnings=warnings,
            )
    except IntegrityError as exc:  # a concurrent registration of the same NIK
        raise InvalidInput.single("nik", _("This NIK is already registered.")) from exc
    scope_keys_refresh([person.pk])
    audit_record(actor=actor, action="create", instance=person, changes=snapshot(person, PERSON_FIELDS))
    return person


IDENTITY_FIELDS = ("nik", "full_name", "birth_date", "sex", "citizenship")


def _identity_unchanged_unless_office(scope: Scope, person: Person, values: dict[str, Any]) -> None:
    """An employer or another role that linked a registered person may not rewrite who that person is for
    everyone else (issue 12): a change to an identity field needs Perm.PERSON_IDENTITY_WRITE."""
    if may(scope, Perm.PERSON_IDENTITY_WRITE):
        return
    name = values["full_name"]
    proposed = {**values, "full_name": " ".join(name.split()) if isinstance(name, str) else name}
    if any(proposed[key] != getattr(person, key) for key in IDENTITY_FIELDS):
        raise Forbidden(
            _("Only the branch office corrects a person's NIK, name, birth date, sex or citizenship.")
        )


@transaction.atomic
def person_update(*, actor: Any, person: Person, **fields: Any) -> Person:
    """Changes the given fields (nik, full_name, birth_date, sex, phone, citizenship, address_region)."""
    scope = require(actor, Perm.REGISTRY_WRITE)
    if not person_list(user=actor, scope=scope).filter(pk=person.pk).exists():
        raise NotInScope
    before = snapshot(person, PERSON_FIELDS)
    values: dict[str, Any] = {
        "nik": person.nik,
        "full_name": person.full_name,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "phone": person.phone,
        "citizenship": person.citizenship,
    }
    values.update({k: v for k, v in fields.items() if k in values})
    values["nik"] = nik_normalise(values["nik"])
    _identity_unchanged_unless_office(scope, person, values)
    errors = _Errors()
    warnings = _person_validate(errors, **values)
    region: Region | None = person.address_region
    if "address_region" in fields:
        region = _region(fields["address_region"], errors, "address_region")
    _duplicate_nik(errors, values["nik"], scope, exclude_pk=person.pk)
    if errors.items or region is None:
        raise InvalidInput(errors.items)
    for key, value in values.items():
        setattr(person, key, value)
    person.full_name = " ".join(person.full_name.split())
    person.phone = person.phone.strip()
    person.address_region = region
    person.nik_warnings = warnings
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:  # a concurrent registration of the same NIK
        raise InvalidInput.single("nik", _("This NIK is already registered.")) from exc
    scope_keys_refresh([person.pk])  # the address decides who sees the person and their jobs
    changes = diff(before, snapshot(person, PERSON_FIELDS))
    if changes:
        audit_record(actor=actor, action="update", instance=person, changes=changes)
    return person
