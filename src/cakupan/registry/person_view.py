"""What a role sees of a person: the one place that decides it, for the API, the pages, search and the
roster report.

A NIK is PP RR DD DDMMYY SSSS (rules.md §9.1): province, regency, district, birth date with day + 40 for
women, serial. A masked NIK keeps the first four and the last four digits, so a role that sees it masked
(`Scope.masks_nik`, the sponsor today) must see nothing that gives back the middle eight: no district
(the address shows the regency only), no birth date and no sex (an age band instead), no NIK warnings
(their details quote the encoded digits). Anything less and the NIK is rebuilt in a few guesses (issue 12:
100 of 100 were). UU 27/2022 Pasal 16: personal data processed only as far as the purpose needs.

Contact details are the office's: a roster upload by an employer's HR, a partner agency or a sponsor can
link a person registered by someone else, and linking must not hand over where they live or how to reach
them. Roles outside the branch office and the national office therefore see no phone and the address as
the regency only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from cakupan.accounts.permissions import Perm, may
from cakupan.accounts.scope import Scope, mask_nik
from cakupan.regions.codes import region_codes
from cakupan.registry.models import Citizenship, Person, Sex
from cakupan.registry.nik import MESSAGES as NIK_MESSAGES

AGE_BAND_YEARS = 10


@dataclass(frozen=True)
class PersonShown:
    """A person as one role may see them; a field the role may not see is None (or empty)."""

    pk: int
    nik: str
    full_name: str
    citizenship: str
    citizenship_label: str
    region_code: str  # the district of residence, or only its regency
    region_name: str
    birth_date: dt.date | None = None
    sex: str | None = None
    sex_label: str = ""
    age_band: str | None = None  # "30–39", shown instead of the birth date
    phone: str | None = None
    nik_warnings: list[dict[str, str]] = field(default_factory=list)  # {"code", "message"}
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


def shows_birth(scope: Scope | None) -> bool:
    """Birth date, sex and district: the digits a masked NIK hides. No scope known: shown the least."""
    return scope is not None and not scope.masks_nik


def shows_contact(scope: Scope | None) -> bool:
    return scope is not None and may(scope, Perm.PERSON_CONTACT_READ)


def age_band(birth_date: dt.date, today: dt.date) -> str:
    years = today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
    low = max(years, 0) // AGE_BAND_YEARS * AGE_BAND_YEARS
    return f"{low}–{low + AGE_BAND_YEARS - 1}"


def regency_of(code: str) -> str:
    """35.73.01 -> 35.73; a regency stays itself."""
    return ".".join(code.split(".")[:2])


def nik_warning_texts(items: Any) -> list[dict[str, str]]:
    out = []
    for item in items or []:
        code = str(item.get("code", "")) if isinstance(item, dict) else str(item)
        text = str(NIK_MESSAGES[code]) if code in NIK_MESSAGES else code
        detail = item.get("detail") if isinstance(item, dict) else ""
        out.append({"code": code, "message": f"{text} ({detail})" if detail else text})
    return out


def person_shown(*, scope: Scope | None, person: Person, today: dt.date | None = None) -> PersonShown:
    """`scope` None (no viewer known): the least, as for a masking role."""
    today = today or timezone.localdate()
    # The worker's own record is theirs in full; everyone else as their role allows.
    own = scope is not None and scope.person_id is not None and scope.person_id == person.pk
    birth = own or shows_birth(scope)
    contact = own or shows_contact(scope)
    code = person.address_region_id
    names = region_codes().names
    if not (birth and contact):
        code = regency_of(code)
    region_name = names.get(code) or (person.address_region.name if code == person.address_region_id else "")
    return PersonShown(
        pk=person.pk,
        nik=person.nik if own or (scope is not None and not scope.masks_nik) else mask_nik(person.nik),
        full_name=person.full_name,
        citizenship=person.citizenship,
        citizenship_label=str(Citizenship(person.citizenship).label)
        if person.citizenship in Citizenship.values
        else person.citizenship,
        region_code=code,
        region_name=region_name,
        birth_date=person.birth_date if birth else None,
        sex=person.sex if birth else None,
        sex_label=str(Sex(person.sex).label) if birth and person.sex in Sex.values else "",
        age_band=None if birth else age_band(person.birth_date, today),
        phone=(person.phone or "") if contact else None,
        nik_warnings=nik_warning_texts(person.nik_warnings) if birth else [],
        created_at=person.created_at,
        updated_at=person.updated_at,
    )
