"""Coverage pages load this library; its percent filter is now the builtin one (core/templatetags/display.py),
kept as a name so templates that load it keep working."""

from __future__ import annotations

from django import template

register = template.Library()
