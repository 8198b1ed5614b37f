"""Stored codes as words people read, in the active language: `label("sector", "rumah_sakit")` is
"rumah sakit" on an Indonesian page and "hospital" on an English one, never `rumah_sakit`.

One table of code sets ("kinds"). Where a model field has choices, the kind is those choices (their labels
are already translated, `gettext_lazy`), so a label is written once, on the model. Codes that live outside a
model field (the coverage snapshot's sector keys, filter values such as "all") are listed here with their
msgid. The domain models are imported when a label is first asked for: core imports no domain app at load.

An unknown code is shown as itself: better a code on the page than a page that fails; the page test in
`web/tests/test_display_pages.py` fails on such a code instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from django.utils.translation import gettext_lazy as _

from cakupan.core.display import MISSING


def _choices(model_choices: Any) -> dict[str, Any]:
    return {str(value): text for value, text in model_choices.choices}


@cache
def _kinds() -> dict[str, Callable[[], Mapping[str, Any]]]:
    from cakupan.partners.models import PartnerAgency
    from cakupan.registry.models import Employer, Membership, Segment, Sponsor

    def sector() -> dict[str, Any]:
        # The coverage snapshot's sector key (coverage/services/snapshots.py): a health facility's type, who
        # pays for a sponsored member, or "other".
        return {
            **_choices(Employer.FacilityType),
            "vulnerable-apbd": _("vulnerable workers paid by a regional budget (APBD)"),
            "csr": _("sponsored by a company (CSR)"),
            "donor": _("sponsored by a donor"),
            "other": _("other employers and workers"),
        }

    return {
        "sector": sector,
        "segment": lambda: _choices(Segment),
        "facility_type": lambda: _choices(Employer.FacilityType),
        "sponsor_kind": lambda: _choices(Sponsor.Kind),
        "agency_sector": lambda: _choices(PartnerAgency.Sector),
        "membership_status": lambda: _choices(Membership.Status),
        "bpu_sector": lambda: _choices(Membership.BpuSector),
    }


def kinds() -> list[str]:
    return sorted(_kinds())


def label(kind: str, code: Any) -> str:
    """The word for `code` in code set `kind`, in the active language."""
    if code is None or code == "":
        return MISSING
    table = _kinds().get(kind)
    if table is None:
        raise KeyError(f"no code set named {kind!r}")
    text = table().get(str(code))
    return str(text) if text is not None else str(code)
