"""Who may do what in compliance, derived from roles (accounts.scope decides which rows)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from django.utils.translation import gettext_lazy as _

from cakupan.accounts.models import Role
from cakupan.accounts.scope import scope_for
from cakupan.core.errors import InvalidInput

# The labour agency holds the workforce reports; the branch office matches and enforces.
IMPORTERS = (Role.NATIONAL_ADMIN, Role.BRANCH_STAFF, Role.AGENCY)
CASE_WORKERS = (Role.NATIONAL_ADMIN, Role.BRANCH_STAFF)
READERS = (Role.NATIONAL_ADMIN, Role.BRANCH_STAFF, Role.AGENCY, Role.EMPLOYER_HR)

T = TypeVar("T")


def require_role(actor: Any, roles: Sequence[str]) -> None:
    if scope_for(actor).role not in roles:
        raise InvalidInput.single("actor", _("Your role may not do this."))


def chunks(items: Sequence[T], size: int = 5000) -> Iterator[Sequence[T]]:
    """IN lists in slices: PostgreSQL and SQLite both limit the parameters of one statement."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
