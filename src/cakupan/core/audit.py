"""Recording writes. Services call these inside their transaction."""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import models

from cakupan.core.models import AuditEvent

_SECRET_FIELDS = {"password"}
# Set while a `cakupan` command (or the job it runs) executes: the OS account every event then names.
_os_user: ContextVar[str] = ContextVar("audit_os_user", default="")


def os_user_name() -> str:
    """The operating-system account running this process (USER/LOGNAME, else the password database)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (some containers)
        return "unknown"


@contextmanager
def command_audited(os_user: str | None = None) -> Iterator[str]:
    """Within this block every audit event records `os_user` (default: this process's OS account)."""
    name = os_user or os_user_name()
    token = _os_user.set(name)
    try:
        yield name
    finally:
        _os_user.reset(token)


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields` (foreign keys as ids), for diffing before and after a change."""
    out: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = _plain(getattr(instance, attname))
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v and k not in _SECRET_FIELDS}


def audit_record(
    *,
    actor: Any,
    action: str,
    instance: models.Model | None = None,
    entity: str = "",
    entity_id: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    if instance is not None:
        entity = entity or instance._meta.label_lower
        entity_id = entity_id or str(instance.pk)
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        action=action,
        entity=entity,
        entity_id=entity_id,
        changes=changes or {},
        os_user=_os_user.get(),
    )
