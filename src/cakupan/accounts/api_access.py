"""Who may read through the API at all: the endpoint names the permission its reads need, the grants
(accounts.permissions.GRANTS) decide which roles hold it, as `permission_required` does for pages.

Rows are still filtered by the selectors; this check answers 403 to a role that may not read this kind of
record at all (a field agent reads the field app's endpoints only), instead of an empty list that looks as
if there were nothing to see.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission

from cakupan.accounts.permissions import require


class RoleMayRead(BasePermission):
    """GET, HEAD and OPTIONS need the view's `read_permission` (None: no check). Forbidden (403, in the
    API's error shape) before the query string is read, so the answer does not depend on it."""

    def has_permission(self, request: Any, view: Any) -> bool:
        perm = getattr(view, "read_permission", None)
        if request.method in SAFE_METHODS and perm is not None:
            require(request.user, perm)
        return True
