"""API conventions shared by every endpoint: the error shape and pagination (requests: api_parsing)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from cakupan.core.errors import FieldError, Forbidden, InvalidInput, NotInScope
from cakupan.core.pagination import KeysetPage, keyset_page


def validated(form: serializers.Serializer) -> dict[str, Any]:
    """An input serializer's data, or InvalidInput with one field error per message (HTTP 400)."""
    if not form.is_valid():
        raise InvalidInput(
            FieldError(name, message) for name, msgs in form.errors.items() for message in msgs
        )
    return dict(form.validated_data)


class ErrorItemOutput(serializers.Serializer):
    field = serializers.CharField()
    message = serializers.CharField()


class ErrorOutput(serializers.Serializer):
    """The documented shape of every error answer (for the OpenAPI document)."""

    # The metaclass takes declared fields off the class: this does not shadow Serializer.errors at run time.
    errors = ErrorItemOutput(many=True)  # type: ignore[assignment]


class Pagination(BasePagination):
    """Keyset pages (core.pagination) in the list's own order: `?cursor=` from a `next` or `previous` link
    (opaque; one this list did not make is a 400 naming `cursor`), `?page_size=` up to 500.

    `count` is exact up to LIST_COUNT_BOUND; past it `count` is the bound and `count_exact` false ("more
    than"): counting millions on every request is what the national registry cannot afford."""

    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_param = "cursor"

    def __init__(self) -> None:
        self.page: KeysetPage | None = None
        self.request: Request | None = None

    def get_page_size(self, request: Request) -> int:
        default = int(api_settings.PAGE_SIZE or 50)
        text = request.query_params.get(self.page_size_query_param, "")
        if text.isascii() and text.isdigit() and int(text) > 0:
            return min(int(text), self.max_page_size)
        return default  # as DRF does: a page size that is not a positive number is the default

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        self.request = request
        self.page = keyset_page(
            queryset,
            cursor=request.query_params.get(self.cursor_query_param),
            per_page=self.get_page_size(request),
            field=self.cursor_query_param,
        )
        return self.page.object_list

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None or self.request is None:
            return None
        return replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, cursor)

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None
        return Response(
            {
                "count": self.page.count.value,
                "count_exact": self.page.count.exact,
                "next": self._link(self.page.next_cursor),
                "previous": self._link(self.page.previous_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["count", "count_exact", "next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "description": "Rows in the list, exact up to a bound; past it, the bound.",
                },
                "count_exact": {
                    "type": "boolean",
                    "description": "False when the list has more rows than `count`.",
                },
                "next": link,
                "previous": link,
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The cursor of a `next` or `previous` link; none for the first page.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1 to {self.max_page_size}.",
                "schema": {"type": "integer"},
            },
        ]


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested error detail as a flat list of {"field", "message"}."""
    if isinstance(detail, dict):
        out: list[dict[str, str]] = []
        for key, value in detail.items():
            name = "non_field_errors" if key in ("non_field_errors", "__all__") else str(key)
            out += _flatten(value, f"{prefix}.{name}" if prefix else name)
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [{"field": prefix or "non_field_errors", "message": str(item)} for item in detail]
        out = []
        for index, item in enumerate(detail):
            out += _flatten(item, f"{prefix}[{index}]")
        return out
    return [{"field": prefix or "non_field_errors", "message": str(detail)}]


def _body_error(message: Any, code: int) -> Response:
    return Response({"errors": [{"field": "body", "message": str(message)}]}, status=code)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    # Django raises these while reading the body (inside the view, when it reads request.data); unhandled,
    # they become Django's HTML 400 page.
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return _body_error(
            _("The request body is larger than %(limit)s bytes.") % {"limit": limit},
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        return _body_error(_("The request has too many fields or files."), status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, InvalidInput):
        return Response(exc.as_dict(), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response({"errors": _flatten(detail)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Forbidden):
        return Response(exc.as_dict(), status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, NotInScope):
        return Response(exc.as_dict(), status=status.HTTP_404_NOT_FOUND)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"errors": _flatten(exc.detail)}
    elif isinstance(exc, exceptions.ParseError):
        response.data = {"errors": [{"field": "body", "message": str(exc.detail)}]}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        response.data = {"errors": [{"field": "non_field_errors", "message": str(detail)}]}
    return response


# Django's own error pages (handler400/404/500 in cakupan.urls), answered in the API's error shape under
# /api/: a URL that resolves to no endpoint (e.g. /api/v1/persons/abc/) or a failure outside DRF's views.
# Pages keep Django's HTML answers.
API_PREFIX = "/api/"


def _api_error(request: HttpRequest, message: Any, code: int) -> JsonResponse | None:
    if not request.path.startswith(API_PREFIX):
        return None
    return JsonResponse({"errors": [{"field": "non_field_errors", "message": str(message)}]}, status=code)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _api_error(request, _("Bad request."), 400) or defaults.bad_request(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _api_error(request, _("Not found."), 404) or defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    return _api_error(request, _("Server error."), 500) or defaults.server_error(request)
