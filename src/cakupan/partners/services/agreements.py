"""Writes to cooperation agreements (PKS): create, edit, move along the lifecycle, tick obligations, add
KPIs. Each is one transaction that checks every field first (InvalidInput lists them all, nothing
written) and records one audit event. Only office staff write, and only for their own office's
agreements (accounts.scope); the status lifecycle is models.TRANSITIONS, checked here and, for the
signature, by a database constraint."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.accounts.scope import Scope
from cakupan.core.audit import audit_record, diff, snapshot
from cakupan.core.errors import FieldError, InvalidInput, NotInScope
from cakupan.partners.kpis import definitions
from cakupan.partners.kpis.compute import month_parse
from cakupan.partners.models import (
    TRANSITIONS,
    Agreement,
    AgreementKpi,
    AgreementParty,
    AgreementStatus,
    Obligation,
    ObligationMark,
    PartnerAgency,
)
from cakupan.regions.models import BranchOffice, Region
from cakupan.registry.models import Employer, Segment, Sponsor

FIELDS = (
    "number",
    "title",
    "branch_office",
    "region",
    "signed_on",
    "valid_from",
    "valid_to",
    "sectors",
    "segments",
)
EDITABLE = ("title", "region", "signed_on", "valid_from", "valid_to", "sectors", "segments")
_NUMBER_MAX = Agreement._meta.get_field("number").max_length or 80
_TITLE_MAX = Agreement._meta.get_field("title").max_length or 200


def _date(value: Any, field: str, errors: list[FieldError], *, required: bool = True) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text:
        if required:
            errors.append(FieldError(field, _("Enter a date as YYYY-MM-DD.")))
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.append(FieldError(field, _("Enter a date as YYYY-MM-DD.")))
        return None


def _text(value: Any, field: str, limit: int, errors: list[FieldError], message: Any) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        errors.append(FieldError(field, message))
    elif len(text) > limit:
        errors.append(FieldError(field, _("At most %(max)s characters.") % {"max": limit}))
    return text


def _codes(value: Any, field: str, allowed: list[str] | None, errors: list[FieldError]) -> list[str]:
    if value in (None, ""):
        return []
    items = [str(v).strip() for v in (value if isinstance(value, list | tuple) else str(value).split(","))]
    items = [v for v in items if v]
    if allowed is not None and any(v not in allowed for v in items):
        errors.append(FieldError(field, _("Choose from the list.")))
    return sorted(set(items))


def _office_of(scope: Scope, office: Any, errors: list[FieldError]) -> BranchOffice | None:
    """The office party: one's own for branch staff; any for the national administrator."""
    if scope.branch_office_id is not None:
        if office not in (None, "", scope.branch_office_id, str(scope.branch_office_id)):
            raise NotInScope
        return BranchOffice.objects.get(pk=scope.branch_office_id)
    text = str(office or "").strip()
    found = (
        BranchOffice.objects.filter(pk=int(text)).first()
        if text.isdigit()
        else BranchOffice.objects.filter(code=text).first()
    )
    if found is None:
        errors.append(FieldError("branch_office", _("Choose a branch office.")))
    return found


def _region(code: Any, office: BranchOffice | None, errors: list[FieldError]) -> Region | None:
    region = Region.objects.filter(code=str(code or "").strip(), level=2).first()
    if region is None:
        errors.append(FieldError("region", _("Choose a regency or city.")))
        return None
    if office is not None and not office.regions.filter(code=region.code).exists():
        errors.append(FieldError("region", _("The branch office does not serve this regency or city.")))
    return region


def _validity(values: dict[str, Any], errors: list[FieldError]) -> None:
    start, end, signed = values.get("valid_from"), values.get("valid_to"), values.get("signed_on")
    if start and end and end <= start:
        errors.append(FieldError("valid_to", _("The agreement must end after it starts.")))
    if signed and end and signed > end:
        errors.append(FieldError("signed_on", _("Signed after the agreement ended.")))


