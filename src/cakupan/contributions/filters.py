"""The bill list's filters, for the page (/contributions/bills/) and the API (/api/v1/bills/) alike
(core.filtering): before, the page ignored an account id or a month the API refused."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from cakupan.contributions.models import Bill, PayerAccount
from cakupan.contributions.selectors_payments import payer_account_search
from cakupan.registry.api.filters import IdFilter
from cakupan.rules.period import Period


class PeriodField(forms.CharField):
    """A month written YYYY-MM, parsed rather than passed through (a NUL byte failed in PostgreSQL)."""

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        if not text:
            return ""
        try:
            return str(Period.parse(text))
        except ValueError as exc:
            raise forms.ValidationError(_("A month written YYYY-MM, e.g. 2026-05."), code="period") from exc


@extend_schema_field(OpenApiTypes.STR)
class PeriodFilter(django_filters.CharFilter):
    field_class = PeriodField


class BillFilter(django_filters.FilterSet):
    period = PeriodFilter(field_name="period", label=_("Period"))
    account = IdFilter(field_name="account_id", label=_("account"))

    class Meta:
        model = Bill
        fields: list[str] = []


class PayerAccountFilter(django_filters.FilterSet):
    """The payer accounts' filters, for the page (/contributions/) and the API (/api/v1/payer-accounts/)."""

    kind = django_filters.ChoiceFilter(choices=PayerAccount.Kind.choices, label=_("payer"))
    q = django_filters.CharFilter(
        method="filter_q", label=_("search: virtual account, NPP (exact) or the payer's name")
    )

    class Meta:
        model = PayerAccount
        fields: list[str] = []

    def filter_q(self, queryset: Any, name: str, value: str) -> Any:
        return payer_account_search(accounts=queryset, query=value)
