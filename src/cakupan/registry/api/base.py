"""What every registry endpoint shares: JSON in and out, the role check for writes, parsing and rendering.

Refusals, by design (the API's contract, also stated in the OpenAPI document):
- not logged in: 401 (token) or 403 (session without login), from DRF;
- a role that may never make this kind of write (agency, sponsor, worker on the registry; employer HR on
  employers and sponsors): 403, before the body is read, so the answer does not depend on the payload;
- an object outside the user's scope, read or changed by id: 404, as if it did not exist (selectors raise
  `NotInScope`);
- a write the role may make in general but not with these values (e.g. HR naming another employer, branch
  staff filing an employer in another branch's region): 400 naming the field, from the service.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import status, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from cakupan.accounts.api_access import RoleMayRead
from cakupan.accounts.permissions import Perm, require
from cakupan.accounts.scope import Scope, scope_for
from cakupan.core.api import ErrorOutput
from cakupan.core.api_parsing import JSONParser
from cakupan.core.errors import Forbidden

_ERROR_TEXT = {
    400: _("Malformed or invalid input; each error names its field."),
    401: _("Not authenticated."),
    403: _("Your role may not make this kind of change."),
    404: _("Not found, or outside your scope."),
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: OpenApiResponse(ErrorOutput, description=str(_ERROR_TEXT[code])) for code in codes}


class RoleMayWrite(BasePermission):
    message = _("Your role may read this but not change it.")

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        # Forbidden: 403 with {"errors": [{"field": "permission", ...}]}, like every refusal.
        if view.write_permission is None:
            raise Forbidden(self.message)
        require(view.scope, view.write_permission)
        return True


class ApiViewSet(viewsets.GenericViewSet):
    """Thin endpoints: parse with an input serializer, call one service or selector, render the output.

    JSON only: the interactive documentation is Swagger UI at /api/docs/.
    """

    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    permission_classes = [IsAuthenticated, RoleMayRead, RoleMayWrite]
    lookup_value_regex = r"[0-9]+"
    # The permission a read through this endpoint needs at all (a field agent holds none of them: 403).
    read_permission: Perm | None = None
    # The permission a write through this endpoint needs at all (None: read-only endpoint).
    write_permission: Perm | None = None
    # The model listed, for the OpenAPI document when there is no user to scope by.
    model: type[Model]
    _scope: Scope | None = None

    @property
    def scope(self) -> Scope:
        if self._scope is None:
            self._scope = scope_for(self.request.user)
        return self._scope

    def list_queryset(self) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return self.model._default_manager.none()
        return self.list_queryset()

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if getattr(self, "request", None) is not None and not getattr(self, "swagger_fake_view", False):
            context["scope"] = self.scope
        return context

    def parse(self, serializer_class: type[BaseSerializer[Any]], request: Request) -> dict[str, Any]:
        serializer = serializer_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def render(
        self, instance: Any, serializer_class: type[BaseSerializer[Any]], code: int = status.HTTP_200_OK
    ) -> Response:
        return Response(serializer_class(instance, context=self.get_serializer_context()).data, status=code)

    def render_page(self, queryset: QuerySet[Any], serializer_class: type[BaseSerializer[Any]]) -> Response:
        page = self.paginate_queryset(queryset)
        data = serializer_class(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)
