"""The request's user keeps its scope for the length of the request (accounts.scope.scope_cache_enable)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.middleware import get_user
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from cakupan.accounts.scope import scope_cache_enable


class RequestScopeMiddleware:
    """After Django's AuthenticationMiddleware: the same lazily loaded user (`get_user` keeps it on the
    request), marked to keep its scope. Every `require()` and selector of the request then reads the
    scope's rows (a branch office's regions, an agent's approval) once; the next request loads the user and
    its scope afresh."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.user = SimpleLazyObject(lambda: scope_cache_enable(get_user(request)))  # type: ignore[assignment]
        return self.get_response(request)
