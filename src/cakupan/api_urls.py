"""The API: version 1, its OpenAPI schema and the interactive docs.

The schema and docs list every endpoint and field of the registry: they ask for a signed-in user (token or
session; the docs pages send anonymous visitors to the login page) unless CAKUPAN_PUBLIC_API_DOCS=1.
The docs pages load third-party bundles that need inline styles (and Redoc an inline script, web workers
and its fonts), so each relaxes the Content-Security-Policy for itself only.
"""

from functools import wraps
from typing import Any

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission


class DocsPermission(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(settings.CAKUPAN_PUBLIC_API_DOCS or request.user.is_authenticated)


def docs_page(view: Any) -> Any:
    """The page for signed-in users (anonymous visitors go to the login page) unless the docs are public."""

    @wraps(view)
    def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if settings.CAKUPAN_PUBLIC_API_DOCS or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        return redirect_to_login(request.get_full_path())

    return page


swagger_policy = csp_update({"style-src": [UNSAFE_INLINE]})
redoc_policy = csp_update(
    {
        "script-src": [UNSAFE_INLINE],
        "style-src": [UNSAFE_INLINE, "https://fonts.googleapis.com"],
        "font-src": ["https://fonts.gstatic.com"],
        "worker-src": ["blob:"],
    }
)

urlpatterns = [
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[DocsPermission]),
        name="schema",
    ),
    # The split view serves its start-up script as a file of its own: no inline script on the page.
    path(
        "docs/",
        swagger_policy(docs_page(SpectacularSwaggerSplitView.as_view(url_name="schema"))),
        name="api-docs",
    ),
    path(
        "redoc/", redoc_policy(docs_page(SpectacularRedocView.as_view(url_name="schema"))), name="api-redoc"
    ),
    path("v1/", include("cakupan.api_v1")),
]
