"""Writes to sponsors: those who pay contributions for others."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.core import display
from cakupan.core.audit import audit_record, snapshot
from cakupan.core.errors import InvalidInput
from cakupan.registry.models import Employer, Sponsor
from cakupan.registry.selectors import bpu_lowest_income, sponsor_list
from cakupan.registry.services._common import SPONSOR_FIELDS, _Errors, _in_regions, _region
from cakupan.registry.services.employment import WAGE_MAX, _writable_employer

_NAME_MAX = Sponsor._meta.get_field("name").max_length or 200


@transaction.atomic
def _income_basis(value: Any, errors: _Errors, today: dt.date) -> int | None:
    """None (the lowest BPU level applies) or whole Rupiah from the lowest BPU level of the rules tables."""
    if value in (None, ""):
        return None
    lowest = bpu_lowest_income(today)
    try:
        amount = int(value)
    except (TypeError, ValueError):
        amount = -1
    if isinstance(value, bool) or str(value).strip() != str(amount) or not lowest <= amount <= WAGE_MAX:
        errors.add(
            "income_basis",
            _("Enter whole Rupiah from %(lowest)s (the lowest BPU income level), or leave it empty.")
            % {"lowest": display.count(lowest)},
        )
        return None
    return amount


def sponsor_register(
    *,
    actor: Any,
    name: str,
    kind: str,
    region: str,
    employer: Employer | int | None = None,
    income_basis: int | None = None,
) -> Sponsor:
    scope = require(actor, Perm.SPONSOR_WRITE)
    errors = _Errors()
    clean_name = " ".join(name.split()) if isinstance(name, str) else ""
    if not clean_name:
        errors.add("name", _("Enter the sponsor's name."))
    elif Sponsor.objects.filter(name=clean_name, kind=kind).exists():
        errors.add("name", _("A sponsor with this name and kind exists."))
    errors.check_length("name", clean_name, _NAME_MAX)
    if kind not in Sponsor.Kind.values:
        errors.add("kind", _("Choose APBD, CSR or donor."))
    found_region = _region(region, errors, "region")
    if found_region is not None and not _in_regions(scope, found_region):
        errors.add("region", _("This region is outside your branch office's area."))
    # The paying company must be one this actor may act for, like any other employer it names.
    company = _writable_employer(actor, scope, employer, errors) if employer else None
    basis = _income_basis(income_basis, errors, timezone.localdate())
    if errors.items or found_region is None:
        raise InvalidInput(errors.items)
    try:
        with transaction.atomic():
            sponsor = Sponsor.objects.create(
                name=clean_name, kind=kind, region=found_region, employer=company, income_basis=basis
            )
    except IntegrityError as exc:  # a concurrent registration of the same name and kind
        raise InvalidInput.single("name", _("A sponsor with this name and kind exists.")) from exc
    audit_record(actor=actor, action="create", instance=sponsor, changes=snapshot(sponsor, SPONSOR_FIELDS))
    return sponsor


@transaction.atomic
def sponsor_income_basis_set(
    *, actor: Any, sponsor: Sponsor | int, income_basis: int | str | None
) -> Sponsor:
    """The monthly income declared for the sponsor's members whose roster gives none (None: the lowest
    BPU level); text from a page or a command is checked as a number is. Members already enrolled keep
    the income they were enrolled with."""
    scope = require(actor, Perm.SPONSOR_WRITE)
    pk = sponsor.pk if isinstance(sponsor, Sponsor) else sponsor
    found = sponsor_list(user=actor, scope=scope).select_for_update(of=("self",)).filter(pk=pk).first()
    if found is None:
        raise InvalidInput.single("sponsor", _("Unknown sponsor, or one you may not change."))
    errors = _Errors()
    basis = _income_basis(income_basis, errors, timezone.localdate())
    errors.raise_if_any()
    before = found.income_basis
    found.income_basis = basis
    found.save(update_fields=["income_basis"])
    audit_record(actor=actor, action="update", instance=found, changes={"income_basis": [before, basis]})
    return found
