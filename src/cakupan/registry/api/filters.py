"""Query-string filters of the registry lists, for the page and the API of each list alike (core.filtering).
They narrow a selector's result, never widen it: every queryset they see already went through the user's
scope."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from cakupan.accounts.scope import scope_for
from cakupan.registry import selectors
from cakupan.registry.api.serializers import BIGINT_MAX
from cakupan.registry.models import Employer, Employment, Membership, Person, Segment, Sponsor


@extend_schema_field(OpenApiTypes.INT64)
class IdFilter(django_filters.NumberFilter):
    """An id: a whole number within the database's BIGINT (a number beyond it overflowed the query, a 500;
    a fraction matched nothing). Anything else is a 400 naming the parameter."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, min_value=1, max_value=BIGINT_MAX, **kwargs)


class DaysFilter(django_filters.NumberFilter):
    """A whole number of days (a fraction or a word is a 400 naming the parameter)."""

    field_class = forms.IntegerField


def region_prefix_q(field: str, code: str) -> Q:
    """The region itself and everything below it: codes are hierarchical (35, 35.73, 35.73.01)."""
    code = code.strip().rstrip(".")
    return Q(**{f"{field}_id": code}) | Q(**{f"{field}__code__startswith": f"{code}."})


class EmployerFilter(django_filters.FilterSet):
    npp = django_filters.CharFilter(field_name="npp", lookup_expr="iexact", label=_("NPP (exact)"))
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("name contains"))
    region = django_filters.CharFilter(method="filter_region", label=_("region code or its prefix"))
    size_class = django_filters.ChoiceFilter(choices=Employer.SizeClass.choices)
    facility_type = django_filters.ChoiceFilter(choices=Employer.FacilityType.choices)
    q = django_filters.CharFilter(method="filter_q", label=_("search: NPP, NIB or name"))

    class Meta:
        model = Employer
        fields: list[str] = []

    def filter_region(self, queryset: QuerySet[Employer], name: str, value: str) -> QuerySet[Employer]:
        return queryset.filter(region_prefix_q("region", value))

    def filter_q(self, queryset: QuerySet[Employer], name: str, value: str) -> QuerySet[Employer]:
        found = selectors.employer_find(user=self.request.user, query=value)
        return queryset.filter(pk__in=found.values("pk"))


class PersonFilter(django_filters.FilterSet):
    nik = django_filters.CharFilter(
        method="filter_nik", label=_("NIK (exact); ignored where NIKs are masked")
    )
    name = django_filters.CharFilter(method="filter_name", label=_("name starts with (case ignored)"))
    region = django_filters.CharFilter(method="filter_region", label=_("address region code or its prefix"))
    q = django_filters.CharFilter(method="filter_q", label=_("search: NIK or KPJ (exact) or name"))

    class Meta:
        model = Person
        fields: list[str] = []

    def filter_nik(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        return selectors.person_filter_nik(scope=scope_for(self.request.user), persons=queryset, nik=value)

    def filter_region(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        code = selectors.region_filter_code(scope=scope_for(self.request.user), code=value)
        return queryset.filter(region_prefix_q("address_region", code))

    def filter_name(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        scope = scope_for(self.request.user)
        return selectors.person_name_prefix(scope=scope, persons=queryset, text=value)

    def filter_q(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        return selectors.person_search(scope=scope_for(self.request.user), persons=queryset, query=value)


class EmploymentFilter(django_filters.FilterSet):
    person = IdFilter(field_name="person_id")
    employer = IdFilter(field_name="employer_id")
    open = django_filters.BooleanFilter(
        field_name="end_date", lookup_expr="isnull", label=_("still open (no end date)")
    )
    q = django_filters.CharFilter(method="filter_q", label=_("search: NIK or KPJ (exact), NPP or name"))

    class Meta:
        model = Employment
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Employment], name: str, value: str) -> QuerySet[Employment]:
        return selectors.employment_find(scope=scope_for(self.request.user), employment=queryset, query=value)


class MembershipFilter(django_filters.FilterSet):
    person = IdFilter(field_name="person_id")
    employer = IdFilter(field_name="employer_id")
    sponsor = IdFilter(field_name="sponsor_id")
    kpj = django_filters.CharFilter(field_name="kpj")
    segment = django_filters.ChoiceFilter(choices=Segment.choices, label=_("segment"))
    status = django_filters.ChoiceFilter(choices=Membership.Status.choices, label=_("status"))
    payer_kind = django_filters.ChoiceFilter(choices=Membership.PayerKind.choices, label=_("payer"))
    ending = DaysFilter(
        method="filter_ending",
        min_value=1,
        max_value=366,
        label=_("ending within so many days"),
    )
    q = django_filters.CharFilter(method="filter_q", label=_("search: KPJ or NIK (exact), NPP or name"))

    class Meta:
        model = Membership
        fields: list[str] = []

    def filter_ending(self, queryset: QuerySet[Membership], name: str, value: Any) -> QuerySet[Membership]:
        return selectors.membership_ending(memberships=queryset, days=int(value))

    def filter_q(self, queryset: QuerySet[Membership], name: str, value: str) -> QuerySet[Membership]:
        return selectors.membership_find(
            scope=scope_for(self.request.user), memberships=queryset, query=value
        )


class SponsorFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("name contains"))
    kind = django_filters.ChoiceFilter(choices=Sponsor.Kind.choices)
    region = django_filters.CharFilter(method="filter_region", label=_("region code or its prefix"))

    class Meta:
        model = Sponsor
        fields: list[str] = []

    def filter_region(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(region_prefix_q("region", value))
