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


def _arrears(scope: Any, code: str, day: dt.date, sponsors: list[int] | None) -> dict[int, dict[str, Any]]:
    """Per village sponsor of the regency in scope (or of `sponsors` only) that is behind: outstanding past
    due, unpaid bills, the oldest unpaid due date and period. One grouped query."""
    bills = Bill.objects.completed().filter(
        account__kind="sponsor",
        account__sponsor__village__regency=code,
        account__sponsor__in=sponsors_in_scope(scope),
        due_date__lt=day,
    )
    if sponsors is not None:
        bills = bills.filter(account__sponsor_id__in=sponsors)
    return {
        row["account__sponsor_id"]: row
        for row in bills_annotated(bills)
        .filter(outstanding__gt=0)
        .order_by()
        .values("account__sponsor_id")
        .annotate(
            total=Sum("outstanding"), bills=Count("pk"), oldest_due=Min("due_date"), oldest=Min("period")
        )
    }


def village_rows(
    *,
    user: Any,
    regency: str,
    as_of: dt.date | None = None,
    after: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Each village sponsor of the regency in scope with its arrears: outstanding past due, unpaid bills,
    the oldest unpaid period and the months since its due date; in village code order, from the code
    after `after`, at most `limit` (a page: keyset, so any page costs the same). Two queries."""
    scope = require(user, Perm.SPONSORSHIP_READ)
    code = regency_code(regency)
    day = as_of or timezone.localdate()
    found = (
        SponsorVillage.objects.filter(regency=code, sponsor__in=sponsors_in_scope(scope))
        .select_related("sponsor")
        .order_by("code")
    )
    if after:
        found = found.filter(code__gt=str(after))
    villages = list(found[:limit] if limit is not None else found)
    arrears = _arrears(scope, code, day, [v.sponsor_id for v in villages] if limit is not None else None)
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


def village_arrears(
    *,
    user: Any,
    regency: str,
    as_of: dt.date | None = None,
    after: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """The regency's roll-up over all its villages in scope (villages, in arrears, outstanding, letters
    due, per age) and its villages' rows: every one, or a page of `limit` after the code `after`, with
    `next` the code the following page starts after (None on the last). A constant number of queries:
    the roll-up reads the villages behind only, whatever the page."""
    scope = require(user, Perm.SPONSORSHIP_READ)
    code = regency_code(regency)
    day = as_of or timezone.localdate()
    rows = village_rows(
        user=user, regency=code, as_of=day, after=after, limit=None if limit is None else limit + 1
    )
    following = None
    if limit is not None and len(rows) > limit:
        rows = rows[:limit]
        following = rows[-1]["code"]
    ages = {name: {"villages": 0, "outstanding": 0} for name, _low, _high in AGES}
    outstanding = letters = 0
    behind = _arrears(scope, code, day, None)
    for row in behind.values():
        months = months_late(row["oldest_due"], day)
        total = int(row["total"])
        ages[_age(months)]["villages"] += 1
        ages[_age(months)]["outstanding"] += total
        outstanding += total
        letters += months > LETTER_AFTER_MONTHS
    villages = SponsorVillage.objects.filter(regency=code, sponsor__in=sponsors_in_scope(scope)).count()
    return {
        "regency": code,
        "villages": villages,
        "in_arrears": len(behind),
        "outstanding": outstanding,
        "letters_due": letters,
        "ages": ages,
        "rows": rows,
        "next": following,
    }
