"""The claim workflow: submit, verify (documents checked), approve (four eyes), reject, pay.

Each step validates, writes in one transaction (the claim, its timeline event, the audit record and the
in-app notifications) and then e-mails the people notified. Bad input or a step the actor may not take
raises `InvalidInput` naming the field; nothing is written then.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, claimant_kinds, require
from cakupan.accounts.scope import Scope
from cakupan.benefits.eligibility import eligibility_assess
from cakupan.benefits.models import OPEN_STATUSES, Claim, ClaimantKind, ClaimDocument, ClaimEvent, ClaimStatus
from cakupan.benefits.services.notifications import notifications_create, notifications_mail
from cakupan.core.audit import audit_record
from cakupan.core.errors import FieldError, InvalidInput, NotInScope
from cakupan.registry.models import Person
from cakupan.registry.selectors import person_list
from cakupan.rules.benefits import BENEFITS, benefit_compute, default_tables
from cakupan.rules.benefits.inputs import whole_number
from cakupan.rules.eligibility import END_REASONS
from cakupan.rules.errors import RuleInputError

# What the claimant adds to the calculator's request (the rest comes from the registry).
DETAIL_FIELDS = (
    "children",
    "school_levels",
    "disability_percent",
    "disability_item",
    "function_loss_percent",
    "months_unable",
    "medical_cost",
    "home_care_cost",
    "transport_costs",
    "balance",
    "claim_reason",
    "average_indexed_wage",
    "work_accident",
    "end_reason",
)


def _today() -> dt.date:
    return timezone.localdate()


def _date(value: Any, field: str, errors: list[FieldError]) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day: dt.date | None = value
    else:
        try:
            day = dt.date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            day = None
    if day is None:
        errors.append(FieldError(field, _("Enter a date as YYYY-MM-DD.")))
    elif day > _today():
        errors.append(FieldError(field, _("The date cannot be in the future.")))
    return day


def _person(actor: Any, value: Any) -> Person | None:
    pk = value.pk if isinstance(value, Person) else whole_number(value)
    if pk is None:
        return None
    return person_list(user=actor).filter(pk=pk).first()


def _details(raw: Any, errors: list[FieldError]) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors.append(FieldError("details", _("Expected an object.")))
        return {}
    unknown = sorted(set(raw) - set(DETAIL_FIELDS))
    for name in unknown:
        errors.append(FieldError(f"details.{name}", _("Unknown field.")))
    reason = raw.get("end_reason")
    if reason is not None and reason not in END_REASONS:
        errors.append(
            FieldError(
                "details.end_reason", _("Choose one of: %(names)s.") % {"names": ", ".join(END_REASONS)}
            )
        )
    return {k: v for k, v in raw.items() if k in DETAIL_FIELDS}


def _assess(request: dict[str, Any], details: dict[str, Any]) -> dict[str, Any]:
    payload = {**request, **{k: v for k, v in details.items() if k != "end_reason"}}
    try:
        return benefit_compute(payload)
    except RuleInputError as exc:
        raise InvalidInput(
            FieldError(f"details.{name}" if name in details else name, message)
            for name, message in exc.errors
        ) from exc


def _event(claim: Claim, actor: Any, note: str = "", **changes: Any) -> list[Any]:
    ClaimEvent.objects.create(claim=claim, actor=actor, status=claim.status, note=note)
    audit_record(actor=actor, action=f"claim_{claim.status}", instance=claim, changes=changes)
    return notifications_create(claim=claim, actor=actor)


def claim_submit(
    *,
    actor: Any,
    person: Any,
    benefit: Any,
    event_date: Any,
    claimant_kind: Any,
    claimant_name: str = "",
    details: Any = None,
    compliance_wage: Any = None,
) -> Claim:
    """File a claim: eligibility from the data, amounts from the calculator, the document checklist.

    A claim is recorded even when the data says "not eligible" (the family came to the counter; the branch
    must answer it): the reasons are on the claim and the branch rejects it.
    `compliance_wage`: a wage from compliance data; when omitted, eligibility reads the wage the employer
    reported for the worker to the labour agency (compliance app) if a matched report lists them.
    """
    # Who files as which claimant: accounts.permissions (sponsors and agencies follow claims only).
    kinds = claimant_kinds(require(actor, Perm.CLAIM_FILE), tuple(ClaimantKind.values))
    errors: list[FieldError] = []
    found = _person(actor, person)
    if found is None:
        errors.append(FieldError("person", _("Choose a person you may file a claim for.")))
    if benefit not in BENEFITS:
        errors.append(FieldError("benefit", _("Choose one of: %(names)s.") % {"names": ", ".join(BENEFITS)}))
    day = _date(event_date, "event_date", errors)
    if claimant_kind not in kinds:
        allowed = ", ".join(kinds)
        errors.append(FieldError("claimant_kind", _("Choose one of: %(names)s.") % {"names": allowed}))
    extra = _details(details, errors)
    wage = None
    if compliance_wage not in (None, ""):
        wage = whole_number(compliance_wage)
        if wage is None or wage <= 0:
            errors.append(FieldError("compliance_wage", _("Enter a wage in whole Rupiah.")))
    if not isinstance(claimant_name, str) or len(claimant_name) > 160:
        errors.append(FieldError("claimant_name", _("At most 160 characters.")))
    if errors:
        raise InvalidInput(errors)
    assert found is not None
    assert day is not None
    elig = eligibility_assess(
        person=found,
        benefit=str(benefit),
        event_date=day,
        claim_date=_today(),
        end_reason=extra.get("end_reason"),
        compliance_wage=wage,
        work_accident=extra.get("work_accident") is True,
    )
    open_already = Claim.objects.filter(person=found, benefit=benefit, status__in=OPEN_STATUSES).first()
    if open_already is not None:
        raise InvalidInput.single("benefit", _open_message(open_already))
    answer = _assess(elig.request, extra) if elig.request is not None else {}
    documents = answer.get("documents") or default_tables().documents(str(benefit))[0]
    reasons = [c.message for c in elig.checks if c.status == "fail"] + list(answer.get("reasons", []))
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                person=found,
                benefit=benefit,
                event_date=day,
                claimant_kind=claimant_kind,
                claimant_name=claimant_name,
                details=extra,
                eligibility=elig.as_dict(),
                assessment=answer,
                assessed_total=int(answer.get("total", 0)) if answer.get("eligible") else 0,
                employer_pays_first=elig.employer_pays_first,
                reasons=reasons,
                submitted_by=actor,
            )
            ClaimDocument.objects.bulk_create(
                ClaimDocument(claim=claim, name=name[:300], position=i) for i, name in enumerate(documents)
            )
            made = _event(
                claim, actor, benefit=claim.benefit, decision=elig.decision, total=claim.assessed_total
            )
    except IntegrityError as exc:  # a claim for the same benefit filed at the same moment (the constraint)
        raise InvalidInput.single("benefit", _("A claim for this benefit is already open.")) from exc
    notifications_mail(made)
    return claim


def _open_message(claim: Claim) -> str:
    return str(
        _("Claim no. %(id)s for this benefit is still open (%(status)s): follow it instead of filing again.")
        % {"id": claim.pk, "status": claim.get_status_display()}
    )


def _office_claim(actor: Any, scope: Scope, claim: Claim, allowed: tuple[str, ...]) -> Claim:
    """The claim, locked, when the actor's scope (checked for CLAIM_DECIDE) holds its person, in a state
    that allows the step."""
    if not person_list(user=actor, scope=scope).filter(pk=claim.person_id).exists():
        raise NotInScope
    locked = Claim.objects.select_for_update().select_related("person").get(pk=claim.pk)
    if locked.status not in allowed:
        raise InvalidInput.single(
            "status", _("A %(status)s claim cannot take this step.") % {"status": locked.get_status_display()}
        )
    return locked


def claim_verify(*, actor: Any, claim: Claim, documents_received: Any) -> Claim:
    """Record the documents received; every document on the checklist must be there."""
    scope = require(actor, Perm.CLAIM_DECIDE)
    if not isinstance(documents_received, (list, tuple, set)) or not all(
        whole_number(d) is not None for d in documents_received
    ):
        raise InvalidInput.single("documents_received", _("List the ids of the documents received."))
    received = {whole_number(d) for d in documents_received}
    with transaction.atomic():
        claim = _office_claim(actor, scope, claim, (ClaimStatus.SUBMITTED,))
        checklist = list(claim.documents.all())
        unknown = received - {d.pk for d in checklist}
        if unknown:
            raise InvalidInput.single("documents_received", _("Not a document of this claim."))
        missing = [d.name for d in checklist if d.pk not in received]
        if missing:
            raise InvalidInput.single(
                "documents_received", _("Still missing: %(names)s.") % {"names": "; ".join(missing)}
            )
        ClaimDocument.objects.filter(claim=claim).update(received=True)
        claim.status, claim.verified_by, claim.verified_at = ClaimStatus.VERIFIED, actor, timezone.now()
        claim.save(update_fields=["status", "verified_by", "verified_at"])
        made = _event(claim, actor, documents=len(checklist))
    notifications_mail(made)
    return claim


def claim_approve(*, actor: Any, claim: Claim) -> Claim:
    """Four eyes: the approver neither submitted nor verified the claim (also a database constraint)."""
    scope = require(actor, Perm.CLAIM_DECIDE)
    with transaction.atomic():
        claim = _office_claim(actor, scope, claim, (ClaimStatus.VERIFIED,))
        if actor.pk in (claim.submitted_by_id, claim.verified_by_id):
            raise InvalidInput.single(
                "non_field_errors", _("Someone who neither submitted nor verified the claim must approve it.")
            )
        if claim.eligibility.get("decision") == "not_eligible" or not claim.assessment.get("eligible"):
            raise InvalidInput.single(
                "non_field_errors", _("The claim is not eligible: reject it with reasons.")
            )
        claim.status, claim.decided_by, claim.decided_at = ClaimStatus.APPROVED, actor, timezone.now()
        claim.save(update_fields=["status", "decided_by", "decided_at"])
        note = str(_("The employer pays the JKK benefits first.")) if claim.employer_pays_first else ""
        made = _event(claim, actor, note, total=claim.assessed_total)
    notifications_mail(made)
    return claim


def claim_reject(*, actor: Any, claim: Claim, reasons: Any) -> Claim:
    scope = require(actor, Perm.CLAIM_DECIDE)
    if isinstance(reasons, str):
        reasons = [reasons]
    items = (
        [r.strip() for r in reasons if isinstance(r, str) and r.strip()] if isinstance(reasons, list) else []
    )
    if not items:
        raise InvalidInput.single("reasons", _("Give the reasons for the rejection."))
    if any(len(r) > 500 for r in items):
        raise InvalidInput.single("reasons", _("At most 500 characters per reason."))
    with transaction.atomic():
        claim = _office_claim(actor, scope, claim, (ClaimStatus.SUBMITTED, ClaimStatus.VERIFIED))
        claim.status, claim.decided_by, claim.decided_at = ClaimStatus.REJECTED, actor, timezone.now()
        claim.reasons = [*claim.reasons, *items]
        claim.save(update_fields=["status", "decided_by", "decided_at", "reasons"])
        made = _event(claim, actor, "; ".join(items), reasons=items)
    notifications_mail(made)
    return claim


def claim_pay(*, actor: Any, claim: Claim, payment_reference: Any, paid_on: Any) -> Claim:
    scope = require(actor, Perm.CLAIM_DECIDE)
    errors: list[FieldError] = []
    reference = payment_reference.strip() if isinstance(payment_reference, str) else ""
    if not reference or len(reference) > 64:
        errors.append(
            FieldError("payment_reference", _("Enter the payment reference (at most 64 characters)."))
        )
    day = _date(paid_on, "paid_on", errors)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        claim = _office_claim(actor, scope, claim, (ClaimStatus.APPROVED,))
        if day is not None and claim.decided_at is not None and day < timezone.localdate(claim.decided_at):
            raise InvalidInput.single("paid_on", _("The payment cannot be before the approval."))
        claim.status, claim.payment_reference, claim.paid_on = ClaimStatus.PAID, reference, day
        claim.save(update_fields=["status", "payment_reference", "paid_on"])
        made = _event(claim, actor, reference, payment_reference=reference, paid_on=str(day))
    notifications_mail(made)
    return claim
