"""The outreach funnel's panel on the coverage dashboard: `{% load outreach_panel %}{% outreach_funnel %}`
renders the funnel by audience for the signed-in user's scope, or nothing for a role that may not read
outreach. Coverage only includes the tag; it needs no outreach import."""

from __future__ import annotations

from typing import Any

from django import template

from cakupan.accounts.access import scope_of
from cakupan.accounts.permissions import Perm, may
from cakupan.outreach.funnel import funnel_by

register = template.Library()


@register.inclusion_tag("outreach/partials/coverage_panel.html", takes_context=True)
def outreach_funnel(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    if request is None or not may(scope_of(request), Perm.OUTREACH_READ):
        return {"shown": False}
    return {"shown": True, "rows": funnel_by(user=request.user, scope=scope_of(request), by="audience")}
