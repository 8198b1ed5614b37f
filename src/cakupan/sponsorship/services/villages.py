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
from django.db.models import Count, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from lokal import wilayah

from cakupan.accounts.permissions import Perm, require
from cakupan.contributions.arrears import months_late
from cakupan.contributions.models import Bill
from cakupan.contributions.selectors_payments import bills_annotated
from cakupan.core.audit import audit_record
from cakupan.core.errors import InvalidInput
from cakupan.registry.models import Sponsor
from cakupan.registry.services.sponsors import sponsor_register
from cakupan.sponsorship.models import ArrearsLetter, SponsorVillage
from cakupan.sponsorship.selectors import sponsors_in_scope

LETTER_AFTER_MONTHS = 3  # issue 15: letters to villages more than 3 months in arrears (product rule)
# Ageing of a village's arrears by whole months since its oldest unpaid due date.
AGES = (("1-3", 1, 3), ("4-6", 4, 6), ("7-12", 7, 12), ("13+", 13, None))


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


def _age(months: int) -> str:
    return next(name for name, low, high in AGES if months >= low and (high is None or months <= high))


def _regency(regency: str) -> str:
    text = str(regency or "").strip()
    if len(text) != 5 or text[2] != "." or not (text[:2] + text[3:]).isdigit():
        raise InvalidInput.single("regency", _("A regency code written PP.RR, e.g. 35.07."))
    return text


def village_rows(*, user: Any, regency: str, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Each village sponsor of the regency in scope with its arrears: outstanding past due, unpaid bills,
    the oldest unpaid period and the months since its due date. Two queries whatever the number."""
    scope = require(user, Perm.SPONSORSHIP_READ)
    code = _regency(regency)
    day = as_of or timezone.localdate()
    villages = list(
        SponsorVillage.objects.filter(regency=code, sponsor__in=sponsors_in_scope(scope))
        .select_related("sponsor")
        .order_by("code")
    )
    arrears = {
        row["account__sponsor_id"]: row
        for row in bills_annotated(
            Bill.objects.completed().filter(
                account__kind="sponsor",
                account__sponsor__village__regency=code,
                due_date__lt=day,
            )
        )
        .filter(outstanding__gt=0)
        .order_by()
        .values("account__sponsor_id")
        .annotate(
            total=Sum("outstanding"), bills=Count("pk"), oldest_due=Min("due_date"), oldest=Min("period")
        )
    }
    out = []
    for village in villages:
        row = arrears.get(village.sponsor_id)
        months = months_late(row["oldest_due"], day) if row else 0
        out.append(
            {
                "sponsor": village.sponsor_id,
                "code": village.code,
                "village": village.name,
                "outstanding": int(row["total"]) if row else 0,
                "unpaid_bills": row["bills"] if row else 0,
                "oldest_period": row["oldest"] if row else None,
                "months_in_arrears": months,
                "age": _age(months) if months else None,
                "letter_due": months > LETTER_AFTER_MONTHS,
            }
        )
    return out


def village_arrears(*, user: Any, regency: str, as_of: dt.date | None = None) -> dict[str, Any]:
    """The villages and the regency's roll-up: villages, in arrears, outstanding, and per age."""
    rows = village_rows(user=user, regency=regency, as_of=as_of)
    behind = [r for r in rows if r["outstanding"] > 0]
    ages = {name: {"villages": 0, "outstanding": 0} for name, _low, _high in AGES}
    for r in behind:
        ages[r["age"]]["villages"] += 1
        ages[r["age"]]["outstanding"] += r["outstanding"]
    return {
        "regency": _regency(regency),
        "villages": len(rows),
        "in_arrears": len(behind),
        "outstanding": sum(r["outstanding"] for r in behind),
        "letters_due": sum(1 for r in behind if r["letter_due"]),
        "ages": ages,
        "rows": rows,
    }


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
        entity_id=_regency(regency),
        changes={"letters": len(letters), "as_of": day.isoformat()},
    )
    return letters
