"""Names for raw SQL taken from the models, so the set-based modules (billing, roster merge, compliance,
snapshots) say `table(Membership)`, `column(Membership, "start_date")` and `quoted(Membership.Status.ACTIVE)`
instead of spelling `registry_membership`, `start_date` and `'active'`.

Those modules build their SQL text when they are imported: a renamed model, field or choice then fails at
import (FieldDoesNotExist, AttributeError) instead of in a statement at run time, and
core/tests/test_sqlnames.py checks every name handed out against the database's own tables. Takes any model:
core imports no app.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import models

# A name handed out, as (table, column): the test compares them with connection.introspection.
USED: set[tuple[str, str | None]] = set()
_PLAIN = re.compile(r"[A-Za-z0-9_.\-]*")


def table(model: type[models.Model]) -> str:
    name = model._meta.db_table
    USED.add((name, None))
    return name


def column(model: type[models.Model], field: str) -> str:
    """The database column of `field` (a foreign key's is `<name>_id`); FieldDoesNotExist when renamed."""
    found = model._meta.get_field(field)
    name = getattr(found, "column", None)
    if not isinstance(name, str):  # a relation without a column (reverse or many-to-many)
        raise ValueError(f"{model.__name__}.{field} has no column")
    USED.add((model._meta.db_table, name))
    return name


def quoted(value: Any) -> str:
    """A choice value as an SQL string literal: 'active'. Choice values are plain words; anything that would
    need escaping is refused (values a user supplies are parameters, never this)."""
    text = str(value)
    if not _PLAIN.fullmatch(text):
        raise ValueError(f"not a plain choice value: {text!r}")
    return f"'{text}'"


def quoted_list(*values: Any) -> str:
    """Choice values as an SQL list: ('active', 'ended')."""
    return "(" + ", ".join(quoted(v) for v in values) + ")"
