"""Where a query goes when a read replica is configured (`DATABASE_REPLICA_URL`, DATABASES["replica"]).

Reads go to the replica only inside `reads_from_replica()`: the web's read-only requests
(core/replica_middleware.py) and whatever job or command opts in. Everything else reads and writes on the
primary, so without the block, or without a replica, nothing changes. Inside the block the primary still
answers: a read inside a transaction (it must see the transaction's own rows and locks), any read after
the block wrote something (a GET that records a job's death reads that death back), and the tables that
decide who is signed in (a replica a moment behind would sign a user out, or keep a revoked token alive).
Writes never go to the replica: it is a hot standby and refuses them anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"

# Sessions, sign-in attempts and API tokens: a lagging copy of these signs users out or lets them in wrongly.
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes", "authtoken"})


@dataclass
class ReadRouting:
    """The routing state of one `reads_from_replica()` block (one web request, or one opted-in job)."""

    wrote: bool = False  # something in the block wrote: later reads must see it
    primary: bool = False  # the block asked for the primary after all (a view flagged `reads_primary`)

    @property
    def reads_replica(self) -> bool:
        return not (self.wrote or self.primary)


_routing: ContextVar[ReadRouting | None] = ContextVar("cakupan_read_routing", default=None)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def current_routing() -> ReadRouting | None:
    """The state of the enclosing `reads_from_replica()` block, None outside one."""
    return _routing.get()


@contextmanager
def reads_from_replica() -> Iterator[ReadRouting]:
    """Reads inside the block go to the replica (when one is configured), with the exceptions in the module
    docstring. An export job that may show data a second old wraps its reading in this; the web does it for
    every safe request."""
    state = ReadRouting()
    token = _routing.set(state)
    try:
        yield state
    finally:
        _routing.reset(token)


class ReplicaRouter:
    """The router in settings.DATABASE_ROUTERS. None means "no opinion": Django then follows the instance's
    own database, else the default, as it does without a router."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        state = _routing.get()
        if state is None or not replica_configured():
            return None
        if (
            not state.reads_replica
            or model._meta.app_label in PRIMARY_ONLY_APPS
            or connections[PRIMARY].in_atomic_block
        ):
            return PRIMARY
        return REPLICA

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        state = _routing.get()
        if state is not None:
            state.wrote = True
        # Never the replica: Django would write an instance back where it was read from.
        instance = hints.get("instance")
        if instance is not None and instance._state.db == REPLICA:
            return PRIMARY
        return None  # Django's own choice: the instance's database, else the default (the primary)

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The replica is a copy of the primary: a row read from one may point at a row read from the other.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        # The replica receives the primary's schema by replication; nothing migrates it on its own.
        return False if db == REPLICA else None


View = TypeVar("View", bound=Callable[..., Any])


def reads_primary(view: View) -> View:
    """Marks a view whose safe requests must read the primary all the same (the replica middleware reads the
    mark): a page that shows the result of something that wrote moments ago on another connection."""
    view.reads_primary = True  # type: ignore[attr-defined]
    return view


def view_reads_primary(view: Callable[..., Any]) -> bool:
    """The mark of `reads_primary`, on a function view or on the class behind `as_view()` (Django, DRF)."""
    holders = (view, getattr(view, "view_class", None), getattr(view, "cls", None))
    return any(getattr(holder, "reads_primary", False) for holder in holders if holder is not None)
