"""The event list's filters, read the same way by the page and the command line (core.filtering)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cakupan.contributions.filters import PeriodFilter
from cakupan.outreach.models import Audience, Event


class RegionCodeField(forms.CharField):
    def to_python(self, value: Any) -> str:
        text = (super().to_python(value) or "").strip()
        if text and not all(part.isascii() and part.isdigit() for part in text.split(".")):
            raise forms.ValidationError(_("A region code, e.g. 35.07."), code="region")
        return text


class RegionFilter(django_filters.CharFilter):
    field_class = RegionCodeField

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if not value:
            return qs
        return qs.filter(Q(region_id=value) | Q(region__code__startswith=f"{value}."))


class EventFilter(django_filters.FilterSet):
    region = RegionFilter(label=_("region"))
    audience = django_filters.ChoiceFilter(choices=Audience.choices, label=_("audience"))
    status = django_filters.ChoiceFilter(choices=Event.Status.choices, label=_("status"))
    month = PeriodFilter(method="in_month", label=_("month"))
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("name"))

    class Meta:
        model = Event
        fields: list[str] = []

    def in_month(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if not value:
            return qs
        year, month = value.split("-")
        return qs.filter(date__year=int(year), date__month=int(month))
