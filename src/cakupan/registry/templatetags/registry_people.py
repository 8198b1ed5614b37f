"""`{% person_shown person as p %}`: a person as the viewer may see them (registry.person_view decides)."""

from __future__ import annotations

from django import template

from cakupan.accounts.access import scope_of
from cakupan.registry.models import Person
from cakupan.registry.person_view import PersonShown
from cakupan.registry.person_view import person_shown as _person_shown

register = template.Library()


@register.simple_tag(takes_context=True)
def person_shown(context: template.Context, person: Person) -> PersonShown:
    scope = context.get("scope")
    if scope is None and context.get("request") is not None:
        scope = scope_of(context["request"])
    return _person_shown(scope=scope, person=person)