def _parties(items: Any, errors: list[FieldError]) -> list[AgreementParty]:
    """Counterparties from [{"kind", "id" | "name"}]: an agency, a government (a regency code), a company
    (an employer id), an association (its name), a sponsor (a sponsor id)."""
    out: list[AgreementParty] = []
    models: dict[str, tuple[str, Any]] = {
        AgreementParty.Kind.AGENCY: ("agency", PartnerAgency),
        AgreementParty.Kind.EMPLOYER: ("employer", Employer),
        AgreementParty.Kind.SPONSOR: ("sponsor", Sponsor),
    }
    for item in items or []:
        kind = str(item.get("kind", "")) if isinstance(item, dict) else ""
        ref = item.get("id") if isinstance(item, dict) else None
        if kind in models:
            attr, model = models[kind]
            obj = model.objects.filter(pk=ref).first() if str(ref or "").isdigit() else None
            if obj is None:
                errors.append(FieldError("parties", _("Unknown party.")))
                continue
            out.append(AgreementParty(kind=kind, name=str(obj)[:200], **{attr: obj}))
        elif kind == AgreementParty.Kind.GOVERNMENT:
            region = Region.objects.filter(code=str(ref or ""), level=2).first()
            if region is None:
                errors.append(FieldError("parties", _("Unknown party.")))
                continue
            out.append(AgreementParty(kind=kind, government=region, name=f"Pemerintah {region.name}"[:200]))
        elif kind == AgreementParty.Kind.ASSOCIATION:
            name = " ".join(str(item.get("name", "")).split())[:200]
            if not name:
                errors.append(FieldError("parties", _("Name the association.")))
                continue
            out.append(AgreementParty(kind=kind, name=name))
        else:
            errors.append(FieldError("parties", _("Choose a kind of party.")))
    if not out and not any(e.field == "parties" for e in errors):
        errors.append(FieldError("parties", _("Name at least one counterparty.")))
    return out


def _obligations(items: Any, errors: list[FieldError]) -> list[Obligation]:
    out = []
    for item in items or []:
        kind = str(item.get("kind", "") if isinstance(item, dict) else item)
        if kind not in Obligation.Kind.values:
            errors.append(FieldError("obligations", _("Choose an obligation from the list.")))
            continue
        party = " ".join(str(item.get("party", "")).split())[:200] if isinstance(item, dict) else ""
        note = " ".join(str(item.get("note", "")).split())[:300] if isinstance(item, dict) else ""
        out.append(Obligation(kind=kind, party=party, note=note))
    return out


def _writable(actor: Any, agreement: Agreement | int | str) -> tuple[Scope, Agreement]:
    scope = require(actor, Perm.AGREEMENT_WRITE)
    pk = agreement.pk if isinstance(agreement, Agreement) else agreement
    visible = Agreement.objects.filter(scope.agreements()).values("pk")
    try:
        found = Agreement.objects.select_for_update().get(pk=int(pk), pk__in=visible)
    except (Agreement.DoesNotExist, ValueError, TypeError) as exc:
        raise NotInScope from exc
    return scope, found


@transaction.atomic
def agreement_create(
    *,
    actor: Any,
    number: str,
    title: str,
    region: str,
    valid_from: Any,
    valid_to: Any,
    parties: list[dict[str, Any]],
    branch_office: Any = None,
    signed_on: Any = None,
    sectors: Any = None,
    segments: Any = None,
    obligations: Any = None,
) -> Agreement:
    """A new agreement, as a draft (no signing date) or signed (with one)."""
    scope = require(actor, Perm.AGREEMENT_WRITE)
    errors: list[FieldError] = []
    office = _office_of(scope, branch_office, errors)
    values: dict[str, Any] = {
        "number": _text(number, "number", _NUMBER_MAX, errors, _("Enter the agreement's number.")),
        "title": _text(title, "title", _TITLE_MAX, errors, _("Enter the agreement's title.")),
        "region": _region(region, office, errors),
        "valid_from": _date(valid_from, "valid_from", errors),
        "valid_to": _date(valid_to, "valid_to", errors),
        "signed_on": _date(signed_on, "signed_on", errors, required=False),
        "sectors": _codes(sectors, "sectors", None, errors),
        "segments": _codes(segments, "segments", list(Segment.values), errors),
    }
    _validity(values, errors)
    if values["number"] and Agreement.objects.filter(number=values["number"]).exists():
        errors.append(FieldError("number", _("An agreement with this number exists.")))
    party_rows = _parties(parties, errors)
    obligation_rows = _obligations(obligations, errors)
    if errors or office is None:
        raise InvalidInput(errors)
    status = AgreementStatus.SIGNED if values["signed_on"] else AgreementStatus.DRAFT
    try:
        with transaction.atomic():
            agreement = Agreement.objects.create(branch_office=office, status=status, **values)
    except IntegrityError as exc:  # the same number created at the same moment
        raise InvalidInput.single("number", _("An agreement with this number exists.")) from exc
    agreement.regions.add(values["region"])
    for row in party_rows:
        row.agreement = agreement
    AgreementParty.objects.bulk_create(party_rows)
    for obligation in obligation_rows:
        obligation.agreement = agreement
    Obligation.objects.bulk_create(obligation_rows)
    audit_record(
        actor=actor,
        action="create",
        instance=agreement,
        changes={
            **snapshot(agreement, FIELDS),
            "status": status,
            "parties": [p.name for p in party_rows],
            "obligations": [o.kind for o in obligation_rows],
        },
    )
    return agreement


