"""One error type for bad input, shared by services, API, pages and the command line.

Every interface turns `InvalidInput` into the same shape: `{"errors": [{"field": ..., "message": ...}]}`
(HTTP 400 on the API, exit code 2 on the command line, field errors on forms). Messages are lazily
translated so that each interface renders them in the user's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FieldError:
    field: str
    message: Any  # str or a lazy translation

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": str(self.message)}


class InvalidInput(Exception):  # noqa: N818 - it is the name the interfaces speak of
    """Raised by services when input breaks a rule; nothing has been written."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))

    @classmethod
    def single(cls, field: str, message: Any) -> InvalidInput:
        return cls([FieldError(field, message)])

    def as_dict(self) -> dict[str, list[dict[str, str]]]:
        return {"errors": [e.as_dict() for e in self.errors]}


class NotInScope(Http404):
    """The user may not see or change this object. Interfaces answer 404, never revealing it exists: an
    Http404, so a page answers 404 whether a selector or a service found the object out of scope; the API
    and the command line give {"errors": [{"field": "id", "message": ...}]} (HTTP 404, exit code 2)."""

    field = "id"

    def as_dict(self) -> dict[str, list[dict[str, str]]]:
        return {"errors": [{"field": self.field, "message": str(_("Not found, or outside your scope."))}]}


class Forbidden(PermissionDenied):
    """The user's role may not do this at all. HTTP 403 on pages and API, exit code 3 on the command line,
    always with `{"errors": [{"field": "permission", "message": ...}]}`. A PermissionDenied, so Django's
    403 handling applies to pages without each view catching it."""

    field = "permission"

    def __init__(self, message: Any = "") -> None:
        self.message = message
        super().__init__(str(message))

    def as_dict(self) -> dict[str, list[dict[str, str]]]:
        return {"errors": [{"field": self.field, "message": str(self.message)}]}
