"""Template filters over `core.display` and `core.labels`, a builtin library (settings.TEMPLATES), so every
template writes {{ bill.total|rupiah }}, {{ n|count }}, {{ n|months }}, {{ rate|percent }}, {{ day|day }},
{{ p|month }}, {{ t|day_time }} and {{ code|label:"sector" }} without a `{% load %}`, and no template
formats by hand."""

from __future__ import annotations

from typing import Any

from django import template

from cakupan.core import display, labels

register = template.Library()


@register.filter
def rupiah(value: Any) -> str:
    return display.rupiah(value)


@register.filter
def count(value: Any) -> str:
    return display.count(value)


@register.filter
def decimal(value: Any, digits: int = 2) -> str:
    return display.decimal(value, digits=int(digits))


@register.filter
def percent(rate: Any) -> str:
    return display.percent(rate)


@register.filter
def points(value: Any) -> str:
    return display.percent_points(value)


@register.filter
def months(value: Any) -> str:
    return display.months(value)


@register.filter
def day(value: Any) -> str:
    return display.date(value)


@register.filter
def month(value: Any) -> str:
    return display.month(value)


@register.filter
def month_short(value: Any) -> str:
    return display.month_short(value)


@register.filter
def day_time(value: Any) -> str:
    return display.datetime(value)


@register.filter
def label(code: Any, kind: str) -> str:
    return labels.label(kind, code)


@register.filter
def source(value: Any) -> str:
    return labels.source(value)
