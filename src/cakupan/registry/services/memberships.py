"""Writes to memberships: enrolment in programmes and its end."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.accounts.scope import Scope
from cakupan.core import display
from cakupan.core.audit import audit_record, diff, snapshot
from cakupan.core.errors import InvalidInput, NotInScope
from cakupan.registry.models import (
    PROGRAMS_BY_SEGMENT,
    Citizenship,
    Employer,
    Employment,
    Membership,
    Person,
    Program,
    Segment,
    Sponsor,
)
from cakupan.registry.selectors import membership_list, person_list, sponsor_list
from cakupan.registry.services._common import MEMBERSHIP_FIELDS, _Errors
from cakupan.registry.services.employment import WAGE_MAX, _writable_employer, end_date_too_far
from cakupan.registry.services.scope_keys import scope_keys_refresh
from cakupan.rules.contributions import contribution_tables
from cakupan.rules.period import Period


def kpj_new() -> str:
    """An 11-digit participant number not yet in use (format unconfirmed: rules.md §9.3)."""
    while True:
        kpj = f"{secrets.randbelow(9 * 10**10) + 10**10}"
        if not Membership.objects.filter(kpj=kpj).exists():
            return kpj


def _programs_validate(errors: _Errors, segment: str | None, raw: Any) -> list[str]:
    if not isinstance(raw, (list, tuple, set, frozenset)) or not all(isinstance(p, str) for p in raw):
        errors.add("programs", _("Choose the programmes as a list, e.g. JKK, JKM."))
        return []
    programs = sorted({p.strip().upper() for p in raw})
    unknown = [p for p in programs if p not in Program.values]
    if unknown:
        errors.add("programs", _("Unknown programme: %(names)s.") % {"names": ", ".join(unknown)})
    if segment is None:
        return programs
    # JP and JKP only for wage earners, no JHT for Jakon (PP 45/2015, PP 37/2021, Permenakertrans 44/2015;
    # rules.md §1.1-1.4).
    not_open = [p for p in programs if p not in PROGRAMS_BY_SEGMENT[segment] and p not in unknown]
    if not_open:
        errors.add(
            "programs",
            _("%(names)s is not open to segment %(segment)s.")
            % {"names": ", ".join(not_open), "segment": segment},
        )
    if not {"JKK", "JKM"} <= set(programs):
        # JKK and JKM are the minimum for every segment (Perpres 109/2013 Pasal 6; rules.md §1).
        errors.add("programs", _("JKK and JKM are required."))
    if "JKP" in programs and not {"JKK", "JKM", "JHT"} <= set(programs):
        errors.add("programs", _("JKP needs JKK, JKM and JHT as well."))
    return programs


def _sponsor_in_scope(actor: Any, scope: Scope, sponsor: Any) -> Sponsor | None:
    pk = sponsor.pk if isinstance(sponsor, Sponsor) else sponsor
    if isinstance(pk, str) and pk.isascii() and pk.isdigit():
        pk = int(pk)
    if not isinstance(pk, int) or isinstance(pk, bool):
        return None
    return sponsor_list(user=actor, scope=scope).filter(pk=pk).first()


def _membership_validate(errors: _Errors, actor: Any, scope: Scope, data: dict[str, Any]) -> None:
    segment = data.get("segment")
    if segment not in Segment.values:
        errors.add("segment", _("Choose PU, BPU, JAKON or PMI."))
        segment = None
    data["programs"] = _programs_validate(errors, segment, data.get("programs"))
    start, end = data.get("start_date"), data.get("end_date")
    if not isinstance(start, dt.date):
        errors.add("start_date", _("Enter the start date."))
    elif end is not None and end < start:
        errors.add("end_date", _("The end date cannot be before the start date."))
    elif end is not None and end_date_too_far(end):
        errors.add("end_date", _("The end date can be at most a year ahead."))
    payer = data.get("payer_kind")
    if payer not in Membership.PayerKind.values:
        errors.add("payer_kind", _("Choose who pays: employer, self, sponsor or government."))
    employer = data.get("employer")
    if segment in (Segment.PU, Segment.JAKON) or payer == "employer" or employer:
        data["employer"] = _writable_employer(actor, scope, employer, errors)
    elif scope.employer_id is not None:
        # An employer enrols its own workers, through itself; not anyone in any segment.
        errors.add("employer", _("Enrol through your own employer."))
        data["employer"] = None
    else:
        data["employer"] = None
    if segment == Segment.PU and payer != "employer":
        errors.add("payer_kind", _("Wage earners' contributions are paid by the employer."))
    if payer == "sponsor":
        found = _sponsor_in_scope(actor, scope, data.get("sponsor"))
        if found is None:
            errors.add("sponsor", _("Choose the sponsor who pays."))
        data["sponsor"] = found
    else:
        data["sponsor"] = None
    if segment == Segment.BPU:
        income = data.get("declared_income")
        if not isinstance(income, int) or isinstance(income, bool) or not 0 < income <= WAGE_MAX:
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
    if segment == Segment.JAKON and payer in Membership.PayerKind.values and payer != "employer":
        errors.add("payer_kind", _("Construction workers are paid for by the project's employer."))


def _employment_validate(errors: _Errors, person: Person, employer: Employer | None, employment: Any) -> None:
    if employment is None:
        return
    if (
        not isinstance(employment, Employment)
        or employment.person_id != person.pk
        or employer is None
        or employment.employer_id != employer.pk
    ):
        errors.add("employment", _("The employment must be this person's, with the membership's employer."))


def _kpj_validate(errors: _Errors, kpj: Any) -> None:
    if kpj is None or kpj == "":
        return
    if not isinstance(kpj, str) or len(kpj) != 11 or not (kpj.isascii() and kpj.isdigit()):
        errors.add("kpj", _("A KPJ number has 11 digits."))
    elif Membership.objects.filter(kpj=kpj).exists():
        errors.add("kpj", _("This KPJ number is already in use."))


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
    contract_value: int | None = None,
    contract_months: int | None = None,
    pmi_jht_amount: int | None = None,
    pmi_individual: bool = False,
) -> Membership:
    scope = require(actor, Perm.REGISTRY_WRITE)
    errors = _Errors()
    data: dict[str, Any] = {
        "segment": segment,
        "programs": programs,
        "start_date": start_date,
        "end_date": None,
        "payer_kind": payer_kind,
        "employer": employer,
        "sponsor": sponsor,
        "declared_income": declared_income,
        "bpu_sector": bpu_sector,
    }
    _membership_validate(errors, actor, scope, data)
    if (
        data["employer"] is None
        and not scope.everything
        and not person_list(user=actor, scope=scope).filter(pk=person.pk).exists()
    ):
        # Without an employer in scope, the person must be: nobody enrols people they cannot see.
        errors.add("person", _("This person is outside your area."))
    _employment_validate(errors, person, data["employer"], employment)
    _kpj_validate(errors, kpj)
    _contract_validate(errors, segment, contract_value, contract_months)
    _pmi_validate(errors, data, pmi_jht_amount, pmi_individual)
    if person.citizenship != Citizenship.WNI and {"JP", "JKP"} & set(data["programs"]):
        # JP and JKP are for Indonesian citizens (rules.md §1.1).
        errors.add("programs", _("JP and JKP are for Indonesian citizens only."))
    memberships_end_due(person=person)  # an end reached since it was scheduled frees the slot
    active = Membership.objects.filter(person=person, status=Membership.Status.ACTIVE)
    if data["employer"] is not None and active.filter(employer=data["employer"]).exists():
        errors.add("employer", _("This person already has an active membership through this employer."))
    if (
        data["employer"] is None
        and segment in Segment.values
        and active.filter(segment=segment, employer__isnull=True).exists()
    ):
        errors.add("segment", _("This person already has an active membership in this segment."))
    errors.raise_if_any()
    programs_set = set(data.pop("programs"))
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                person=person,
                kpj=kpj or kpj_new(),
                employment=employment,
                **{f: f.upper() in programs_set for f in Membership.PROGRAM_FIELDS},
                **data,
                contract_value=contract_value,
                contract_months=contract_months,
                pmi_jht_amount=pmi_jht_amount,
                pmi_individual=pmi_individual,
            )
    except IntegrityError as exc:  # a concurrent enrolment of the same person, or of the same KPJ
        raise InvalidInput.single(
            "segment", _("This person already has an active membership in this segment.")
        ) from exc
    scope_keys_refresh([person.pk])
    audit_record(
        actor=actor, action="create", instance=membership, changes=snapshot(membership, MEMBERSHIP_FIELDS)
    )
    return membership


def _contract_validate(
    errors: _Errors, segment: str, contract_value: int | None, contract_months: int | None
) -> None:
    """Jakon gives its contract value, PMI its contract length (what billing prices them by); no other
    segment has either."""
    if contract_value is not None:
        if segment != Segment.JAKON:
            errors.add("contract_value", _("Only construction (Jakon) memberships have a contract value."))
        elif not _whole(contract_value, 10**15):
            errors.add(
                "contract_value", _("Enter the contract value as a whole number of Rupiah above zero.")
            )
    if contract_months is not None:
        if segment != Segment.PMI:
            errors.add("contract_months", _("Only migrant worker (PMI) memberships have a contract length."))
        elif not _whole(contract_months, 1200):
            errors.add("contract_months", _("Enter the contract length as whole months, 1 to 1200."))


def _pmi_validate(errors: _Errors, data: dict[str, Any], jht_amount: Any, individual: Any) -> None:
    """A PMI member in JHT may name the amount chosen, one of the rule table's choices for the start month
    (Permenaker 4/2023, rules.md §3.2); no other membership has one. Without it billing leaves JHT out (the
    API and the enrolment reviews have no such field; the registry's page requires it). `individual` is a
    PMI's only."""
    segment, start = data["segment"], data["start_date"]
    in_jht = "JHT" in set(data["programs"] or ())
    if not isinstance(individual, bool):
        errors.add("pmi_individual", _("Enter true or false."))
    elif individual and segment != Segment.PMI:
        errors.add("pmi_individual", _("Only migrant worker (PMI) memberships go with or without an agency."))
    if segment != Segment.PMI or not in_jht:
        if jht_amount is not None:
            errors.add("pmi_jht_amount", _("Only a migrant worker (PMI) in JHT chooses a JHT amount."))
        return
    if jht_amount is None or not isinstance(start, dt.date):
        return  # the start date's own error is reported
    table = contribution_tables().for_period(Period.of(start)).pmi_jht
    choices = [c.value for c in table.choices] if table is not None else []
    if jht_amount not in choices or isinstance(jht_amount, bool):
        allowed = ", ".join(display.rupiah(c) for c in choices) or "—"
        errors.add("pmi_jht_amount", _("Choose the JHT amount: %(allowed)s.") % {"allowed": allowed})


def _whole(value: Any, top: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= top


def ended_by(day: dt.date) -> Q:
    """The one rule for "ended": a membership ends on its end date. Before that day an end date only
    schedules the end: the status stays active, and billing and coverage (which read the dates) count the
    member up to and including that day."""
    return Q(end_date__isnull=False, end_date__lte=day)


@transaction.atomic
def membership_end(*, actor: Any, membership: Membership, end_date: dt.date) -> Membership:
    """End a membership on `end_date`: at once when that day has come, else scheduled (status stays active
    until then; `memberships_end_due` ends it on the day). A scheduled end may be moved."""
    scope = require(actor, Perm.REGISTRY_WRITE)
    if not membership_list(user=actor, scope=scope).filter(pk=membership.pk).exists():
        raise NotInScope
    if not isinstance(end_date, dt.date):
        raise InvalidInput.single("end_date", _("Enter the end date."))
    if end_date < membership.start_date:
        raise InvalidInput.single("end_date", _("The end date cannot be before the start date."))
    if end_date_too_far(end_date):
        raise InvalidInput.single("end_date", _("The end date can be at most a year ahead."))
    if membership.status == Membership.Status.ENDED:
        raise InvalidInput.single("end_date", _("This membership has already ended."))
    before = snapshot(membership, MEMBERSHIP_FIELDS)
    membership.end_date = end_date
    if end_date <= timezone.localdate():
        membership.status = Membership.Status.ENDED
    membership.save(update_fields=["end_date", "status", "updated_at"])
    audit_record(
        actor=actor,
        action="end" if membership.status == Membership.Status.ENDED else "end_scheduled",
        instance=membership,
        changes=diff(before, snapshot(membership, MEMBERSHIP_FIELDS)),
    )
    return membership


@transaction.atomic
def memberships_end_due(
    *, actor: Any = None, person: Person | None = None, today: dt.date | None = None
) -> int:
    """End every active membership whose scheduled end date has come (of one person, or all): one UPDATE
    and, when any ended, one audit event. Run by the billing run and before an enrolment."""
    due = Membership.objects.filter(ended_by(today or timezone.localdate()), status=Membership.Status.ACTIVE)
    if person is not None:
        due = due.filter(person=person)
    ids = list(due.values_list("pk", flat=True)[:1000])
    if not ids:
        return 0
    ended = due.update(status=Membership.Status.ENDED, updated_at=timezone.now())
    audit_record(
        actor=actor,
        action="end_due",
        entity="registry.membership",
        changes={"ended": ended, "memberships": ids},
    )
    return ended
