"""Agreements for the partners tests, made through the services (the real checks run)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cakupan.partners.models import Agreement, PartnerAgency
from cakupan.partners.services.agreements import agreement_create


def agency_of(user: Any) -> PartnerAgency:
    return PartnerAgency.objects.get(pk=user.agency_id)


def agreement(
    actor: Any,
    *,
    number: str = "01/PKS/MLG/2025",
    region: str = "35.73",
    agencies: tuple[PartnerAgency, ...] = (),
    signed_on: dt.date | None = dt.date(2025, 1, 10),
    valid_from: dt.date = dt.date(2025, 1, 10),
    valid_to: dt.date = dt.date(2027, 1, 9),
    obligations: list[dict[str, str]] | None = None,
) -> Agreement:
    parties: list[dict[str, Any]] = [{"kind": "agency", "id": a.pk} for a in agencies]
    if not parties:
        parties = [{"kind": "association", "name": "Paguyuban Klinik Contoh"}]
    return agreement_create(
        actor=actor,
        number=number,
        title="Perluasan cakupan kepesertaan",
        region=region,
        signed_on=signed_on,
        valid_from=valid_from,
        valid_to=valid_to,
        parties=parties,
        obligations=obligations or [{"kind": "workforce_data"}, {"kind": "enforcement"}],
    )
