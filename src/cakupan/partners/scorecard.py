"""The scorecard of an agreement: per KPI, the months computed (trend table) and a small SVG line chart
with the target line and the straight path from baseline to target over the agreement's validity. The
shapes are computed here; the templates (page and PDF) only draw them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cakupan.partners.models import Agreement, KpiValue
from cakupan.partners.selectors import KpiLine, kpi_lines, kpi_trend, latest_computed
from cakupan.rules.period import Period

WIDTH, HEIGHT = 340, 150
LEFT, RIGHT, TOP, BOTTOM = 8, 8, 12, 22


@dataclass(frozen=True)
class KpiCard:
    line: KpiLine
    values: list[KpiValue]
    chart: dict[str, Any]


def _months(agreement: Agreement) -> list[str]:
    first, last = Period.of(agreement.valid_from), Period.of(agreement.valid_to)
    return [str(first.shift(i)) for i in range(first.months_until(last) + 1)]


def kpi_chart(line: KpiLine, values: list[KpiValue], months: list[str]) -> dict[str, Any]:
    """Points of the values, the target's height and the path from baseline to target."""
    peak = max([line.target, line.baseline, *(v.value for v in values), Decimal(1)])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span = max(len(months) - 1, 1)
    index = {m: i for i, m in enumerate(months)}

    def x(i: int) -> int:
        return LEFT + round(i * plot_w / span)

    def y(v: Decimal) -> int:
        return TOP + plot_h - round(float(v / peak) * plot_h)

    points = [{"x": x(index[v.period]), "y": y(v.value), "value": v} for v in values if v.period in index]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "target_y": y(line.target),
        "path": {"x1": x(0), "y1": y(line.baseline), "x2": x(span), "y2": y(line.target)},
        "base_y": TOP + plot_h,
        "first": months[0] if months else "",
        "last": months[-1] if months else "",
        "left": LEFT,
        "right": WIDTH - RIGHT,
    }


def scorecard(agreement: Agreement, period: str | None = None) -> dict[str, Any]:
    month = period or latest_computed(agreement) or ""
    trend = kpi_trend(agreement)
    months = _months(agreement)
    cards = [
        KpiCard(line, trend.get(line.kpi.pk, []), kpi_chart(line, trend.get(line.kpi.pk, []), months))
        for line in kpi_lines(agreement, month)
    ]
    return {"agreement": agreement, "period": month, "cards": cards}
