"""Village funds (issue 15): a regency's villages (desa/kelurahan of the Kemendagri list) as sponsors paying
from their village fund (APBDes), their arrears with ageing and a roll-up for the regency, and letters to
the villages more than three months in arrears.

A village sponsor is a registry Sponsor of kind APBD (the calculator's source of funds: a regional budget)
seated at the village's district, with a `SponsorVillage` row holding the 13-character village code; its
funded periods have the source APBDes. Seating it at the district keeps the existing scope by region: the
villages of one regency are invisible to another regency's office and agency.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from lokal import wilayah

from cakupan.accounts.permissions import Perm, require
from cakupan.core.audit import audit_record
from cakupan.core.errors import InvalidInput
from cakupan.registry.models import Sponsor
from cakupan.registry.services.sponsors import sponsor_register
from cakupan.sponsorship.models import ArrearsLetter, SponsorVillage
from cakupan.sponsorship.selectors import sponsor_in_scope
from cakupan.sponsorship.selectors_villages import regency_code, village_rows


def _village(code: str) -> Any:
    text = str(code or "").strip()
    found = wilayah.get_wilayah(text) if len(text) == 13 else None
    if found is None or getattr(found, "level", 0) != 4:
        raise InvalidInput.single("village", _("Not a village code (desa/kelurahan) of the region list."))
    return found


@transaction.atomic
def village_sponsor_register(*, actor: Any, village: str) -> Sponsor:
    """The village as a sponsor: named after it, seated at its district; one per village."""
    require(actor, Perm.SPONSORSHIP_FUND)
    found = _village(village)
    if SponsorVillage.objects.filter(code=found.code).exists():
        raise InvalidInput.single("village", _("This village is a sponsor already."))
    sponsor = sponsor_register(
        actor=actor, name=f"APBDes {found.name} ({found.code})", kind=Sponsor.Kind.APBD, region=found.code[:8]
    )
    row = SponsorVillage.objects.create(
        sponsor=sponsor, code=found.code, name=found.name, regency=found.code[:5]
    )
    audit_record(
        actor=actor, action="create", instance=row, changes={"sponsor": sponsor.pk, "code": found.code}
    )
    return sponsor


@transaction.atomic
def letters_issue(*, actor: Any, regency: str, as_of: dt.date | None = None) -> list[ArrearsLetter]:
    """A letter to each village of the regency more than three months in arrears, once a month."""
    require(actor, Perm.SPONSORSHIP_FUND)
    day = as_of or timezone.localdate()
    due = [r for r in village_rows(user=actor, regency=regency, as_of=day) if r["letter_due"]]
    month = f"{day:%Y-%m}"
    done = set(
        ArrearsLetter.objects.filter(month=month, sponsor_id__in=[r["sponsor"] for r in due]).values_list(
            "sponsor_id", flat=True
        )
    )
    letters = ArrearsLetter.objects.bulk_create(
        ArrearsLetter(
            sponsor_id=r["sponsor"],
            month=month,
            as_of=day,
            months_in_arrears=r["months_in_arrears"],
            outstanding=r["outstanding"],
            oldest_period=r["oldest_period"] or "",
        )
        for r in due
        if r["sponsor"] not in done
    )
    audit_record(
        actor=actor,
        action="letters",
        entity="sponsorship.arrearsletter",
        entity_id=regency_code(regency),
        changes={"letters": len(letters), "as_of": day.isoformat()},
    )
    return letters


@transaction.atomic
def village_link(*, actor: Any, sponsor: Sponsor, village: str) -> SponsorVillage:
    """Mark an existing sponsor (of kind APBD, seated at the village's district) as that village's fund."""
    scope = require(actor, Perm.SPONSORSHIP_FUND)
    found = _village(village)
    sponsor = sponsor_in_scope(scope, sponsor)
    if sponsor.region_id != found.code[:8] or sponsor.kind != Sponsor.Kind.APBD:
        raise InvalidInput.single(
            "village", _("The sponsor must be an APBD sponsor seated at the village's district.")
        )
    if SponsorVillage.objects.filter(code=found.code).exists():
        raise InvalidInput.single("village", _("This village is a sponsor already."))
    row = SponsorVillage.objects.create(
        sponsor=sponsor, code=found.code, name=found.name, regency=found.code[:5]
    )
    audit_record(
        actor=actor, action="create", instance=row, changes={"sponsor": sponsor.pk, "code": found.code}
    )
    return row
