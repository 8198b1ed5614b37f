"""Branch office work on agents' cash and conflicts: deposits recorded, conflicts resolved (issue 17)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.contributions.services.payments import clean_amount, clean_date, clean_reference
from cakupan.core.audit import audit_record
from cakupan.core.errors import FieldError, InvalidInput, NotInScope
from cakupan.field.models import Agent, Conflict, Deposit


def _office_agent(scope: Any, agent: Agent | int | Any) -> Agent:
    pk = agent.pk if isinstance(agent, Agent) else agent
    found = Agent.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if found is None or not (scope.everything or found.branch_office_id == scope.branch_office_id):
        raise NotInScope
    return found


@transaction.atomic
def deposit_record(
    *, actor: Any, agent: Agent | int, amount: Any, deposited_on: Any, reference: Any
) -> Deposit:
    """Cash an agent handed to the branch (a bank slip or the cashier's receipt as reference)."""
    scope = require(actor, Perm.FIELD_REVIEW)
    found = _office_agent(scope, agent)
    errors: list[FieldError] = []
    clean_amt, err = clean_amount(amount)
    errors += [err] if err else []
    day, err = clean_date(deposited_on, "deposited_on")
    errors += [err] if err else []
    ref, err = clean_reference(reference)
    errors += [err] if err else []
    if ref and Deposit.objects.filter(agent=found, reference=ref).exists():
        errors.append(FieldError("reference", _("A deposit with this reference is already recorded.")))
    if errors or clean_amt is None or day is None or ref is None:  # a None has its error in `errors`
        raise InvalidInput(errors)
    try:
        with transaction.atomic():
            deposit = Deposit.objects.create(
                agent=found, amount=clean_amt, deposited_on=day, reference=ref, recorded_by=actor
            )
    except IntegrityError as exc:
        raise InvalidInput.single(
            "reference", _("A deposit with this reference is already recorded.")
        ) from exc
    audit_record(
        actor=actor,
        action="create",
        instance=deposit,
        changes={"agent": found.pk, "amount": clean_amt, "deposited_on": str(day), "reference": ref},
    )
    return deposit


@transaction.atomic
def conflict_resolve(*, actor: Any, conflict: Conflict | int, resolution: Any, note: Any = "") -> Conflict:
    """Close a conflict: the existing membership kept, or settled with the worker (a note says how)."""
    scope = require(actor, Perm.FIELD_REVIEW)
    pk = conflict.pk if isinstance(conflict, Conflict) else conflict
    found = Conflict.objects.select_related("agent").filter(pk=pk).first() if isinstance(pk, int) else None
    if found is None:
        raise NotInScope
    _office_agent(scope, found.agent)
    errors: list[FieldError] = []
    if resolution not in (Conflict.Resolution.KEPT, Conflict.Resolution.REASSIGNED):
        errors.append(FieldError("resolution", _("Choose how the conflict was resolved.")))
    if found.resolution != Conflict.Resolution.OPEN:
        errors.append(FieldError("resolution", _("This conflict is already resolved.")))
    text = note.strip() if isinstance(note, str) else ""
    if len(text) > 1000:
        errors.append(FieldError("note", _("At most 1,000 characters.")))
    if errors:
        raise InvalidInput(errors)
    found.resolution, found.note, found.resolved_by = resolution, text, actor
    found.save(update_fields=["resolution", "note", "resolved_by"])
    audit_record(actor=actor, action="resolve", instance=found, changes={"resolution": resolution})
    return found
