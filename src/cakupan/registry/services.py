"""Writes to the registry. Each service validates, writes in one transaction and records an audit event.

Every check that fails raises `InvalidInput` naming the field; nothing is written then.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.scope import Scope, scope_for
from cakupan.core.audit import audit_record, diff, snapshot
from cakupan.core.errors import FieldError, InvalidInput
from cakupan.regions.models import BranchOffice, Region
from cakupan.registry.models import (
    PROGRAMS_BY_SEGMENT,
    Citizenship,
    Employer,
    Employment,
    Membership,
    Person,
    Segment,
    Sex,
    Sponsor,
)
from cakupan.registry.nik import nik_check
from cakupan.registry.selectors import employer_list, person_list

PERSON_FIELDS = (
    "nik",
    "full_name",
    "birth_date",
    "sex",
    "phone",
    "address_region",
    "citizenship",
    "nik_warnings",
)
EMPLOYER_FIELDS = (
    "npp",
    "nib",
    "name",
    "legal_form",
    "size_class",
    "kbli",
    "risk_class",
    "region",
    "branch_office",
    "facility_type",
)
EMPLOYMENT_FIELDS = (
    "person",
    "employer",
    "start_date",
    "end_date",
    "basic_wage",
    "fixed_allowance",
    "occupation",
    "civil_service",
)
MEMBERSHIP_FIELDS = (
    "person",
    "kpj",
    "segment",
    "jkk",
    "jkm",
    "jht",
    "jp",
    "jkp",
    "start_date",
    "end_date",
    "status",
    "payer_kind",
    "employer",
    "employment",
    "sponsor",
    "declared_income",
    "bpu_sector",
)


class _Errors:
    """Collects field errors so a form shows all of them at once, not one per submit."""

    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, field: str, message: Any) -> None:
        self.items.append(FieldError(field, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidInput(self.items)


def _deny(field: str = "non_field_errors") -> InvalidInput:
    return InvalidInput.single(field, _("You may not make this change."))


def _region(code: Any, errors: _Errors, field: str) -> Region | None:
    region = Region.objects.filter(pk=str(code or "")).first() if code else None
    if region is None:
        errors.add(field, _("Unknown region code."))
    elif region.level < 2:
        errors.add(field, _("Choose a regency/city or a district, not a province."))
        return None
    return region


def _in_regions(scope: Scope, region: Region) -> bool:
    return scope.everything or region.code[:5] in scope.regency_codes


# --- persons -------------------------------------------------------------------------------------


def _person_validate(
    errors: _Errors,
    *,
    nik: str,
    full_name: str,
    birth_date: dt.date | None,
    sex: str,
    citizenship: str,
    phone: str,
) -> list[dict[str, str]]:
    if not (full_name or "").strip():
        errors.add("full_name", _("Enter the full name."))
    if birth_date is None:
        errors.add("birth_date", _("Enter the birth date."))
    elif birth_date > dt.date.today():
        errors.add("birth_date", _("The birth date cannot be in the future."))
    elif birth_date.year < 1900:
        errors.add("birth_date", _("The birth date is before 1900."))
    if sex not in Sex.values:
        errors.add("sex", _("Choose L (male) or P (female)."))
    if citizenship not in Citizenship.values:
        errors.add("citizenship", _("Choose WNI or WNA."))
    if phone and not phone.replace("+", "").replace("-", "").replace(" ", "").isdigit():
        errors.add("phone", _("A phone number has digits only (and an optional leading +)."))
    check = nik_check(nik, birth_date=birth_date, sex=sex if sex in Sex.values else None)
    for issue in check.errors:
        errors.add("nik", issue.message)
    return [w.as_dict() for w in check.warnings]


def _duplicate_nik(errors: _Errors, nik: str, exclude_pk: int | None = None) -> None:
    existing = Person.objects.filter(nik=nik).exclude(pk=exclude_pk).values_list("pk", flat=True).first()
    if existing is not None:
        errors.add("nik", _("This NIK is already registered as person #%(id)s.") % {"id": existing})


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
    scope = scope_for(actor)
    if not scope.can_write_registry():
        raise _deny()
    errors = _Errors()
    nik = "".join(str(nik or "").split())
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
    _duplicate_nik(errors, nik)
    errors.raise_if_any()
    assert region is not None and birth_date is not None
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
    audit_record(actor=actor, action="create", instance=person, changes=snapshot(person, PERSON_FIELDS))
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, **fields: Any) -> Person:
    scope = scope_for(actor)
    if (
        not scope.can_write_registry()
        or not person_list(user=actor, scope=scope).filter(pk=person.pk).exists()
    ):
        raise _deny()
    before = snapshot(person, PERSON_FIELDS)
    values = {
        "nik": person.nik,
        "full_name": person.full_name,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "phone": person.phone,
        "citizenship": person.citizenship,
    }
    values.update({k: v for k, v in fields.items() if k in values})
    values["nik"] = "".join(str(values["nik"] or "").split())
    errors = _Errors()
    warnings = _person_validate(errors, **values)
    region = person.address_region
    if "address_region" in fields:
        region = _region(fields["address_region"], errors, "address_region")  # type: ignore[assignment]
    _duplicate_nik(errors, values["nik"], exclude_pk=person.pk)
    errors.raise_if_any()
    for key, value in values.items():
        setattr(person, key, value)
    person.full_name = " ".join(person.full_name.split())
    person.address_region = region
    person.nik_warnings = warnings
    person.save()
    changes = diff(before, snapshot(person, PERSON_FIELDS))
    if changes:
        audit_record(actor=actor, action="update", instance=person, changes=changes)
    return person


# --- employers -----------------------------------------------------------------------------------


def _employer_validate(errors: _Errors, scope: Scope, data: dict[str, Any], exclude_pk: int | None) -> None:
    npp = str(data.get("npp") or "").strip().upper()
    if not npp or not npp.isalnum() or len(npp) > 20:
        errors.add("npp", _("Enter the NPP: letters and digits, at most 20."))
    elif Employer.objects.filter(npp=npp).exclude(pk=exclude_pk).exists():
        errors.add("npp", _("This NPP is already registered."))
    data["npp"] = npp
    nib = str(data.get("nib") or "").strip()
    if nib and (not nib.isdigit() or len(nib) != 13):
        errors.add("nib", _("An NIB has 13 digits."))
    elif nib and Employer.objects.filter(nib=nib).exclude(pk=exclude_pk).exists():
        errors.add("nib", _("This NIB is already registered."))
    data["nib"] = nib
    if not str(data.get("name") or "").strip():
        errors.add("name", _("Enter the employer's name."))
    if data.get("legal_form") not in Employer.LegalForm.values:
        errors.add("legal_form", _("Choose a legal form."))
    if data.get("size_class") not in Employer.SizeClass.values:
        errors.add("size_class", _("Choose micro, small, medium or large."))
    kbli = str(data.get("kbli") or "").strip()
    if not (kbli.isdigit() and len(kbli) == 5):
        errors.add("kbli", _("A KBLI code has 5 digits."))
    risk = data.get("risk_class")
    if not isinstance(risk, int) or isinstance(risk, bool) or not 1 <= risk <= 5:
        errors.add("risk_class", _("The JKK risk class is 1 to 5."))
    if data.get("facility_type", "") not in ["", *Employer.FacilityType.values]:
        errors.add("facility_type", _("Unknown health facility type."))
    region = _region(data.get("region"), errors, "region")
    if region is not None and not _in_regions(scope, region):
        errors.add("region", _("This region is outside your branch office's area."))
    data["region"] = region
    office = (
        BranchOffice.objects.filter(pk=data.get("branch_office")).first()
        if data.get("branch_office")
        else None
    )
    if office is None and region is not None:
        office = BranchOffice.objects.filter(regions=region.code[:5]).order_by("pk").first()
    if office is None:
        errors.add("branch_office", _("Choose the branch office."))
    elif scope.branch_office_id and office.pk != scope.branch_office_id:
        errors.add("branch_office", _("You can only file employers under your own branch office."))
    data["branch_office"] = office


@transaction.atomic
def employer_register(*, actor: Any, **data: Any) -> Employer:
    scope = scope_for(actor)
    if not scope.can_write_employers():
        raise _deny()
    errors = _Errors()
    _employer_validate(errors, scope, data, exclude_pk=None)
    errors.raise_if_any()
    values = {k: data.get(k, "") for k in EMPLOYER_FIELDS}
    values["name"] = " ".join(str(values["name"]).split())
    try:
        with transaction.atomic():
            employer = Employer.objects.create(**values)
    except IntegrityError as exc:
        raise InvalidInput.single("npp", _("This NPP or NIB is already registered.")) from exc
    audit_record(actor=actor, action="create", instance=employer, changes=snapshot(employer, EMPLOYER_FIELDS))
    return employer


@transaction.atomic
def employer_update(*, actor: Any, employer: Employer, **fields: Any) -> Employer:
    scope = scope_for(actor)
    if (
        not scope.can_write_employers()
        or not employer_list(user=actor, scope=scope).filter(pk=employer.pk).exists()
    ):
        raise _deny()
    before = snapshot(employer, EMPLOYER_FIELDS)
    data = {**before, **{k: v for k, v in fields.items() if k in EMPLOYER_FIELDS}}
    errors = _Errors()
    _employer_validate(errors, scope, data, exclude_pk=employer.pk)
    errors.raise_if_any()
    for key in EMPLOYER_FIELDS:
        setattr(employer, key, data[key])
    employer.name = " ".join(employer.name.split())
    employer.save()
    changes = diff(before, snapshot(employer, EMPLOYER_FIELDS))
    if changes:
        audit_record(actor=actor, action="update", instance=employer, changes=changes)
    return employer


# --- employment ----------------------------------------------------------------------------------


def _employment_validate(errors: _Errors, data: dict[str, Any]) -> None:
    start, end = data.get("start_date"), data.get("end_date")
    if not isinstance(start, dt.date):
        errors.add("start_date", _("Enter the start date."))
    if end is not None and isinstance(start, dt.date) and end < start:
        errors.add("end_date", _("The end date cannot be before the start date."))
    for name in ("basic_wage", "fixed_allowance"):
        value = data.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors.add(name, _("Enter a whole number of Rupiah, zero or more."))
    if isinstance(data.get("basic_wage"), int) and data["basic_wage"] == 0:
        errors.add("basic_wage", _("The basic wage must be more than zero."))
    if data.get("occupation", "other") not in Employment.Occupation.values:
        errors.add("occupation", _("Unknown occupation group."))
    if data.get("civil_service", "NON_ASN") not in Employment.CivilService.values:
        errors.add("civil_service", _("Choose ASN or non-ASN."))


def _writable_employer(
    actor: Any, scope: Scope, employer: Employer | int | None, errors: _Errors
) -> Employer | None:
    pk = employer.pk if isinstance(employer, Employer) else employer
    found = employer_list(user=actor, scope=scope).filter(pk=pk).first() if pk else None
    if found is None:
        errors.add("employer", _("Unknown employer, or one you may not act for."))
    return found


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
    scope = scope_for(actor)
    if not scope.can_write_registry():
        raise _deny()
    errors = _Errors()
    data = {
        "start_date": start_date,
        "end_date": end_date,
        "basic_wage": basic_wage,
        "fixed_allowance": fixed_allowance,
        "occupation": occupation,
        "civil_service": civil_service,
    }
    _employment_validate(errors, data)
    found = _writable_employer(actor, scope, employer, errors)
    if (
        found is not None
        and end_date is None
        and Employment.objects.filter(person=person, employer=found, end_date__isnull=True).exists()
    ):
        errors.add("employer", _("This person already has an open employment with this employer."))
    if person.birth_date and isinstance(start_date, dt.date) and start_date < person.birth_date:
        errors.add("start_date", _("The employment cannot start before the person was born."))
    errors.raise_if_any()
    employment = Employment.objects.create(person=person, employer=found, **data)
    audit_record(
        actor=actor, action="create", instance=employment, changes=snapshot(employment, EMPLOYMENT_FIELDS)
    )
    return employment


@transaction.atomic
def employment_update(*, actor: Any, employment: Employment, **fields: Any) -> Employment:
    scope = scope_for(actor)
    errors = _Errors()
    if not scope.can_write_registry():
        raise _deny()
    _writable_employer(actor, scope, employment.employer_id, errors)
    before = snapshot(employment, EMPLOYMENT_FIELDS)
    data = {k: getattr(employment, k) for k in EMPLOYMENT_FIELDS if k not in ("person", "employer")}
    data.update({k: v for k, v in fields.items() if k in data})
    _employment_validate(errors, data)
    errors.raise_if_any()
    for key, value in data.items():
        setattr(employment, key, value)
    employment.save()
    changes = diff(before, snapshot(employment, EMPLOYMENT_FIELDS))
    if changes:
        audit_record(actor=actor, action="update", instance=employment, changes=changes)
    return employment


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
    if new_person is None:  # the person failed: report the employment's own errors too
        probe = _Errors()
        _employment_validate(probe, dict(employment))
        errors += probe.items
    raise InvalidInput(errors)


# --- memberships ---------------------------------------------------------------------------------


def kpj_new() -> str:
    """An 11-digit participant number not yet in use (format unconfirmed: rules.md §9.3)."""
    while True:
        kpj = f"{secrets.randbelow(9 * 10**10) + 10**10}"
        if not Membership.objects.filter(kpj=kpj).exists():
            return kpj


def _membership_validate(errors: _Errors, actor: Any, scope: Scope, data: dict[str, Any]) -> None:
    segment = data.get("segment")
    if segment not in Segment.values:
        errors.add("segment", _("Choose PU, BPU, JAKON or PMI."))
        return
    programs = [str(p).upper() for p in data.get("programs") or []]
    allowed = PROGRAMS_BY_SEGMENT[segment]
    unknown = [p for p in programs if p not in ("JKK", "JKM", "JHT", "JP", "JKP")]
    if unknown:
        errors.add("programs", _("Unknown programme: %(names)s.") % {"names": ", ".join(unknown)})
    not_open = [p for p in programs if p not in allowed and p not in unknown]
    if not_open:
        errors.add(
            "programs",
            _("%(names)s is not open to segment %(segment)s.")
            % {"names": ", ".join(not_open), "segment": segment},
        )
    if not {"JKK", "JKM"} <= set(programs) and segment in (
        Segment.BPU,
        Segment.JAKON,
        Segment.PMI,
        Segment.PU,
    ):
        # JKK and JKM are the minimum for every segment (Perpres 109/2013 Pasal 6; rules.md §1).
        errors.add("programs", _("JKK and JKM are required."))
    if "JKP" in programs and not {"JKK", "JKM", "JHT"} <= set(programs):
        errors.add("programs", _("JKP needs JKK, JKM and JHT as well."))
    data["programs"] = programs
    start, end = data.get("start_date"), data.get("end_date")
    if not isinstance(start, dt.date):
        errors.add("start_date", _("Enter the start date."))
    elif end is not None and end < start:
        errors.add("end_date", _("The end date cannot be before the start date."))
    payer = data.get("payer_kind")
    if payer not in Membership.PayerKind.values:
        errors.add("payer_kind", _("Choose who pays: employer, self, sponsor or government."))
    employer = data.get("employer")
    if segment in (Segment.PU, Segment.JAKON) or payer == "employer" or employer:
        data["employer"] = _writable_employer(actor, scope, employer, errors)
    else:
        data["employer"] = None
    if segment == Segment.PU and payer != "employer":
        errors.add("payer_kind", _("Wage earners' contributions are paid by the employer."))
    sponsor = data.get("sponsor")
    if payer == "sponsor":
        found = Sponsor.objects.filter(pk=sponsor).first() if sponsor else None
        if found is None:
            errors.add("sponsor", _("Choose the sponsor who pays."))
        data["sponsor"] = found
    else:
        data["sponsor"] = None
    if segment == Segment.BPU:
        income = data.get("declared_income")
        if not isinstance(income, int) or isinstance(income, bool) or income <= 0:
            errors.add("declared_income", _("Enter the declared monthly income in whole Rupiah."))
        if data.get("bpu_sector") not in Membership.BpuSector.values:
            errors.add("bpu_sector", _("Choose transport or other."))
        if payer == "employer":
            errors.add(
                "payer_kind", _("Informal workers pay themselves or through a sponsor or the government.")
            )
    else:
        data["declared_income"] = None
        data["bpu_sector"] = ""
    if segment in (Segment.JAKON,) and payer not in ("employer", None):
        errors.add("payer_kind", _("Construction workers are paid for by the project's employer."))


@transaction.atomic
def membership_enrol(
    *,
    actor: Any,
    person: Person,
    segment: str,
    programs: list[str],
    start_date: dt.date | None,
    payer_kind: str,
    employer: Employer | int | None = None,
    employment: Employment | None = None,
    sponsor: Sponsor | int | None = None,
    declared_income: int | None = None,
    bpu_sector: str = "",
    kpj: str | None = None,
) -> Membership:
    scope = scope_for(actor)
    if not scope.can_write_registry():
        raise _deny()
    errors = _Errors()
    data: dict[str, Any] = {
        "segment": segment,
        "programs": programs,
        "start_date": start_date,
        "end_date": None,
        "payer_kind": payer_kind,
        "employer": employer.pk if isinstance(employer, Employer) else employer,
        "sponsor": sponsor.pk if isinstance(sponsor, Sponsor) else sponsor,
        "declared_income": declared_income,
        "bpu_sector": bpu_sector,
    }
    _membership_validate(errors, actor, scope, data)
    if person.citizenship != Citizenship.WNI and {"JP", "JKP"} & set(data["programs"]):
        errors.add("programs", _("JP and JKP are for Indonesian citizens only."))
    active = Membership.objects.filter(person=person, status=Membership.Status.ACTIVE)
    if data.get("employer") is not None and active.filter(employer=data["employer"]).exists():
        errors.add("employer", _("This person already has an active membership through this employer."))
    if data.get("employer") is None and active.filter(segment=segment, employer__isnull=True).exists():
        errors.add("segment", _("This person already has an active membership in this segment."))
    errors.raise_if_any()
    programs_set = set(data.pop("programs"))
    membership = Membership.objects.create(
        person=person,
        kpj=kpj or kpj_new(),
        employment=employment,
        **{f: f.upper() in programs_set for f in Membership.PROGRAM_FIELDS},
        **data,
    )
    audit_record(
        actor=actor, action="create", instance=membership, changes=snapshot(membership, MEMBERSHIP_FIELDS)
    )
    return membership


@transaction.atomic
def membership_end(*, actor: Any, membership: Membership, end_date: dt.date) -> Membership:
    scope = scope_for(actor)
    from cakupan.registry.selectors import membership_list

    if (
        not scope.can_write_registry()
        or not membership_list(user=actor, scope=scope).filter(pk=membership.pk).exists()
    ):
        raise _deny()
    if end_date < membership.start_date:
        raise InvalidInput.single("end_date", _("The end date cannot be before the start date."))
    before = snapshot(membership, MEMBERSHIP_FIELDS)
    membership.end_date = end_date
    membership.status = Membership.Status.ENDED
    membership.save(update_fields=["end_date", "status", "updated_at"])
    audit_record(
        actor=actor,
        action="end",
        instance=membership,
        changes=diff(before, snapshot(membership, MEMBERSHIP_FIELDS)),
    )
    return membership


@transaction.atomic
def sponsor_register(
    *, actor: Any, name: str, kind: str, region: str, employer: int | None = None
) -> Sponsor:
    scope = scope_for(actor)
    if not scope.can_write_employers():
        raise _deny()
    errors = _Errors()
    if not (name or "").strip():
        errors.add("name", _("Enter the sponsor's name."))
    elif Sponsor.objects.filter(name=" ".join(name.split()), kind=kind).exists():
        errors.add("name", _("A sponsor with this name and kind exists."))
    if kind not in Sponsor.Kind.values:
        errors.add("kind", _("Choose APBD, CSR or donor."))
    found_region = _region(region, errors, "region")
    company = Employer.objects.filter(pk=employer).first() if employer else None
    if employer and company is None:
        errors.add("employer", _("Unknown employer."))
    errors.raise_if_any()
    sponsor = Sponsor.objects.create(
        name=" ".join(name.split()), kind=kind, region=found_region, employer=company
    )
    audit_record(actor=actor, action="create", instance=sponsor, changes={"name": sponsor.name, "kind": kind})
    return sponsor
