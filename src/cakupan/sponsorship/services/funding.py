"""Funded periods: created and amended by the branch office, each write one audit event.

A sponsor's periods never overlap, so the bill of a month draws on exactly one of them; an amendment
states its reason and may not bring the amount below what is already billed in the period.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.core import display
from cakupan.core.audit import audit_record, diff, snapshot
from cakupan.core.errors import FieldError, InvalidInput, NotInScope
from cakupan.registry.models import Sponsor
from cakupan.registry.selectors import sponsor_list
from cakupan.rules.period import Period
from cakupan.sponsorship.models import FundedPeriod
from cakupan.sponsorship.selectors import billed_between, sponsor_in_scope

FIELDS = (
    "sponsor",
    "source",
    "document",
    "amount",
    "first_month",
    "last_month",
    "jht",
    "declared_income",
    "member_cap",
)
AMENDABLE = tuple(field for field in FIELDS if field != "sponsor")  # a period stays with its sponsor
_DOC_MAX = FundedPeriod._meta.get_field("document").max_length or 200


def _month(value: Any, field: str, errors: list[FieldError]) -> str | None:
    try:
        return str(Period.parse(str(value)))
    except ValueError:
        errors.append(FieldError(field, _("A month written YYYY-MM.")))
        return None


def _whole(value: Any, field: str, errors: list[FieldError], *, minimum: int) -> int | None:
    if isinstance(value, bool):
        value = None
    try:
        number = int(str(value).strip()) if value is not None and str(value).strip() != "" else None
    except ValueError:
        number = None
    if number is None or number < minimum or number > 10**15:
        errors.append(FieldError(field, _("A whole number of at least %(min)s.") % {"min": minimum}))
        return None
    return number


def _clean(values: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    if "source" in values:
        if values["source"] not in FundedPeriod.Source.values:
            errors.append(FieldError("source", _("Choose a source of funds from the list.")))
        out["source"] = values["source"]
    if "document" in values:
        document = " ".join(str(values["document"] or "").split())
        if not document:
            errors.append(FieldError("document", _("Name the budget document (e.g. the DPA number).")))
        elif len(document) > _DOC_MAX:
            errors.append(FieldError("document", _("At most %(max)s characters.") % {"max": _DOC_MAX}))
        out["document"] = document
    for field, minimum in (("amount", 0), ("declared_income", 1), ("member_cap", 1)):
        if field in values:
            out[field] = _whole(values[field], field, errors, minimum=minimum)
    for field in ("first_month", "last_month"):
        if field in values:
            out[field] = _month(values[field], field, errors)
    if "jht" in values:
        if not isinstance(values["jht"], bool):
            errors.append(FieldError("jht", _("Yes or no.")))
        out["jht"] = bool(values["jht"])
    return out, errors


def _check_months(
    sponsor_id: int,
    first: str | None,
    last: str | None,
    errors: list[FieldError],
    *,
    exclude: int | None = None,
) -> None:
    if first is None or last is None:
        return
    if last < first:
        errors.append(FieldError("last_month", _("The last month comes before the first.")))
        return
    others = FundedPeriod.objects.filter(sponsor_id=sponsor_id, first_month__lte=last, last_month__gte=first)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    clash = others.first()
    if clash is not None:
        errors.append(
            FieldError(
                "first_month",
                _("Overlaps the funded period %(first)s to %(last)s.")
                % {"first": clash.first_month, "last": clash.last_month},
            )
        )


@transaction.atomic
def funded_period_create(
    *,
    actor: Any,
    sponsor: Sponsor | int | str,
    source: str,
    document: str,
    amount: Any,
    first_month: str,
    last_month: str,
    declared_income: Any,
    member_cap: Any,
    jht: bool = False,
) -> FundedPeriod:
    scope = require(actor, Perm.SPONSORSHIP_FUND)
    found = sponsor_in_scope(scope, sponsor)
    values, errors = _clean(
        {
            "source": source,
            "document": document,
            "amount": amount,
            "first_month": first_month,
            "last_month": last_month,
            "declared_income": declared_income,
            "member_cap": member_cap,
            "jht": jht,
        }
    )
    _check_months(found.pk, values.get("first_month"), values.get("last_month"), errors)
    if errors:
        raise InvalidInput(errors)
    try:
        with transaction.atomic():
            period = FundedPeriod.objects.create(sponsor=found, **values)
    except IntegrityError as exc:  # a concurrent period of the same start
        raise InvalidInput.single(
            "first_month", _("A funded period of this sponsor starts this month.")
        ) from exc
    audit_record(actor=actor, action="create", instance=period, changes=snapshot(period, FIELDS))
    return period


@transaction.atomic
def funded_period_amend(
    *, actor: Any, funded_period: FundedPeriod | int, reason: str, **changes: Any
) -> FundedPeriod:
    """Change a funded period (a budget revision, an extension); `reason` is recorded with the change."""
    scope = require(actor, Perm.SPONSORSHIP_FUND)
    pk = funded_period.pk if isinstance(funded_period, FundedPeriod) else funded_period
    visible = sponsor_list(user=None, scope=scope).values("pk")
    try:
        period = FundedPeriod.objects.select_for_update().get(pk=pk, sponsor_id__in=visible)
    except (FundedPeriod.DoesNotExist, ValueError, TypeError) as exc:
        raise NotInScope from exc
    unknown = [name for name in changes if name not in AMENDABLE]
    errors = [FieldError(name, _("This field cannot be amended.")) for name in unknown]
    values, value_errors = _clean({k: v for k, v in changes.items() if k in AMENDABLE})
    errors += value_errors
    why = " ".join(str(reason or "").split())
    if not why:
        errors.append(FieldError("reason", _("Say why the funded period changes.")))
    first = values.get("first_month", period.first_month)
    last = values.get("last_month", period.last_month)
    _check_months(period.sponsor_id, first, last, errors, exclude=period.pk)
    if not errors and "amount" in values and values["amount"] is not None:
        billed = billed_between(period.sponsor_id, first, last)
        if values["amount"] < billed:
            errors.append(
                FieldError(
                    "amount",
                    _("Rp%(billed)s is already billed in this period.") % {"billed": display.count(billed)},
                )
            )
    if errors:
        raise InvalidInput(errors)
    before = snapshot(period, AMENDABLE)
    for name, value in values.items():
        setattr(period, name, value)
    period.save()
    changed = diff(before, snapshot(period, AMENDABLE))
    audit_record(actor=actor, action="amend", instance=period, changes={**changed, "reason": why})
    return period
