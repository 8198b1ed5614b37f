"""Shared helpers of the registry services: audit field lists, error collection, scope checks."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cakupan.accounts.scope import Scope
from cakupan.core.errors import FieldError, InvalidInput
from cakupan.regions.models import Region

PERSON_FIELDS = (
    "nik",
    "full_name",
    "birth_date",
    "sex",
    "phone",
    "address_region",
    "citizenship",
    "nik_warnings",
)
EMPLOYER_FIELDS = (
    "npp",
    "nib",
    "name",
    "legal_form",
    "size_class",
    "kbli",
    "risk_class",
    "region",
    "branch_office",
    "facility_type",
)
EMPLOYMENT_FIELDS = (
    "person",
    "employer",
    "start_date",
    "end_date",
    "basic_wage",
    "fixed_allowance",
    "occupation",
    "civil_service",
)
MEMBERSHIP_FIELDS = (
    "person",
    "kpj",
    "segment",
    "jkk",
    "jkm",
    "jht",
    "jp",
    "jkp",
    "start_date",
    "end_date",
    "status",
    "payer_kind",
    "employer",
    "employment",
    "sponsor",
    "declared_income",
    "contract_value",
    "contract_months",
    "pmi_jht_amount",
    "pmi_individual",
    "bpu_sector",
)
SPONSOR_FIELDS = ("name", "kind", "region", "employer", "income_basis")


class _Errors:
    """Collects field errors so a form shows all of them at once, not one per submit."""

    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, field: str, message: Any) -> None:
        self.items.append(FieldError(field, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidInput(self.items)

    def check_length(self, field: str, value: str, limit: int) -> None:
        # The column's length, checked here: PostgreSQL refuses a longer value with a DataError (a 500).
        if len(value) > limit:
            self.add(field, _("At most %(limit)d characters.") % {"limit": limit})


def _region(code: Any, errors: _Errors, field: str) -> Region | None:
    region = Region.objects.filter(pk=str(code or "")).first() if code else None
    if region is None:
        errors.add(field, _("Unknown region code."))
    elif region.level < 2:
        errors.add(field, _("Choose a regency/city or a district, not a province."))
        return None
    return region


def _in_regions(scope: Scope, region: Region) -> bool:
    return scope.everything or region.code[:5] in scope.regency_codes
