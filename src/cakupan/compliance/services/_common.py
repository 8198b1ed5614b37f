"""What the compliance services share (who may do what: accounts.permissions; which rows: accounts.scope)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")


def chunks(items: Sequence[T], size: int = 5000) -> Iterator[Sequence[T]]:
    """IN lists in slices: PostgreSQL and SQLite both limit the parameters of one statement."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
