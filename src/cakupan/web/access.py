"""Who may open which page.

Rows are filtered by the selectors (accounts.scope); this module only decides whether a role may open a
page at all, so a role that may not write gets 403 even when it posts a form by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from weakref import WeakKeyDictionary

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from cakupan.accounts.models import Role
from cakupan.accounts.scope import Scope, scope_for

# Derived from Scope so the pages and the services agree on who writes.
REGISTRY_WRITERS = tuple(r for r in Role.values if Scope(role=r).can_write_registry())
EMPLOYER_WRITERS = tuple(r for r in Role.values if Scope(role=r).can_write_employers())
EMPLOYER_READERS = (Role.NATIONAL_ADMIN, Role.BRANCH_STAFF, Role.AGENCY, Role.EMPLOYER_HR)
PERSON_READERS = (*EMPLOYER_READERS, Role.SPONSOR)
ALL_ROLES = tuple(Role.values)
# Registering a bare person (not as a worker of an employer) is office work: an employer's HR registers
# people through "register a worker", which also records the employment that puts them in its scope.
PERSON_CREATORS = (Role.NATIONAL_ADMIN, Role.BRANCH_STAFF)

_SCOPES: WeakKeyDictionary[HttpRequest, Scope] = WeakKeyDictionary()


def scope_of(request: HttpRequest) -> Scope:
    """The user's scope, computed once per request (a branch office's regions cost a query)."""
    scope = _SCOPES.get(request)
    if scope is None:
        scope = scope_for(request.user)
        _SCOPES[request] = scope
    return scope


def allow(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Log-in required, then 403 unless the user's role is one of `roles`."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if scope_of(request).role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorate


def ui_flags(scope: Scope) -> dict[str, Any]:
    """What the templates may offer: buttons a role may not use are not shown."""
    return {
        "role": scope.role,
        "write_registry": scope.role in REGISTRY_WRITERS,
        "write_employers": scope.role in EMPLOYER_WRITERS,
        "create_persons": scope.role in PERSON_CREATORS,
        "read_employers": scope.role in EMPLOYER_READERS,
        "read_persons": scope.role in PERSON_READERS,
        "read_employment": scope.role in (*EMPLOYER_READERS, Role.WORKER),
        "search": scope.role in PERSON_READERS,
        "masks_nik": scope.masks_nik,
    }


def scope_name(user: Any, scope: Scope) -> str:
    """The object the user's role is scoped to, for the header."""
    if scope.everything:
        return _("All of Indonesia")
    for attr in ("branch_office", "agency", "employer", "sponsor", "person"):
        if getattr(user, f"{attr}_id", None):
            return str(getattr(user, attr))
    return _("No scope")
