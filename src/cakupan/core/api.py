"""API conventions shared by every endpoint: the error shape and pagination."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cakupan.core.errors import Forbidden, InvalidInput, NotInScope


class ErrorItemOutput(serializers.Serializer):
    field = serializers.CharField()
    message = serializers.CharField()


class ErrorOutput(serializers.Serializer):
    """The documented shape of every error answer (for the OpenAPI document)."""

    # The metaclass takes declared fields off the class: this does not shadow Serializer.errors at run time.
    errors = ErrorItemOutput(many=True)  # type: ignore[assignment]


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


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


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, InvalidInput):
        return Response(exc.as_dict(), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response({"errors": _flatten(detail)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Forbidden):
        return Response(exc.as_dict(), status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, NotInScope):
        exc = Http404()
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
