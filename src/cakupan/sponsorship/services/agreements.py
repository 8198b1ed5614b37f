"""A sponsor's agreement with the branch office: whether its exports show its members' full NIK."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cakupan.accounts.permissions import Perm, require
from cakupan.core.audit import audit_record
from cakupan.registry.models import Sponsor
from cakupan.sponsorship.models import SponsorAgreement
from cakupan.sponsorship.selectors import sponsor_in_scope


@transaction.atomic
def agreement_set(*, actor: Any, sponsor: Sponsor | int | str, full_data: bool) -> SponsorAgreement:
    """Set by the office (audited): `full_data` grants the sponsor its members' full NIK in exports."""
    scope = require(actor, Perm.SPONSORSHIP_FUND)
    found = sponsor_in_scope(scope, sponsor)
    agreement, _created = SponsorAgreement.objects.get_or_create(sponsor=found)
    before = agreement.full_data
    agreement.full_data = bool(full_data)
    agreement.save(update_fields=["full_data", "updated_at"])
    audit_record(
        actor=actor, action="update", instance=agreement, changes={"full_data": [before, agreement.full_data]}
    )
    return agreement
