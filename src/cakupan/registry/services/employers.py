"""Writes to employers (NPP holders)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.accounts.scope import Scope
from cakupan.core.audit import audit_record, diff, snapshot
from cakupan.core.errors import InvalidInput, NotInScope
from cakupan.regions.models import BranchOffice, Region
from cakupan.registry.models import Employer
from cakupan.registry.selectors import employer_list
from cakupan.registry.services._common import EMPLOYER_FIELDS, _Errors, _in_regions, _region
from cakupan.registry.services.scope_keys import persons_of_employer, scope_keys_refresh

_NAME_MAX = Employer._meta.get_field("name").max_length or 200


def _digits(value: str, length: int) -> bool:
    return len(value) == length and value.isascii() and value.isdigit()


def _employer_validate(errors: _Errors, scope: Scope, data: dict[str, Any], current: Employer | None) -> None:
    """Checks `data` and replaces its values by clean ones (region and branch office as objects).

    `current` is the employer being updated: its region and office stay acceptable even when the scope
    would not allow choosing them now (an office also sees employers filed under it elsewhere).
    """
    exclude_pk = current.pk if current is not None else None
    others = Employer.objects.exclude(pk=exclude_pk) if exclude_pk is not None else Employer.objects.all()
    npp = str(data.get("npp") or "").strip().upper()
    if not npp or not (npp.isascii() and npp.isalnum()) or len(npp) > 20:
        errors.add("npp", _("Enter the NPP: letters and digits, at most 20."))
    elif others.filter(npp=npp).exists():
        errors.add("npp", _("This NPP is already registered."))
    data["npp"] = npp
    nib = str(data.get("nib") or "").strip()
    if nib and not _digits(nib, 13):
        errors.add("nib", _("An NIB has 13 digits."))
    elif nib and others.filter(nib=nib).exists():
        errors.add("nib", _("This NIB is already registered."))
    data["nib"] = nib
    name = " ".join(str(data.get("name") or "").split())
    if not name:
        errors.add("name", _("Enter the employer's name."))
    errors.check_length("name", name, _NAME_MAX)
    data["name"] = name
    if data.get("legal_form") not in Employer.LegalForm.values:
        errors.add("legal_form", _("Choose a legal form."))
    if data.get("size_class") not in Employer.SizeClass.values:
        errors.add("size_class", _("Choose micro, small, medium or large."))
    kbli = str(data.get("kbli") or "").strip()
    if not _digits(kbli, 5):
        errors.add("kbli", _("A KBLI code has 5 digits."))
    data["kbli"] = kbli
    risk = data.get("risk_class")
    if not isinstance(risk, int) or isinstance(risk, bool) or not 1 <= risk <= 5:
        errors.add("risk_class", _("The JKK risk class is 1 to 5."))
    if data.get("facility_type", "") not in ["", *Employer.FacilityType.values]:
        errors.add("facility_type", _("Unknown health facility type."))
    region = _region(data.get("region"), errors, "region")
    moved = current is None or region is None or region.pk != current.region_id
    if region is not None and moved and not _in_regions(scope, region):
        errors.add("region", _("This region is outside your branch office's area."))
    data["region"] = region
    data["branch_office"] = _office(errors, scope, data.get("branch_office"), region, current)


def _office(
    errors: _Errors, scope: Scope, wanted: Any, region: Region | None, current: Employer | None
) -> BranchOffice | None:
    office: BranchOffice | None = None
    if isinstance(wanted, BranchOffice):
        office = wanted
    elif wanted:
        pk = str(wanted)
        office = BranchOffice.objects.filter(pk=int(pk)).first() if pk.isdigit() else None
    elif scope.branch_office_id is not None:
        office = BranchOffice.objects.filter(pk=scope.branch_office_id).first()
    elif region is not None:
        office = BranchOffice.objects.filter(regions=region.code[:5]).order_by("pk").first()
    if office is None:
        errors.add("branch_office", _("Choose the branch office."))
    elif (
        scope.branch_office_id is not None
        and office.pk != scope.branch_office_id
        and (current is None or office.pk != current.branch_office_id)
    ):
        errors.add("branch_office", _("You can only file employers under your own branch office."))
    return office


@transaction.atomic
def employer_register(*, actor: Any, **data: Any) -> Employer:
    scope = require(actor, Perm.EMPLOYER_WRITE)
    errors = _Errors()
    _employer_validate(errors, scope, data, current=None)
    errors.raise_if_any()
    values = {k: data.get(k, "") for k in EMPLOYER_FIELDS}
    try:
        with transaction.atomic():
            employer = Employer.objects.create(**values)
    except IntegrityError as exc:
        raise InvalidInput.single("npp", _("This NPP or NIB is already registered.")) from exc
    audit_record(actor=actor, action="create", instance=employer, changes=snapshot(employer, EMPLOYER_FIELDS))
    return employer


@transaction.atomic
def employer_update(*, actor: Any, employer: Employer, **fields: Any) -> Employer:
    scope = require(actor, Perm.EMPLOYER_WRITE)
    if not employer_list(user=actor, scope=scope).filter(pk=employer.pk).exists():
        raise NotInScope
    before = snapshot(employer, EMPLOYER_FIELDS)
    data = {**before, **{k: v for k, v in fields.items() if k in EMPLOYER_FIELDS}}
    errors = _Errors()
    _employer_validate(errors, scope, data, current=employer)
    errors.raise_if_any()
    for key in EMPLOYER_FIELDS:
        setattr(employer, key, data[key])
    try:
        with transaction.atomic():
            employer.save()
    except IntegrityError as exc:  # a concurrent registration of the same NPP or NIB
        raise InvalidInput.single("npp", _("This NPP or NIB is already registered.")) from exc
    changes = diff(before, snapshot(employer, EMPLOYER_FIELDS))
    if {"region", "branch_office", "facility_type"} & changes.keys():  # who sees its workers
        scope_keys_refresh(persons_of_employer(employer.pk), employers=[employer.pk])
    if changes:
        audit_record(actor=actor, action="update", instance=employer, changes=changes)
    return employer