@transaction.atomic
def agreement_update(*, actor: Any, agreement: Agreement | int, **changes: Any) -> Agreement:
    """Edit the title, region, dates, sectors or segments (not the number, office or status)."""
    _scope, found = _writable(actor, agreement)
    errors = [
        FieldError(name, _("This field cannot be changed.")) for name in changes if name not in EDITABLE
    ]
    values: dict[str, Any] = {}
    if "title" in changes:
        values["title"] = _text(
            changes["title"], "title", _TITLE_MAX, errors, _("Enter the agreement's title.")
        )
    if "region" in changes:
        values["region"] = _region(changes["region"], found.branch_office, errors)
    for name in ("valid_from", "valid_to"):
        if name in changes:
            values[name] = _date(changes[name], name, errors)
    if "signed_on" in changes:
        values["signed_on"] = _date(changes["signed_on"], "signed_on", errors, required=False)
        if values["signed_on"] is None and found.status != AgreementStatus.DRAFT:
            errors.append(FieldError("signed_on", _("A signed agreement keeps its signing date.")))
    if "sectors" in changes:
        values["sectors"] = _codes(changes["sectors"], "sectors", None, errors)
    if "segments" in changes:
        values["segments"] = _codes(changes["segments"], "segments", list(Segment.values), errors)
    merged = {
        name: values.get(name, getattr(found, name)) for name in ("valid_from", "valid_to", "signed_on")
    }
    _validity(merged, errors)
    if errors:
        raise InvalidInput(errors)
    before = snapshot(found, EDITABLE)
    for name, value in values.items():
        setattr(found, name, value)
    found.save()
    if "region" in values:
        found.regions.add(values["region"])
    audit_record(
        actor=actor, action="update", instance=found, changes=diff(before, snapshot(found, EDITABLE))
    )
    return found


@transaction.atomic
def agreement_transition(
    *, actor: Any, agreement: Agreement | int, status: str, signed_on: Any = None
) -> Agreement:
    """Move the agreement to `status` if its lifecycle allows it; signing needs the signing date."""
    _scope, found = _writable(actor, agreement)
    return _move(actor, found, status, signed_on=signed_on)


def _move(actor: Any, found: Agreement, status: str, *, signed_on: Any = None) -> Agreement:
    errors: list[FieldError] = []
    if status not in AgreementStatus.values:
        raise InvalidInput.single("status", _("Choose a status from the list."))
    if status not in TRANSITIONS[found.status]:
        raise InvalidInput.single(
            "status",
            _("An agreement %(now)s cannot become %(next)s.")
            % {"now": AgreementStatus(found.status).label, "next": AgreementStatus(status).label},
        )
    if status == AgreementStatus.SIGNED:
        day = _date(signed_on or found.signed_on, "signed_on", errors)
        if day is not None and day > found.valid_to:
            errors.append(FieldError("signed_on", _("Signed after the agreement ended.")))
        if errors:
            raise InvalidInput(errors)
        found.signed_on = day
    before = found.status
    found.status = status
    found.save(update_fields=["status", "signed_on", "updated_at"])
    audit_record(
        actor=actor,
        action="status",
        instance=found,
        changes={"status": [before, status], "signed_on": str(found.signed_on)},
    )
    return found


