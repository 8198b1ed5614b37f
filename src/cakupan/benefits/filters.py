"""The claim list's filters, for the page (/benefits/claims/) and the API (/api/v1/claims/) alike."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cakupan.benefits.models import BENEFIT_CHOICES, Claim, ClaimStatus
from cakupan.registry.api.filters import IdFilter
from cakupan.registry.selectors import person_find


class ClaimFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ClaimStatus.choices)
    benefit = django_filters.ChoiceFilter(label=_("Benefit"), choices=BENEFIT_CHOICES)
    person = IdFilter(field_name="person_id", label=_("Person"))
    q = django_filters.CharFilter(method="filter_q", label=_("search: NIK or KPJ (exact) or name"))

    class Meta:
        model = Claim
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Claim], name: str, value: str) -> QuerySet[Claim]:
        # The persons' own search (NIK or KPJ exact, through their unique indexes; else the name).
        found = person_find(user=self.request.user, query=value)
        return queryset.filter(person__in=found.values("pk"))
