"""Who may open which page: the view decorator, the per-request scope and the flags templates read.

Rows are filtered by the selectors (accounts.scope); pages only ask whether the user's role holds a
permission at all (accounts.permissions), so a role that may not write gets 403 even when it posts a
form by hand. The services check the same permission again: a page is a convenience, not the guard.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from cakupan.accounts.models import Role
from cakupan.accounts.permissions import Perm, permissions_of, require
from cakupan.accounts.scope import Scope, scope_for


def scope_of(request: HttpRequest) -> Scope:
    """The user's scope, computed once per request (a branch office's regions cost a query): the request's
    user object keeps it (accounts.middleware.RequestScopeMiddleware)."""
    return scope_for(request.user)


def permission_required(perm: Perm) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Log-in required (anonymous users go to the login page), then 403 (Forbidden) unless the user's
    role holds `perm`."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require(scope_of(request), perm)
            return view(request, *args, **kwargs)

        wrapped.permission = perm  # type: ignore[attr-defined]  # read by the tests that list the pages
        return login_required(wrapped)

    return decorate


def ui_flags(scope: Scope) -> dict[str, Any]:
    """What the templates may offer: buttons a role may not use are not shown."""
    perms = permissions_of(scope)
    return {
        "role": scope.role,
        "perms": {perm.name.lower() for perm in perms},
        "write_registry": Perm.REGISTRY_EDIT in perms,
        "write_employers": Perm.EMPLOYER_WRITE in perms,
        "create_persons": Perm.PERSON_CREATE in perms,
        "read_employers": Perm.EMPLOYER_READ in perms,
        "read_persons": Perm.PERSON_READ in perms,
        "read_employment": Perm.EMPLOYMENT_READ in perms,
        "search": Perm.PERSON_SEARCH in perms,
        "masks_nik": scope.masks_nik,
    }


def role_label(scope: Scope) -> str:
    return str(Role(scope.role).label) if scope.role in Role.values else ""


def scope_name(user: Any, scope: Scope) -> str:
    """The object the user's role is scoped to, for the header."""
    if scope.everything:
        return _("All of Indonesia")
    for attr in ("branch_office", "agency", "employer", "sponsor", "person"):
        if getattr(user, f"{attr}_id", None):
            return str(getattr(user, attr))
    return _("No scope")
