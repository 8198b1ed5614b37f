"""Keyset paging for every list, pages and API alike: never OFFSET over millions, never COUNT(*) of them.

A page is the `per_page` rows that follow (or precede) a cursor in the list's order. The order is the
queryset's own (its `order_by` of fields or annotations, else the model's `Meta.ordering`) made total by
ending it at the primary key, so rows that tie on the sort key (two persons called Siti Aminah) are each
shown exactly once. The cursor
is the sort-key values of the row at the page's edge and the direction, signed (django.core.signing) so a
client cannot forge one: a cursor that does not verify is bad input on its field, never a 500.

How many rows the list has is counted over the first `LIST_COUNT_BOUND + 1` rows only: the exact number up
to the bound, "more than" the bound past it. Nullable sort keys sort their NULLs last in both directions on
both databases, so the comparison below is the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import F, Model, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext_lazy as _

from cakupan.core.errors import InvalidInput

AFTER, BEFORE = "a", "b"
BAD_CURSOR = _("This cursor is not valid for this list; start again from the first page.")


def count_bound() -> int:
    return int(getattr(settings, "LIST_COUNT_BOUND", 10_000))


@dataclass(frozen=True)
class BoundedCount:
    """`value` rows if `exact`, else more than `value` (the bound)."""

    value: int
    exact: bool


# The attribute of a query that names a cheaper query of the same rows to count (see counted_by). Set on
# the Query, whose clones (filter, order_by, all, a FilterSet's qs) all copy it.
_COUNTED_BY = "cakupan_counted_by"


def _counted_sql(rows: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    sql, params = rows.select_related(None).order_by().query.sql_with_params()
    return sql, tuple(params)


def counted_by(rows: QuerySet[Any], counter: QuerySet[Any]) -> QuerySet[Any]:
    """`rows`, whose bounded count is read from `counter`, a query with exactly as many rows that is
    cheaper to count (a key's index range rather than that range joined to the persons it names). Only
    while `rows` is what it was here: once a filter narrows it (its SQL differs), its own rows are
    counted."""
    rows = rows.all()
    setattr(rows.query, _COUNTED_BY, (_counted_sql(rows), counter))
    return rows


def bounded_count(rows: QuerySet[Any], bound: int | None = None) -> BoundedCount:
    """COUNT over a LIMIT of bound + 1 rows: the cost stops at the bound however large the list. The
    related rows fetched for display (select_related) are left out: they change no count, and their joins
    cost a lookup per counted row; a list that names a cheaper query of its rows (counted_by) is counted
    there."""
    bound = count_bound() if bound is None else bound
    counter = getattr(rows.query, _COUNTED_BY, None)
    if counter is not None and counter[0] == _counted_sql(rows):
        rows = counter[1]
    n = rows.select_related(None).order_by()[: bound + 1].count()
    return BoundedCount(min(n, bound), n <= bound)


@dataclass(frozen=True)
class SortKey:
    path: str  # a field, possibly through relations: "person__full_name"
    descending: bool
    nullable: bool

    def order(self, reverse: bool = False) -> Any:
        descending = self.descending != reverse
        if not self.nullable:
            return f"-{self.path}" if descending else self.path
        # NULLs last in the list's order, so first when walking it backwards.
        expression = F(self.path)
        if reverse:
            return expression.desc(nulls_first=True) if descending else expression.asc(nulls_first=True)
        return expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)


def _field_path(model: type[Model], name: str) -> tuple[str, bool]:
    """The lookup path of an ordering name (a foreign key orders by its id) and whether it may be NULL."""
    parts = name.split("__")
    current: Any = model
    nullable = False
    for i, part in enumerate(parts):
        field = current._meta.pk if part == "pk" else current._meta.get_field(part)
        nullable = nullable or bool(getattr(field, "null", False))
        if field.is_relation and i < len(parts) - 1:
            current = field.related_model
            continue
        if field.is_relation:  # ordering by a foreign key itself: its id column
            parts[i] = field.attname
        elif part == "pk":
            parts[i] = field.name
    return "__".join(parts), nullable


def sort_keys(rows: QuerySet[Any]) -> list[SortKey]:
    """The list's order, ended at the primary key so that it is total."""
    query = rows.query
    ordering: Sequence[Any] = query.order_by or (
        (query.get_meta().ordering or []) if query.default_ordering else []
    )
    model = rows.model
    pk_name = model._meta.pk.name
    keys: list[SortKey] = []
    for item in ordering:
        if isinstance(item, OrderBy) and isinstance(item.expression, F):
            name, descending = str(item.expression.name), item.descending  # type: ignore[attr-defined]
        elif isinstance(item, str) and item != "?":
            name, descending = item.lstrip("-"), item.startswith("-")
        else:
            raise ValueError(f"Keyset paging needs orderings by field names, not {item!r}")
        if name in query.annotations:  # a column the list selects under a name (e.g. a joined row's)
            path, nullable = name, bool(getattr(query.annotations[name].output_field, "null", False))
        else:
            path, nullable = _field_path(model, name)
        keys.append(SortKey(path, descending, nullable))
        if path == pk_name:
            return keys
    keys.append(SortKey(pk_name, False, False))
    return keys


def _value_of(row: Any, path: str) -> Any:
    value = row
    for part in path.split("__"):
        value = getattr(value, part, None) if value is not None else None
    return value


def _plain(value: Any) -> Any:
    """A value as JSON can carry it; the field turns the text back when the query is built."""
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()  # microseconds kept: created_at must not lose them
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    return value


def _salt(rows: QuerySet[Any], keys: Sequence[SortKey]) -> str:
    """A cursor opens only the list (model and order) it was made for."""
    order = ",".join(("-" if k.descending else "") + k.path for k in keys)
    return f"cakupan.cursor:{rows.model._meta.label_lower}:{order}"


def _after(keys: Sequence[SortKey], values: Sequence[Any], reverse: bool) -> Q:
    """Rows strictly after `values` in the order (before them, when `reverse`): for keys k1..kn,
    k1 beyond v1, or k1 = v1 and k2 beyond v2, ... NULLs sort last, so first when walking backwards."""
    nothing = Q(pk__in=[])
    either = nothing
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        descending = key.descending != reverse
        if value is None:
            beyond = Q(**{f"{key.path}__isnull": False}) if reverse else nothing
            same = Q(**{f"{key.path}__isnull": True})
        else:
            beyond = Q(**{f"{key.path}__{'lt' if descending else 'gt'}": value})
            if key.nullable and not reverse:
                beyond |= Q(**{f"{key.path}__isnull": True})
            same = Q(**{key.path: value})
        either |= equal & beyond
        equal &= same
    first = keys[0]
    if values[0] is not None and not first.nullable:
        # Redundant with the above, but lets the database range-scan an index on the first key.
        either &= Q(**{f"{first.path}__{'lte' if first.descending != reverse else 'gte'}": values[0]})
    return either


@dataclass
class KeysetPage:
    """One page of a list: what templates and API responses read (`object_list`, the two cursors, the
    bounded count); iterating it gives the rows."""

    object_list: list[Any]
    count: BoundedCount
    next_cursor: str | None
    previous_cursor: str | None
    next_query: str = ""  # the links' query strings, filters kept (set by the page, see with_links)
    previous_query: str = ""

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def with_links(self, query: Any, field: str = "cursor") -> KeysetPage:
        """`query`: the request's QueryDict; the links keep its filters and replace the cursor."""
        for attr, cursor in (("next_query", self.next_cursor), ("previous_query", self.previous_cursor)):
            params = query.copy()
            params.pop(field, None)
            if cursor is not None:
                params[field] = cursor
            setattr(self, attr, params.urlencode())
        return self


def keyset_page(
    rows: QuerySet[Any],
    *,
    cursor: str | None,
    per_page: int,
    field: str = "cursor",
    count: bool = True,
) -> KeysetPage:
    """The page of `rows` that `cursor` points to (the first page without one).

    Raises InvalidInput on `field` for a cursor that was not made by this list."""
    keys = sort_keys(rows)
    salt = _salt(rows, keys)
    direction, values = AFTER, None
    if cursor:
        direction, values = _decode(cursor, salt=salt, n=len(keys), field=field)
    reverse = direction == BEFORE
    ordered = rows.order_by(*(k.order(reverse) for k in keys))
    if values is not None:
        ordered = ordered.filter(_after(keys, values, reverse))
    fetched = list(ordered[: per_page + 1])
    more = len(fetched) > per_page
    shown = fetched[:per_page]
    if reverse:
        shown.reverse()

    def edge(row: Any, way: str) -> str:
        return signing.dumps([way, [_plain(_value_of(row, k.path)) for k in keys]], salt=salt, compress=True)

    # Walking forwards, a cursor means rows came before it; walking backwards, rows follow it.
    has_next = more if not reverse else values is not None
    has_previous = values is not None if not reverse else more
    return KeysetPage(
        object_list=shown,
        count=bounded_count(rows) if count else BoundedCount(len(shown), not has_next and not has_previous),
        next_cursor=edge(shown[-1], AFTER) if shown and has_next else None,
        previous_cursor=edge(shown[0], BEFORE) if shown and has_previous else None,
    )


def _decode(cursor: str, *, salt: str, n: int, field: str) -> tuple[str, list[Any]]:
    try:
        payload = signing.loads(cursor, salt=salt)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise InvalidInput.single(field, BAD_CURSOR) from exc
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or payload[0] not in (AFTER, BEFORE)
        or not isinstance(payload[1], list)
        or len(payload[1]) != n
    ):
        raise InvalidInput.single(field, BAD_CURSOR)
    return payload[0], payload[1]


def list_page_for(
    rows: QuerySet[Any], query: Any, *, per_page: int
) -> tuple[KeysetPage, list[dict[str, str]]]:
    """For a page (HTML): the page `?cursor=` in `query` points to, with its links keeping the filters.

    A cursor this list did not make (edited, or from before a change of order) gives the first page and
    the field errors to show with it (the page answers 400), so the user can carry on."""
    try:
        return keyset_page(rows, cursor=query.get("cursor"), per_page=per_page).with_links(query), []
    except InvalidInput as exc:
        query = query.copy()
        query.pop("cursor", None)
        first = keyset_page(rows, cursor=None, per_page=per_page).with_links(query)
        return first, [e.as_dict() for e in exc.errors]
