"""Claim texts that come from the rule tables (document names, written in English in benefits.toml):
shown in the user's language through the translation catalogue."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def translated(text: str) -> str:
    return gettext(str(text))
