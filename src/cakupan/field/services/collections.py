"""A collection item: cash an agent took from a member they enrolled, recorded as a payment of the member's
own account and allocated to the bills oldest first, as any payment is (contributions.services.payments)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import SYSTEM, Perm, require
from cakupan.accounts.scope import Scope
from cakupan.contributions.models import PayerAccount
from cakupan.contributions.services.billing_write import accounts_ensure
from cakupan.contributions.services.payments import MAX_AMOUNT, payment_record
from cakupan.core.audit import audit_record
from cakupan.core.errors import FieldError, InvalidInput
from cakupan.field.item_fields import moment, text, whole
from cakupan.field.models import Collection
from cakupan.registry.models import Membership, Segment
from cakupan.registry.nik import nik_normalise
from cakupan.registry.selectors import person_list

RECEIPT_MAX = Collection._meta.get_field("receipt").max_length or 40
MONTHS_MAX = 12


def _payment_reference(agent_id: int, receipt: str) -> str:
    """The payment's reference: the agent and their receipt, so a receipt is recorded once per agent."""
    return f"AGEN-{agent_id}-{receipt}"[:64]


def collection_apply(*, actor: Any, agent: Any, scope: Scope, item: dict[str, Any]) -> Collection:
    require(scope, Perm.FIELD_SYNC)  # the caller's scope: no second read of the agent
    errors: list[FieldError] = []
    nik = nik_normalise(item.get("nik") if isinstance(item.get("nik"), str) else "")
    amount = whole(
        item.get("amount"),
        "amount",
        errors,
        low=1,
        high=MAX_AMOUNT,
        message=_("Must be a whole number of Rupiah."),
    )
    months = whole(
        item.get("months"),
        "months",
        errors,
        low=1,
        high=MONTHS_MAX,
        message=_("Between 1 and %(n)s months.") % {"n": MONTHS_MAX},
    )
    receipt = text(
        item.get("receipt"),
        "receipt",
        errors,
        most=RECEIPT_MAX,
        message=_("Enter the receipt number (at most 40 characters)."),
        required=True,
    )
    collected_at = moment(item.get("collected_at"), "collected_at", errors)
    # The members an agent collects from: the persons they enrolled (their scope), paying themselves.
    person = person_list(user=None, scope=scope).filter(nik=nik).first() if nik else None
    membership = (
        Membership.objects.filter(
            person=person,
            segment=Segment.BPU,
            payer_kind=Membership.PayerKind.SELF,
            status=Membership.Status.ACTIVE,
        ).first()
        if person is not None
        else None
    )
    if membership is None:
        errors.append(FieldError("nik", _("No self-paying member you enrolled has this NIK.")))
    if receipt and Collection.objects.filter(agent=agent, receipt=receipt).exists():
        errors.append(FieldError("receipt", _("This receipt number is already recorded.")))
    if errors:
        raise InvalidInput(errors)
    assert membership is not None
    assert amount is not None
    assert months is not None
    assert collected_at is not None
    account_id = accounts_ensure([("self", membership.person_id)])[("self", membership.person_id)]
    # The system records the payment (agents record no payment of their own choosing); the collection
    # and its audit event name the agent.
    payment = payment_record(
        actor=SYSTEM,
        account=PayerAccount.objects.get(pk=account_id),
        amount=amount,
        paid_on=timezone.localdate(collected_at),
        reference=_payment_reference(agent.pk, receipt),
        source="api",
    )
    collection = Collection.objects.create(
        agent=agent,
        membership=membership,
        amount=amount,
        months=months,
        receipt=receipt,
        collected_at=collected_at,
        payment=payment,
    )
    audit_record(
        actor=actor,
        action="field.collect",
        instance=collection,
        changes={"membership": membership.pk, "amount": amount, "months": months, "receipt": receipt},
    )
    return collection
