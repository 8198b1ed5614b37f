"""Reads of village sponsors (issue 15): each village of a regency with its arrears and ageing, and the
regency's roll-up. Scoped as every sponsor read: one regency's villages are invisible to another's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.contributions.arrears import months_late
from cakupan.contributions.models import Bill
from cakupan.contributions.selectors_payments import bills_annotated
from cakupan.core.errors import InvalidInput
from cakupan.sponsorship.models import SponsorVillage
from cakupan.sponsorship.selectors import sponsors_in_scope

LETTER_AFTER_MONTHS = 3  # issue 15: letters to villages more than 3 months in arrears (product rule)
# Ageing of a village's arrears by whole months since its oldest unpaid due date.
AGES = (("1-3", 1, 3), ("4-6", 4, 6), ("7-12", 7, 12), ("13+", 13, None))


def _age(months: int) -> str:
    return next(name for name, low, high in AGES if months >= low and (high is None or months <= high))


def regency_code(regency: str) -> str:
    text = str(regency or "").strip()
    if len(text) != 5 or text[2] != "." or not (text[:2] + text[3:]).isdigit():
        raise InvalidInput.single("regency", _("A regency code written PP.RR, e.g. 35.07."))
    return text


def village_rows(*, user: Any, regency: str, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Each village sponsor of the regency in scope with its arrears: outstanding past due, unpaid bills,
    the oldest unpaid period and the months since its due date. Two queries whatever the number."""
    scope = require(user, Perm.SPONSORSHIP_READ)
    code = regency_code(regency)
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
        "regency": regency_code(regency),
        "villages": len(rows),
        "in_arrears": len(behind),
        "outstanding": sum(r["outstanding"] for r in behind),
        "letters_due": sum(1 for r in behind if r["letter_due"]),
        "ages": ages,
        "rows": rows,
    }
