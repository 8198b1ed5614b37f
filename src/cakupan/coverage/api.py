"""GET /api/v1/coverage/?region=35.73&period=2025-05: the same JSON as `cakupan coverage show --json`.

Scoped like the pages: 403 for roles without a coverage view, 404 for a region outside one's scope, 400
with field errors for a malformed month or an unknown region code.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cakupan.accounts.api_access import RoleMayRead
from cakupan.accounts.permissions import Perm
from cakupan.accounts.scope import scope_for
from cakupan.core.api import ErrorOutput
from cakupan.coverage import selectors


class CoverageView(APIView):
    renderer_classes = [JSONRenderer]
    permission_classes = [IsAuthenticated, RoleMayRead]
    # The selector checks the same permission (with the region); here it comes before the query string.
    read_permission = Perm.COVERAGE_READ

    @extend_schema(
        tags=["coverage"],
        summary="Coverage of a region in a month",
        parameters=[
            OpenApiParameter(
                "region", str, description="Kemendagri code (35.73); empty or ID for Indonesia."
            ),
            OpenApiParameter(
                "period", str, description="YYYY-MM, a month with a snapshot; default the newest built month."
            ),
        ],
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="region, period, active, workforce, rate, by_segment, by_sector, target",
            ),
            400: ErrorOutput,
            403: ErrorOutput,
            404: ErrorOutput,
        },
    )
    def get(self, request: Request) -> Response:
        answer: dict[str, Any] = selectors.coverage_show(
            scope=scope_for(request.user),
            region=request.query_params.get("region", ""),
            period=request.query_params.get("period", ""),
        )
        return Response(answer)


urlpatterns = [path("coverage/", CoverageView.as_view(), name="api-coverage")]
