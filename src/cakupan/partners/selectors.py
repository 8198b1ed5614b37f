"""Reads of cooperation agreements, scoped by role (accounts.scope.Scope.agreements): branch staff see
their office's agreements, an agency those it is a party to, the national administrator all; others none.
Out of scope is not found (404), never a different answer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.accounts.scope import Scope
from cakupan.core.errors import InvalidInput, NotInScope
from cakupan.partners.kpis import Unit, definitions
from cakupan.partners.kpis.compute import month_parse
from cakupan.partners.models import (
    Agreement,
    AgreementAlert,
    AgreementDocument,
    AgreementKpi,
    AgreementParty,
    AgreementStatus,
    KpiStatus,
    KpiValue,
    Obligation,
    ObligationMark,
)
from cakupan.regions.models import Region

IN_FORCE = (AgreementStatus.ACTIVE, AgreementStatus.EXPIRING)


def agreement_list(
    *, user: Any = None, scope: Scope | None = None, region: str | None = None
) -> QuerySet[Agreement]:
    """Agreements in scope, optionally of one region (a regency code, or a province's: its regencies)."""
    found = require(scope if scope is not None else user, Perm.AGREEMENT_READ)
    rows = Agreement.objects.filter(pk__in=Agreement.objects.filter(found.agreements()).values("pk"))
    if region:
        code = str(region).strip()
        if not Region.objects.filter(code=code).exists():
            raise InvalidInput.single("region", _("Unknown region code."))
        rows = rows.filter(Q(region_id=code) | Q(region__code__startswith=f"{code}."))
    return rows.select_related("region", "branch_office").prefetch_related(
        Prefetch("parties", queryset=AgreementParty.objects.order_by("id"))
    )


def agreement_get(
    *, user: Any = None, scope: Scope | None = None, number: str | None = None, pk: Any = None
) -> Agreement:
    rows = agreement_list(user=user, scope=scope)
    try:
        if pk is not None:
            return rows.get(pk=int(pk))
        return rows.get(number=str(number or "").strip())
    except (Agreement.DoesNotExist, ValueError, TypeError) as exc:
        raise NotInScope from exc


def party_names(agreement: Agreement) -> list[str]:
    """The branch office first, then the counterparties, as the agreement names them."""
    return [agreement.branch_office.name, *(p.name for p in agreement.parties.all())]


def agreement_row(agreement: Agreement) -> dict[str, Any]:
    """The list contract: number, parties, region, status, valid_from, valid_to."""
    return {
        "number": agreement.number,
        "parties": party_names(agreement),
        "region": agreement.region_id,
        "status": agreement.status,
        "valid_from": agreement.valid_from.isoformat(),
        "valid_to": agreement.valid_to.isoformat(),
    }


@dataclass(frozen=True)
class KpiLine:
    kpi: AgreementKpi
    key: str
    label: str
    unit: str
    value: Decimal | None
    target: Decimal
    baseline: Decimal
    status: str | None
    numerator: int | None
    denominator: int | None
    expected: Decimal | None

    def as_dict(self) -> dict[str, Any]:
        def number(x: Decimal | None) -> float | int | None:
            if x is None:
                return None
            return int(x) if self.unit == Unit.COUNT else float(x)

        return {
            "key": self.key,
            "label": self.label,
            "value": number(self.value),
            "target": number(self.target),
            "unit": self.unit,
            "status": self.status,
        }


def latest_computed(agreement: Agreement) -> str | None:
    return (
        KpiValue.objects.filter(agreement_kpi__agreement=agreement)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )


def kpi_lines(agreement: Agreement, period: str) -> list[KpiLine]:
    """Each KPI of the agreement with its value of the month (None where not computed)."""
    catalogue = definitions()
    kpis = list(agreement.kpis.select_related("region", "sponsor").order_by("id"))
    values = {v.agreement_kpi_id: v for v in KpiValue.objects.filter(agreement_kpi__in=kpis, period=period)}
    lines = []
    for kpi in kpis:
        found = catalogue.get(kpi.key)
        value = values.get(kpi.pk)
        lines.append(
            KpiLine(
                kpi=kpi,
                key=kpi.key,
                label=str(found.label) if found else kpi.key,
                unit=str(found.unit) if found else Unit.COUNT,
                value=value.value if value else None,
                target=kpi.target,
                baseline=kpi.baseline,
                status=value.status if value else None,
                numerator=value.numerator if value else None,
                denominator=value.denominator if value else None,
                expected=value.expected if value else None,
            )
        )
    return lines


def agreement_kpis(
    *, user: Any = None, scope: Scope | None = None, number: str, period: str | None = None
) -> dict[str, Any]:
    """The KPI contract: {"agreement", "period", "kpis": [{"key", "label", "value", "target", "unit",
    "status"}]}; without a period, the latest month computed."""
    agreement = agreement_get(user=user, scope=scope, number=number)
    month = str(month_parse(period)) if period else (latest_computed(agreement) or "")
    lines = kpi_lines(agreement, month) if month else []
    return {
        "agreement": agreement.number,
        "period": month or None,
        "kpis": [line.as_dict() for line in lines],
    }


def kpi_trend(agreement: Agreement) -> dict[int, list[KpiValue]]:
    """Every computed month of each KPI, oldest first (one query)."""
    trend: dict[int, list[KpiValue]] = {}
    for value in KpiValue.objects.filter(agreement_kpi__agreement=agreement).order_by("period"):
        trend.setdefault(value.agreement_kpi_id, []).append(value)
    return trend


def latest_mark(agreement: Agreement) -> str | None:
    return (
        ObligationMark.objects.filter(obligation__agreement=agreement)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )


def obligation_grid(
    agreement: Agreement, months: list[str]
) -> list[tuple[Obligation, list[ObligationMark | None]]]:
    """Each obligation with its mark of each month shown (None: not ticked)."""
    obligations = list(agreement.obligations.order_by("id"))
    marks = {
        (m.obligation_id, m.period): m
        for m in ObligationMark.objects.filter(obligation__in=obligations, period__in=months)
    }
    return [(o, [marks.get((o.pk, month)) for month in months]) for o in obligations]


def documents(agreement: Agreement) -> QuerySet[AgreementDocument]:
    return agreement.documents.order_by("-uploaded_at", "-id")


def document_get(*, user: Any, pk: Any) -> AgreementDocument:
    """A document of an agreement in the user's scope; 404 otherwise."""
    visible = agreement_list(user=user).values("pk")
    try:
        return AgreementDocument.objects.select_related("agreement").get(pk=int(pk), agreement_id__in=visible)
    except (AgreementDocument.DoesNotExist, ValueError, TypeError) as exc:
        raise NotInScope from exc


def alerts(agreement: Agreement) -> QuerySet[AgreementAlert]:
    return agreement.alerts.order_by("-created_at", "-id")


def agreements_expiring(*, scope: Scope, today: dt.date, days: int = 90) -> QuerySet[Agreement]:
    """Agreements in force whose end falls within `days` (the home queue)."""
    return agreement_list(scope=scope).filter(
        status__in=IN_FORCE, valid_to__gte=today, valid_to__lte=today + dt.timedelta(days=days)
    )


def agreements_behind(*, scope: Scope) -> QuerySet[Agreement]:
    """Agreements with a KPI behind its path in its latest computed month (the home queue)."""
    newest = KpiValue.objects.filter(agreement_kpi_id=OuterRef("agreement_kpi_id")).order_by("-period")
    behind = KpiValue.objects.filter(
        agreement_kpi__agreement__in=agreement_list(scope=scope).values("pk"),
        status=KpiStatus.BEHIND,
        period=Subquery(newest.values("period")[:1]),
    ).values("agreement_kpi__agreement_id")
    return agreement_list(scope=scope).filter(pk__in=behind, status__in=IN_FORCE)
