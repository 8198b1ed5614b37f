"""Writes to sponsors: those who pay contributions for others."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.core.audit import audit_record, snapshot
from cakupan.core.errors import InvalidInput
from cakupan.registry.models import Employer, Sponsor
from cakupan.registry.services._common import SPONSOR_FIELDS, _Errors, _in_regions, _region
from cakupan.registry.services.employment import _writable_employer

_NAME_MAX = Sponsor._meta.get_field("name").max_length or 200


@transaction.atomic
def sponsor_register(
    *, actor: Any, name: str, kind: str, region: str, employer: Employer | int | None = None
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
    if errors.items or found_region is None:
        raise InvalidInput(errors.items)
    try:
        with transaction.atomic():
            sponsor = Sponsor.objects.create(
                name=clean_name, kind=kind, region=found_region, employer=company
            )
    except IntegrityError as exc:  # a concurrent registration of the same name and kind
        raise InvalidInput.single("name", _("A sponsor with this name and kind exists.")) from exc
    audit_record(actor=actor, action="create", instance=sponsor, changes=snapshot(sponsor, SPONSOR_FIELDS))
    return sponsor
