"""How the API reads requests: JSON with a depth limit, and OPTIONS without instantiating serializers.

Kept apart from core.api because DRF imports these while it defines APIView (DEFAULT_PARSER_CLASSES,
DEFAULT_METADATA_CLASS): this module must not import rest_framework.views.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers
from rest_framework.metadata import SimpleMetadata
from rest_framework.request import Request

from cakupan.core.json_depth import MAX_DEPTH, json_too_deep

if TYPE_CHECKING:
    from rest_framework.views import APIView


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing documents nested deeper than `MAX_DEPTH` before parsing them: Python's
    json module recurses per level, so deep nesting would end in RecursionError (a 500). The body's size is
    already bounded by DATA_UPLOAD_MAX_MEMORY_SIZE (DRF reads JSON through `request.body`)."""

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        raw = stream.read() if stream is not None else b""
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise exceptions.ParseError(
                _("The body is not text in %(encoding)s.") % {"encoding": encoding}
            ) from exc
        if json_too_deep(text):
            raise exceptions.ParseError(
                _("JSON nested deeper than %(limit)d levels is not accepted.") % {"limit": MAX_DEPTH}
            )
        return super().parse(io.BytesIO(raw), media_type, parser_context)


class Metadata(SimpleMetadata):
    """OPTIONS answers the view's name, description, renderers and parsers, without DRF's description of the
    POST/PUT body: DRF builds that by instantiating `get_serializer()`, which our views do not use (each
    action has its own input and output serializer, described in the OpenAPI document), so it failed with
    a 500. The OpenAPI document at /api/schema/ is where the bodies are described."""

    def determine_actions(self, request: Request, view: APIView) -> dict[str, Any]:
        return {}
