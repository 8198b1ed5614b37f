"""The home page's figures per scope, read from a cache (core.models.CachedFigures), never counted on the
request for a big scope.

A branch office serves one to three million people: counting its persons and memberships took seconds on
every home page, and minutes at national size. So the page reads one row per scope. A scope seen for the
first time gets a bounded count inline (at most HOME_FIGURES_INLINE_BOUND rows per figure): exact for an
employer's HR or a small sponsor, "more than N, being computed" for a branch office until the scheduled
`home_figures_refresh` has counted it. A small scope's stale figures are recounted inline the same way; a
big one's are shown with their time until the refresh runs. For the national admin on PostgreSQL, a table
of millions is the planner's estimate (pg_class.reltuples), shown as "≈ 10,0 jt".

Each figure is a selector's queryset, so it matches what the list it links to shows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from cakupan.accounts.permissions import Perm, may
from cakupan.accounts.scope import Scope
from cakupan.core.models import CachedFigures
from cakupan.core.pagination import bounded_count
from cakupan.registry import selectors
from cakupan.registry.models import Membership

# A table this large on PostgreSQL is counted by the planner's estimate for a scope that sees all of it.
ESTIMATE_FROM = 100_000
# How often a page view may write `seen_at` (a home page is not a write per view).
SEEN_EVERY = dt.timedelta(hours=1)


def inline_bound() -> int:
    return int(getattr(settings, "HOME_FIGURES_INLINE_BOUND", 2_000))


def max_age() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "HOME_FIGURES_MAX_AGE_MINUTES", 15)))


def keep_unseen() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "HOME_FIGURES_KEEP_DAYS", 7)))


@dataclass(frozen=True)
class Figure:
    value: int
    exact: bool = True  # False: more than `value` (a bounded count)
    estimate: bool = False  # True: about `value` (the planner's estimate)


# The figures a scope's home shows, by name, each a queryset: the registry's own (`figure_rows`) or those
# of the home's work queues (web/queues.py), which reach into other apps.
RowsFor = Callable[[Scope], dict[str, QuerySet[Any]]]


@dataclass(frozen=True)
class HomeFigures:
    figures: dict[str, Figure]
    computed_at: dt.datetime | None  # None: only a bounded first count, the full one is pending


def _whole(rows: QuerySet[Any], scope: Scope) -> bool:
    """Whether `rows` is a whole table (no filter): then an estimate may stand for its count."""
    return scope.everything and not rows.query.where


def figure_rows(scope: Scope) -> dict[str, QuerySet[Any]]:
    """The figures this scope's home page shows, by name, each the queryset of the list it links to."""
    rows: dict[str, QuerySet[Any]] = {}
    if may(scope, Perm.EMPLOYER_READ):
        rows["employers"] = selectors.employer_list(user=None, scope=scope)
    if may(scope, Perm.PERSON_READ):
        rows["persons"] = selectors.person_list(user=None, scope=scope)
    if scope.employer_id is not None:  # an employer's HR: its own workers
        rows["current_workers"] = selectors.employment_list(user=None, scope=scope).filter(
            end_date__isnull=True
        )
    rows["active_memberships"] = selectors.membership_list(user=None, scope=scope).filter(
        status=Membership.Status.ACTIVE
    )
    return rows


def _estimate(rows: QuerySet[Any]) -> int | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as c:
        c.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [rows.model._meta.db_table]
        )
        found = c.fetchone()
    return int(found[0]) if found and found[0] >= ESTIMATE_FROM else None


def figures_compute(
    scope: Scope, *, bound: int | None = None, rows_for: RowsFor = figure_rows
) -> dict[str, Figure]:
    """Counted up to `bound` rows each (inline, on a request), or in full (`bound=None`, the refresh),
    where a whole table of millions is estimated instead."""
    out: dict[str, Figure] = {}
    for name, rows in rows_for(scope).items():
        estimate = _estimate(rows) if _whole(rows, scope) else None
        if estimate is not None:
            out[name] = Figure(estimate, exact=False, estimate=True)
        elif bound is None:
            out[name] = Figure(rows.order_by().count())
        else:
            counted = bounded_count(rows, bound)
            out[name] = Figure(counted.value, exact=counted.exact)
    return out


