"""One FilterSet per list, read the same way by its page and its API (NetBox's habit, style.md).

A FilterSet only narrows what a selector already scoped. Its validation is the list's validation: an id
beyond BIGINT, a month that is not YYYY-MM or an unknown status is refused by the API with a 400 naming
the parameter, and by the page with a 400 that shows the message beside the list and lists nothing
(rather than quietly ignoring the filter and listing everything, which a user takes for an answer).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from cakupan.core.errors import FieldError, InvalidInput


def filter_rows(
    filterset_class: type[django_filters.FilterSet], data: Any, rows: QuerySet[Any], *, request: Any
) -> tuple[QuerySet[Any], list[FieldError]]:
    """The rows the query string's filters keep, or no rows and the errors naming each parameter."""
    filterset = filterset_class(data, queryset=rows, request=request)
    if filterset.is_valid():
        return filterset.qs, []
    errors = [
        FieldError(name, message) for name, messages in filterset.errors.items() for message in messages
    ]
    return rows.none(), errors


def filter_or_refuse(
    filterset_class: type[django_filters.FilterSet], data: Any, rows: QuerySet[Any], *, request: Any
) -> QuerySet[Any]:
    """For an endpoint: the filtered rows, or `InvalidInput` (HTTP 400, each error naming its parameter)."""
    rows, errors = filter_rows(filterset_class, data, rows, request=request)
    if errors:
        raise InvalidInput(errors)
    return rows


def page_errors(
    filterset_class: type[django_filters.FilterSet], errors: list[FieldError]
) -> list[dict[str, str]]:
    """The errors as a page shows them beside its list: the filter's label, then the message."""
    labels = {name: f.label for name, f in filterset_class.base_filters.items()}
    return [{"field": e.field, "message": f"{labels.get(e.field) or e.field}: {e.message}"} for e in errors]
