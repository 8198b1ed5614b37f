"""Claim texts that come from the rule tables (document names, written in English in benefits.toml):
shown in the user's language through the translation catalogue."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

from cakupan.benefits.reason_words import reason_shown

register = template.Library()


@register.filter
def translated(text: str) -> str:
    return gettext(str(text))


@register.simple_tag
def reason(text: str) -> str:
    """A calculator reason or check detail in the user's language, as a list item's content; one of no
    known wording keeps `lang="en"` (benefits/reason_words.py)."""
    shown, known = reason_shown(text)
    english = not known and not (get_language() or "").startswith("en")
    return format_html('<span lang="en">{}</span>', shown) if english else format_html("{}", shown)
