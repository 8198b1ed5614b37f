"""What every registry page does the same way: scope, keyset paging, htmx partials, forms and 404s."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django_filters import FilterSet

from cakupan.accounts.access import scope_of, ui_flags
from cakupan.core.errors import NotInScope
from cakupan.core.filtering import filter_rows, page_errors
from cakupan.core.pagination import list_page_for

T = TypeVar("T")
PER_PAGE = 25


def own_employer_npp(request: HttpRequest) -> str | None:
    """For an employer's HR: its NPP, to fill in forms (the services still check it)."""
    user: Any = request.user
    return user.employer.npp if getattr(user, "employer_id", None) else None


def page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    scope = scope_of(request)
    return render(request, template, {"scope": scope, "ui": ui_flags(scope), **context}, status=status)


def get_or_404(getter: Callable[..., T], request: HttpRequest, pk: Any) -> T:
    """A selector's `*_get`; outside the user's scope it is a 404, never revealing that the row exists."""
    try:
        return getter(user=request.user, pk=pk)
    except NotInScope as exc:
        raise Http404 from exc


def list_page(
    request: HttpRequest,
    *,
    template: str,
    table: str,
    rows: QuerySet[Any],
    context: dict[str, Any],
    filterset: type[FilterSet] | None = None,
) -> HttpResponse:
    """A list paged by keyset (core.pagination); an htmx request (the filter box, a page link) gets only
    the table back. A bad cursor answers 400 with the first page and the error beside the pager.

    `filterset`: the list's FilterSet, the one its API endpoint uses (core.filtering): the same filters,
    the same refusals (400, the message beside the pager, no rows)."""
    filter_errors: list[dict[str, str]] = []
    if filterset is not None:
        rows, found = filter_rows(filterset, request.GET, rows, request=request)
        filter_errors = page_errors(filterset, found)
    page_obj, errors = list_page_for(rows, request.GET, per_page=PER_PAGE)
    errors = filter_errors + errors
    context = {
        "page_obj": page_obj,
        "list_errors": errors,
        "q": request.GET.get("q", ""),
        "table_template": table,
        **context,
    }
    status = 400 if errors else 200
    if getattr(request, "htmx", False):
        return page(request, table, context, status=status)
    return page(request, template, context, status=status)


def form_page(request: HttpRequest, form: Any, *, status: int = 200, **context: Any) -> HttpResponse:
    """The one form template: a title, the form in sections, field errors, cancel link.

    A form that did not pass answers 400, so tools and tests can tell it apart from a first showing.
    """
    if request.method == "POST" and form.errors:
        status = 400
    return page(request, "registry/form.html", {"form": form, **context}, status=status)