# --- the cache --------------------------------------------------------------------------------------


def scope_key(scope: Scope) -> str:
    """The same for every user who sees the same rows (e.g. all staff of one branch office)."""
    text = json.dumps(dataclasses.asdict(scope), sort_keys=True, default=str)
    return f"{scope.role}:{hashlib.sha256(text.encode()).hexdigest()[:24]}"


def _scope_from(data: dict[str, Any]) -> Scope:
    fields = {f.name for f in dataclasses.fields(Scope)}
    values: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in fields
    }
    return Scope(**values)


def _load(data: dict[str, Any]) -> dict[str, Figure]:
    return {name: Figure(**value) for name, value in data.items()}


def _dump(figures: dict[str, Figure]) -> dict[str, Any]:
    return {name: dataclasses.asdict(figure) for name, figure in figures.items()}


def _small(figures: dict[str, Figure]) -> bool:
    return all(f.exact and not f.estimate for f in figures.values())


def _store(key: str, scope: Scope, figures: dict[str, Figure], *, complete: bool) -> CachedFigures:
    now = timezone.now()
    row, _created = CachedFigures.objects.update_or_create(
        key=key,
        defaults={
            "scope": dataclasses.asdict(scope),
            "figures": _dump(figures),
            "computed_at": now if complete else None,
            "seen_at": now,
        },
    )
    return row


def home_figures(scope: Scope, *, rows_for: RowsFor = figure_rows) -> HomeFigures:
    """The figures for a home page: one read; a bounded count only for a scope not yet cached, or a small
    one whose figures are older than HOME_FIGURES_MAX_AGE_MINUTES, or one cached without some of the
    figures asked for (cached before a figure was added)."""
    key = scope_key(scope)
    row = CachedFigures.objects.filter(key=key).first()
    now = timezone.now()
    if row is not None and set(row.figures) >= set(rows_for(scope)):
        figures = _load(row.figures)
        fresh = row.computed_at is not None and now - row.computed_at < max_age()
        if fresh or not _small(figures):
            if now - row.seen_at > SEEN_EVERY:
                CachedFigures.objects.filter(pk=row.pk).update(seen_at=now)
            return HomeFigures(figures, row.computed_at)
    figures = figures_compute(scope, bound=inline_bound(), rows_for=rows_for)
    row = _store(key, scope, figures, complete=_small(figures))
    return HomeFigures(figures, row.computed_at)


def home_figures_refresh(scope_key: str | None = None, *, rows_for: RowsFor = figure_rows) -> int:
    """Recount the cached figures in full: of one scope, or of every scope seen lately whose figures are
    pending or older than HOME_FIGURES_MAX_AGE_MINUTES; forget scopes unseen for HOME_FIGURES_KEEP_DAYS.
    Returns how many scopes were recounted. For a scheduled job (and `cakupan home_figures_refresh`)."""
    now = timezone.now()
    rows = CachedFigures.objects.all()
    if scope_key is not None:
        rows = rows.filter(key=scope_key)
    else:
        CachedFigures.objects.filter(seen_at__lt=now - keep_unseen()).delete()
        stale = rows.filter(computed_at__isnull=True) | rows.filter(computed_at__lt=now - max_age())
        rows = stale.filter(seen_at__gte=now - keep_unseen())
    done = 0
    for row in rows.order_by("computed_at", "id").iterator():
        scope = _scope_from(row.scope)
        figures = figures_compute(scope, rows_for=rows_for)
        CachedFigures.objects.filter(pk=row.pk).update(figures=_dump(figures), computed_at=timezone.now())
        done += 1
    return done
