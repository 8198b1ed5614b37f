"""Language: Bahasa Indonesia unless the user chose English with the switch in the header; no caching of
personal data."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control


class DefaultLanguageMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but ignores the browser's Accept-Language.

    Many phones in Indonesia run an English system language while their users expect the agency's
    pages in Indonesian; only an explicit choice (the language cookie set by /i18n/setlang/) switches.
    API clients keep Django's behaviour: their Accept-Language header is an explicit choice.
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith("/api/"):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        code = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()


class PrivateResponseMiddleware:
    """`Cache-Control: no-store, private` on every answer that may carry personal data: every response to a
    signed-in user, every API response and every download (exports, reports, PDFs, letters), so that no
    browser cache, shared proxy or back button keeps a copy. Static files never get here (WhiteNoise
    answers above this middleware) and keep their long cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            getattr(user, "is_authenticated", False)
            or request.path_info.startswith("/api/")
            or response.has_header("Content-Disposition")
        ):
            patch_cache_control(response, no_store=True, private=True)
        return response
