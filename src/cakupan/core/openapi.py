"""The OpenAPI document's statement of the error answers every operation can give.

Views declare the errors particular to them (a 404 for an object outside the user's scope, a 400 naming
fields). Some answers come from the shared machinery and can follow any request, so they are added here to
every operation that does not declare them itself, all in the one error shape (`ErrorOutput`):
- 400: malformed input (a body that is not JSON, nested too deeply, a `cursor` the list did not make);
- 401: no or a bad token; 403: the role may not do this (accounts.permissions);
- 404: an id outside the user's scope (operations with a path id);
- 413 and 415: a body over DATA_UPLOAD_MAX_MEMORY_SIZE, or of a media type the operation does not take.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

ERROR_REF = {"$ref": "#/components/schemas/ErrorOutput"}
# Written out here too, so the hook does not depend on some view having referenced the serializer.
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        }
    },
    "required": ["errors"],
}
DESCRIPTIONS = {
    "400": _("Malformed or invalid input; each error names its field."),
    "401": _("Not authenticated."),
    "403": _("Your role may not do this."),
    "404": _("Not found, or outside your scope."),
    "413": _("The request body is too large."),
    "415": _("The request body's media type is not accepted here."),
}
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _codes(operation: dict[str, Any]) -> list[str]:
    codes = ["400"]
    if operation.get("security"):  # absent for the token endpoint, which authenticates no one
        codes += ["401", "403"]
    params = operation.get("parameters", [])
    if any(p.get("in") == "path" for p in params):
        codes.append("404")
    if "requestBody" in operation:
        codes += ["413", "415"]
    return codes


def error_responses_hook(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorOutput", ERROR_SCHEMA)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code in _codes(operation):
                responses.setdefault(
                    code,
                    {
                        "content": {"application/json": {"schema": ERROR_REF}},
                        "description": str(DESCRIPTIONS[code]),
                    },
                )
    return result
