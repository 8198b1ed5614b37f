"""POST /api/v1/field/batches/: what an agent's phone queued (issue 17).

Each item is kept once per (agent, client_id): a batch sent twice creates nothing twice, the second answer
counts its items as duplicates. Enrolments are decided as a roster (enrolments.py: the field's own checks
per item, then the roster's one decision set for all of them, `roster_rows_import`), a chunk of items per
transaction, so a request cut short keeps the chunks it finished. A collection is recorded as a payment of
the member's own account and allocated oldest bill first (contributions.services.payments), one item per
transaction, after the batch's enrolments (so a collection may follow its enrolment in the same batch).
Conflicts (the NIK already a member through another payer, or enrolled by another agent) are refused,
answered to the device and kept for the branch.
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
from cakupan.field.services.enrolments import Answer, enrolments_decide

MAX_ITEMS = 10_000
# Enrolment items per transaction, a roster import each: a whole batch's at most. Measured at 10,000 items
# (PostgreSQL): 1,000 a chunk took 8.5 s, 5,000 5.7 s, 10,000 4.5 s (the import alone 2.1 s); each statement
# stays bounded by the web statement timeout, and a batch cut short is sent again whole (idempotent).
CHUNK = MAX_ITEMS
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
    return SyncItem(
        agent_id=agent.pk,
        device_id=device.pk,
        client_id=str(item["client_id"]).strip(),
        kind=kind if kind in SyncItem.Kind.values else SyncItem.Kind.ENROLMENT,
        payload_hash=_payload_hash(item),
        nik=str(item.get("nik") or "").strip()[:16],
        **values,
    )


def _collection(agent: Agent, scope: Scope, device: Device, item: dict[str, Any], actor: Any) -> None:
    """A collection item written (inside the caller's transaction), or InvalidInput."""
    if item.get("kind") != SyncItem.Kind.COLLECTION:
        raise InvalidInput.single("kind", _("Choose enrolment or collection."))
    collection = collection_apply(actor=actor, agent=agent, scope=scope, item=item)
    _kept(
        agent,
        device,
        item,
        outcome=SyncItem.Outcome.ACCEPTED,
        collection=collection,
        person=collection.membership.person,
        membership=collection.membership,
    ).save()


def _enrolments(
    actor: Any, agent: Agent, scope: Scope, device: Device, chunk: list[tuple[int, dict[str, Any]]]
) -> list[Answer]:
    """A chunk of enrolment items decided and kept in one transaction: memberships, SyncItem rows and
    Conflict rows, each written set-based."""
    with transaction.atomic():
        answers = enrolments_decide(actor=actor, agent=agent, scope=scope, items=chunk)
        kept = SyncItem.objects.bulk_create(
            [
                _kept(
                    agent,
                    device,
                    item,
                    outcome=SyncItem.Outcome.ACCEPTED if a.accepted else SyncItem.Outcome.REJECTED,
                    errors=[e.as_dict() for e in a.errors],
                    occupation=a.occupation,
                    person_id=a.person_id if a.accepted else None,
                    membership_id=a.membership_id if a.accepted else None,
                )
                for (_index, item), a in zip(chunk, answers, strict=True)
            ]
        )
        Conflict.objects.bulk_create(
            Conflict(
                agent=agent, item=k, kind=a.conflict, person_id=a.person_id, other_agent_id=a.other_agent_id
            )
            for k, a in zip(kept, answers, strict=True)
            if a.conflict is not None and a.person_id is not None
        )
    return answers


def _told(cid: str, answer: Answer) -> dict[str, Any]:
    if answer.accepted:
        return {"client_id": cid, "outcome": "accepted"}
    told: dict[str, Any] = {
        "client_id": cid,
        "outcome": "rejected",
        "errors": [e.as_dict() for e in answer.errors],
    }
    if answer.conflict is not None:
        told["conflict"] = answer.conflict
    return told


def _collected(
    actor: Any, agent: Agent, scope: Scope, device: Device, cid: str, item: dict[str, Any]
) -> dict[str, Any]:
    try:
        with transaction.atomic():
            _collection(agent, scope, device, item, actor)
    except IntegrityError:
        # The same client_id written meanwhile by a concurrent request of this agent: already kept.
        return {"client_id": cid, "outcome": "duplicate"}
    except InvalidInput as exc:
        errors = exc.as_dict()["errors"]
        _kept(agent, device, item, outcome=SyncItem.Outcome.REJECTED, errors=errors).save()
        return {"client_id": cid, "outcome": "rejected", "errors": errors}
    return {"client_id": cid, "outcome": "accepted"}


def batch_sync(*, actor: Any, device: Any, items: Any) -> BatchResult:
    """Enrolments commit a chunk at a time and collections one at a time (never one batch-wide
    transaction): a request cut short by the web statement timeout or a dropped connection keeps what it
    finished, and the phone's resend counts those items as duplicates and goes on with the rest."""
    scope = require(actor, Perm.FIELD_SYNC)
    agent = _approved(scope)
    label, items = _shape(device, items)
    phone, _created = Device.objects.get_or_create(agent=agent, label=label)
    if not _created:
        phone.save(update_fields=["last_seen"])
    ids = [str(item["client_id"]).strip() for item in items]
    seen = set(SyncItem.objects.filter(agent=agent, client_id__in=ids).values_list("client_id", flat=True))
    answers: dict[int, dict[str, Any]] = {}
    enrolments: list[tuple[int, dict[str, Any]]] = []
    collections: list[tuple[int, dict[str, Any]]] = []
    for index, (cid, item) in enumerate(zip(ids, items, strict=True)):
        if cid in seen:
            answers[index] = {"client_id": cid, "outcome": "duplicate"}
            continue
        seen.add(cid)
        kind = item.get("kind")
        (enrolments if kind == SyncItem.Kind.ENROLMENT else collections).append((index, item))
    for start in range(0, len(enrolments), CHUNK):
        chunk = enrolments[start : start + CHUNK]
        try:
            decided = _enrolments(actor, agent, scope, phone, chunk)
        except IntegrityError:
            # Some client_id written meanwhile by a concurrent request of this agent: those are kept
            # already; the rest of the chunk once more.
            kept = set(
                SyncItem.objects.filter(agent=agent, client_id__in=[ids[i] for i, _ in chunk]).values_list(
                    "client_id", flat=True
                )
            )
            for index, _item in chunk:
                if ids[index] in kept:
                    answers[index] = {"client_id": ids[index], "outcome": "duplicate"}
            chunk = [(i, item) for i, item in chunk if ids[i] not in kept]
            decided = _enrolments(actor, agent, scope, phone, chunk) if chunk else []
        for (index, _item), answer in zip(chunk, decided, strict=True):
            answers[index] = _told(ids[index], answer)
    for index, item in collections:
        answers[index] = _collected(actor, agent, scope, phone, ids[index], item)
    result = BatchResult()
    for index in sorted(answers):
        told = answers[index]
        outcome = told.pop("outcome")
        cid = told["client_id"]
        result.items.append({"client_id": cid, "outcome": outcome})
        if outcome == "duplicate":
            result.duplicates += 1
        elif outcome == "accepted":
            result.accepted += 1
        else:
            kind = told.pop("conflict", None)
            result.rejected.append(told)
            if kind is not None:
                result.conflicts.append({"client_id": cid, "kind": kind})
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
