from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(rate: float | None) -> str:
    """0.4339 -> "43.4 %"; a missing rate -> "–"."""
    return "–" if rate is None else f"{rate * 100:.1f} %"