@transaction.atomic
def obligation_mark(
    *, actor: Any, obligation: Obligation | int, period: Any, done: bool, note: str = ""
) -> ObligationMark:
    """Tick (or untick) an obligation for a month, with an optional note."""
    scope = require(actor, Perm.AGREEMENT_WRITE)
    pk = obligation.pk if isinstance(obligation, Obligation) else obligation
    visible = Agreement.objects.filter(scope.agreements()).values("pk")
    try:
        found = Obligation.objects.select_related("agreement").get(pk=int(pk), agreement_id__in=visible)
    except (Obligation.DoesNotExist, ValueError, TypeError) as exc:
        raise NotInScope from exc
    month = str(month_parse(period))
    errors: list[FieldError] = []
    if not isinstance(done, bool):
        errors.append(FieldError("done", _("Yes or no.")))
    text = " ".join(str(note or "").split())
    if len(text) > 300:
        errors.append(FieldError("note", _("At most %(max)s characters.") % {"max": 300}))
    if (
        not found.agreement.valid_from.strftime("%Y-%m")
        <= month
        <= found.agreement.valid_to.strftime("%Y-%m")
    ):
        errors.append(FieldError("period", _("The month lies outside the agreement's validity.")))
    if errors:
        raise InvalidInput(errors)
    user = actor if getattr(actor, "is_authenticated", False) else None
    mark, _created = ObligationMark.objects.update_or_create(
        obligation=found, period=month, defaults={"done": done, "note": text, "marked_by": user}
    )
    audit_record(
        actor=actor,
        action="mark",
        instance=mark,
        changes={"obligation": found.pk, "period": month, "done": done, "note": text},
    )
    return mark


def _decimal(value: Any, field: str, errors: list[FieldError]) -> Decimal | None:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or number < 0 or number >= 10**13:
        errors.append(FieldError(field, _("A number of 0 or more.")))
        return None
    return number.quantize(Decimal("0.1"))


@transaction.atomic
def agreement_kpi_add(
    *,
    actor: Any,
    agreement: Agreement | int,
    key: str,
    baseline: Any,
    target: Any,
    region: str = "",
    sector: str = "",
    segment: str = "",
    sponsor: Any = None,
) -> AgreementKpi:
    """A KPI from the catalogue with its parameters, baseline and target (percent points or a count)."""
    _scope, found = _writable(actor, agreement)
    errors: list[FieldError] = []
    catalogue = definitions()
    definition = catalogue.get(str(key))
    if definition is None:
        errors.append(FieldError("key", _("Choose a KPI from the catalogue.")))
    values: dict[str, Any] = {
        "baseline": _decimal(baseline, "baseline", errors),
        "target": _decimal(target, "target", errors),
        "sector": " ".join(str(sector or "").split())[:30],
        "segment": str(segment or "").strip(),
    }
    if values["segment"] and values["segment"] not in Segment.values:
        errors.append(FieldError("segment", _("Choose a segment from the list.")))
    if region:
        values["region"] = Region.objects.filter(code=str(region).strip(), level=2).first()
        if values["region"] is None:
            errors.append(FieldError("region", _("Choose a regency or city.")))
    if definition is not None and "sponsor" in definition.parameters:
        values["sponsor"] = (
            Sponsor.objects.filter(pk=sponsor).first() if str(sponsor or "").isdigit() else None
        )
        if values["sponsor"] is None:
            errors.append(FieldError("sponsor", _("Choose the sponsor whose cohort is counted.")))
    if errors:
        raise InvalidInput(errors)
    kpi = AgreementKpi.objects.create(agreement=found, key=str(key), **values)
    fields = ("agreement", "key", "region", "sector", "segment", "sponsor", "baseline", "target")
    changes = {name: str(v) if isinstance(v, Decimal) else v for name, v in snapshot(kpi, fields).items()}
    audit_record(actor=actor, action="kpi_add", instance=kpi, changes=changes)
    return kpi
