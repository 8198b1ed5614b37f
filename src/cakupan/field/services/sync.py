"""POST /api/v1/field/batches/: what an agent's phone queued, applied item by item (issue 17).

Each item is all or nothing (a transaction of its own) and kept once per (agent, client_id): a batch sent
twice creates nothing twice, the second answer counts its items as duplicates. An enrolment goes through the
registry's own services (`person_register`, `membership_enrol`: NIK rules, programmes, one active BPU
membership) with the agent as actor; a collection is recorded as a payment of the member's own account and
allocated oldest bill first (contributions.services.payments). Conflicts (the NIK already a member through
another payer, or enrolled by another agent) are refused, answered to the device and kept for the branch.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.accounts.scope import Scope
from cakupan.core.audit import audit_record
from cakupan.core.errors import FieldError, Forbidden, InvalidInput
from cakupan.field.models import Agent, Conflict, Device, SyncItem
from cakupan.field.services.collections import collection_apply
from cakupan.field.services.enrolments import EnrolmentConflict, enrolment_apply

MAX_ITEMS = 10_000
CLIENT_ID_MAX = SyncItem._meta.get_field("client_id").max_length or 64
DEVICE_MAX = Device._meta.get_field("label").max_length or 64


@dataclass
class BatchResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "conflicts": self.conflicts,
            "items": self.items,
        }


def _approved(scope: Scope) -> Agent:
    """The approved agent of the scope; Forbidden while registered or suspended."""
    agent = Agent.objects.filter(pk=scope.agent_id).first() if scope.agent_id is not None else None
    if agent is None or agent.status != Agent.Status.APPROVED:
        raise Forbidden(_("Your agent account is not approved, or is suspended."))
    return agent


def _payload_hash(item: dict[str, Any]) -> str:
    text = json.dumps(item, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _shape(device: Any, items: Any) -> tuple[str, list[dict[str, Any]]]:
    """The batch's own shape: a device label and a list of objects each with a client_id. Anything else is
    a 400 for the whole batch (an item without client_id cannot be answered item by item)."""
    errors: list[FieldError] = []
    label = device.strip() if isinstance(device, str) else ""
    if not label or len(label) > DEVICE_MAX:
        errors.append(FieldError("device", _("Name the device (at most 64 characters).")))
    if not isinstance(items, list):
        errors.append(FieldError("items", _("Send the items as a list.")))
        raise InvalidInput(errors)
    if len(items) > MAX_ITEMS:
        errors.append(FieldError("items", _("At most %(n)s items in one batch.") % {"n": MAX_ITEMS}))
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors.append(FieldError(f"items[{index}]", _("Each item is an object.")))
            continue
        cid = item.get("client_id")
        if not isinstance(cid, str) or not cid.strip() or len(cid.strip()) > CLIENT_ID_MAX:
            errors.append(
                FieldError(
                    f"items[{index}].client_id", _("Give each item a client_id (at most 64 characters).")
                )
            )
    if errors:
        raise InvalidInput(errors)
    return label, items


def _kept(agent: Agent, device: Device, item: dict[str, Any], **values: Any) -> SyncItem:
    kind = item.get("kind")
    return SyncItem.objects.create(
        agent=agent,
        device=device,
        client_id=str(item["client_id"]).strip(),
        kind=kind if kind in SyncItem.Kind.values else SyncItem.Kind.ENROLMENT,
        payload_hash=_payload_hash(item),
        nik=str(item.get("nik") or "").strip()[:16],
        **values,
    )


def _apply(agent: Agent, scope: Scope, device: Device, item: dict[str, Any], actor: Any) -> SyncItem:
    """The item written (inside the caller's savepoint), or InvalidInput / EnrolmentConflict."""
    kind = item.get("kind")
    if kind == SyncItem.Kind.ENROLMENT:
        kept = _kept(agent, device, item, outcome=SyncItem.Outcome.ACCEPTED)
        return enrolment_apply(actor=actor, agent=agent, scope=scope, kept=kept, item=item)
    if kind == SyncItem.Kind.COLLECTION:
        collection = collection_apply(actor=actor, agent=agent, scope=scope, item=item)
        return _kept(
            agent,
            device,
            item,
            outcome=SyncItem.Outcome.ACCEPTED,
            collection=collection,
            person=collection.membership.person,
            membership=collection.membership,
        )
    raise InvalidInput.single("kind", _("Choose enrolment or collection."))


def batch_sync(*, actor: Any, device: Any, items: Any) -> BatchResult:
    """Each item commits on its own (its own transaction, not a savepoint of one batch-wide transaction):
    a request cut short by the web statement timeout or a dropped connection keeps the items it finished,
    and the phone's resend counts them as duplicates and goes on with the rest."""
    scope = require(actor, Perm.FIELD_SYNC)
    agent = _approved(scope)
    label, items = _shape(device, items)
    phone, _created = Device.objects.get_or_create(agent=agent, label=label)
    if not _created:
        phone.save(update_fields=["last_seen"])
    ids = [str(item["client_id"]).strip() for item in items]
    seen = set(SyncItem.objects.filter(agent=agent, client_id__in=ids).values_list("client_id", flat=True))
    result = BatchResult()
    for cid, item in zip(ids, items, strict=True):
        if cid in seen:
            result.duplicates += 1
            result.items.append({"client_id": cid, "outcome": "duplicate"})
            continue
        seen.add(cid)
        try:
            with transaction.atomic():
                _apply(agent, scope, phone, item, actor)
        except IntegrityError:
            # The same client_id written meanwhile by a concurrent request of this agent: already kept.
            result.duplicates += 1
            result.items.append({"client_id": cid, "outcome": "duplicate"})
            continue
        except EnrolmentConflict as exc:
            kept = _kept(
                agent, phone, item, outcome=SyncItem.Outcome.REJECTED, errors=exc.as_dict()["errors"]
            )
            Conflict.objects.create(
                agent=agent,
                item=kept,
                kind=exc.kind,
                person_id=exc.person_id,
                other_agent_id=exc.other_agent_id,
            )
            result.rejected.append({"client_id": cid, **exc.as_dict()})
            result.conflicts.append({"client_id": cid, "kind": exc.kind})
            result.items.append({"client_id": cid, "outcome": "rejected"})
            continue
        except InvalidInput as exc:
            errors = exc.as_dict()["errors"]
            _kept(agent, phone, item, outcome=SyncItem.Outcome.REJECTED, errors=errors)
            result.rejected.append({"client_id": cid, "errors": errors})
            result.items.append({"client_id": cid, "outcome": "rejected"})
            continue
        result.accepted += 1
        result.items.append({"client_id": cid, "outcome": "accepted"})
    audit_record(
        actor=actor,
        action="field.sync",
        instance=agent,
        changes={
            "device": label,
            "items": len(items),
            "accepted": result.accepted,
            "duplicates": result.duplicates,
            "rejected": len(result.rejected),
            "conflicts": len(result.conflicts),
            "at": timezone.now().isoformat(),
        },
    )
    return result
