"""Template helpers: the header, NIK as the viewer may see it, NIK warnings, home figures (amounts, counts and
dates: the builtin filters of core/templatetags/display.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from cakupan.accounts.access import role_label, scope_name, scope_of, ui_flags
from cakupan.accounts.scope import mask_nik
from cakupan.core import display
from cakupan.registry import selectors
from cakupan.registry.nik import MESSAGES
from cakupan.web.nav import menu_for

register = template.Library()


@register.inclusion_tag("web/partials/header.html", takes_context=True)
def page_header(context: template.Context) -> dict[str, Any]:
    request: HttpRequest | None = context.get("request")
    user = getattr(request, "user", None)
    out: dict[str, Any] = {
        "request": request,
        "languages": settings.LANGUAGES,
        "csrf_token": context.get("csrf_token"),
        "signed_in": bool(user and user.is_authenticated),
    }
    if request is not None and out["signed_in"]:
        scope = scope_of(request)
        out["ui"] = ui_flags(scope)
        out["role_label"] = role_label(scope)
        out["scope_name"] = scope_name(user, scope)
        out["is_admin"] = scope.everything and bool(getattr(user, "is_staff", False))
        out["menu"] = menu_for(scope, path=request.path)
    return out


@register.simple_tag(takes_context=True)
def nik(context: template.Context, value: str) -> str:
    """The NIK as this viewer may see it (sponsors: masked, UU 27/2022 data minimisation)."""
    request = context.get("request")
    if request is None:  # no viewer known: show the least
        return mask_nik(value)
    return selectors.nik_for_display(scope=scope_of(request), nik=value)


@register.filter
def nik_warning(item: Any) -> str:
    """A stored NIK warning ({"code", "detail"}) as a sentence in the user's language."""
    if not isinstance(item, dict):
        return str(item)
    code, detail = item.get("code", ""), item.get("detail", "")
    text = str(MESSAGES[code]) if code in MESSAGES else str(code)
    return f"{text} ({detail})" if detail else text


@register.filter
def figure(count: Any) -> str:
    """A home page figure: 1.234, "more than 2.000" (a bounded first count), "≈ 10,0 M" (an estimate)."""
    value = int(count.get("value", 0))
    if count.get("estimate"):
        if value >= 1_000_000:
            millions = display.decimal(value / 1_000_000, digits=1)
            return _("≈ %(millions)s M") % {"millions": millions}
        return "≈ " + display.count(value)
    if not count.get("exact", True):
        return _("more than %(bound)s") % {"bound": display.count(value)}
    return display.count(value)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key, "") if isinstance(mapping, dict) else ""


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **params: Any) -> str:
    """The current query string with some parameters replaced (for paging links that keep the filter)."""
    request = context.get("request")
    query = request.GET.copy() if request is not None else None
    if query is None:
        return ""
    for key, value in params.items():
        query[key] = value
    return query.urlencode()
