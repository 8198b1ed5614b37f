"""The region report: the dashboard's figures as one structure, written to XLSX (xlsxwriter) or PDF
(WeasyPrint, from the same HTML template the charts use, so the PDF shows charts and their tables)."""

from __future__ import annotations

import io
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from cakupan.accounts.scope import Scope
from cakupan.core import display, labels
from cakupan.core.spreadsheet import neutralise
from cakupan.coverage import charts, maps, selectors


def region_report(*, scope: Scope, region: str | None, period: str) -> dict[str, Any]:
    """Summary, segment and sector breakdowns, the regions below, and the last twelve months."""
    show = selectors.coverage_show(scope=scope, region=region, period=period)
    children = selectors.coverage_children(scope=scope, region=region, period=period)
    recent = sorted(p for p in selectors.coverage_periods() if p <= show["period"])[-12:]
    series = selectors.coverage_series(scope=scope, region=region, periods=recent)
    target = show["target"]["target"] if show["target"] else None
    return {
        "show": show,
        "children": children,
        "series": series,
        "bars": charts.rate_bars(children),
        "series_chart": charts.series_bars(series, target=target),
        "map": maps.choropleth(children),
    }


# A text cell starting with one of these may be run as a formula by a spreadsheet (CSV/formula injection,
# OWASP): it is written as text with a leading apostrophe.


def _cell(ws: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
    """Numbers as numbers; every string as text (never a formula), neutralised when it could be one."""
    if isinstance(value, str):
        ws.write_string(row, col, neutralise(value), fmt)
    else:
        ws.write(row, col, value, fmt)


def report_xlsx(report: dict[str, Any]) -> bytes:
    """One sheet per table: summary, by segment, by sector, regions, months. Counts are numbers."""
    import xlsxwriter

    show = report["show"]
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True})
    count = book.add_format({"num_format": "#,##0"})
    percent = book.add_format({"num_format": "0.0%"})
    detail = show["workforce_detail"] or {}

    def sheet(name: str, header: list[str], rows: list[list[Any]], formats: list[Any]) -> None:
        ws = book.add_worksheet(name)
        for c, title in enumerate(header):
            _cell(ws, 0, c, title, bold)
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values):
                _cell(ws, r, c, value, formats[c] if c < len(formats) else None)
        ws.set_column(0, len(header) - 1, 18)

    summary = [
        [_("Region"), f"{show['region']} {show['region_name']}"],
        [_("Month"), display.month(show["period"])],
        [_("Active participants"), show["active"]],
        [_("Workforce"), show["workforce"]],
        [_("Coverage rate"), show["rate"]],
        [_("Denominator"), show["denominator"]["label"]],
        [_("Workforce survey"), display.month(detail.get("survey"))],
        [_("Workforce source"), labels.source(detail)],
        [_("Synthetic workforce figure"), _("yes") if detail.get("synthetic") else _("no")],
    ]
    if show["target"]:
        t = show["target"]
        summary += [
            [_("Target"), t["target"]],
            [_("Achievement"), t["achievement"]],
            [_("Forecast (December)"), t["forecast"]],
            [_("Status"), labels.label("target_status", t["status"])],
        ]
    ws = book.add_worksheet(_("Summary"))
    for r, (label, value) in enumerate(summary):
        _cell(ws, r, 0, label, bold)
        is_rate = label in (_("Coverage rate"), _("Achievement"))
        _cell(ws, r, 1, value, percent if is_rate else count if isinstance(value, int) else None)
    ws.set_column(0, 1, 34)
    sheet(
        _("By segment"),
        [_("Segment"), _("Active")],
        [[labels.label("segment", k), v] for k, v in show["by_segment"].items()],
        [None, count],
    )
    sheet(
        _("By sector"),
        [_("Sector"), _("Active")],
        [[labels.label("sector", k), v] for k, v in show["by_sector"].items()],
        [None, count],
    )
    sheet(
        _("Regions"),
        [_("Code"), _("Region"), _("Active"), _("Workforce"), _("Rate"), _("Synthetic")],
        [
            [
                r["code"],
                r["name"],
                r["active"],
                r["workforce"]["denominator"] if r["workforce"] else None,
                r["rate"],
                _("yes") if r["workforce"] and r["workforce"]["synthetic"] else "",
            ]
            for r in report["children"]
        ],
        [None, None, count, count, percent, None],
    )
    sheet(
        _("Months"),
        [_("Month"), _("Active")],
        [[display.month(p), v] for p, v in sorted(report["series"].items())],
        [None, count],
    )
    book.close()
    return out.getvalue()


def planner_xlsx(scenarios: list[Any], gap: dict[str, Any] | None = None) -> bytes:
    """The planner's scenarios side by side (one row each, as on the page), each month's per-worker
    amount per scenario, and the gap when one was asked for. Amounts are whole Rupiah."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True})
    rupiah = book.add_format({"num_format": "#,##0"})
    ws = book.add_worksheet(_("Scenarios"))
    header = [
        _("Funding"),
        _("BPU sector"),
        _("Workers"),
        _("First month"),
        _("Months"),
        _("Per worker (Rp)"),
        _("PP 50/2025 discount (Rp)"),
        _("Total (Rp)"),
    ]
    for c, title in enumerate(header):
        _cell(ws, 0, c, title, bold)
    for r, s in enumerate(scenarios, start=1):
        values = [
            s.funding.upper(),
            labels.label("bpu_sector", s.sector),
            s.workers,
            display.month(s.start),
            s.months,
            s.per_worker,
            s.discount,
            s.total,
        ]
        for c, value in enumerate(values):
            _cell(ws, r, c, value, rupiah if isinstance(value, int) else None)
    ws.set_column(0, len(header) - 1, 18)
    months = book.add_worksheet(_("Per month"))
    _cell(months, 0, 0, _("Month"), bold)
    for c, s in enumerate(scenarios, start=1):
        _cell(months, 0, c, f"{s.funding.upper()} {labels.label('bpu_sector', s.sector)}", bold)
        for r, line in enumerate(s.per_month, start=1):
            _cell(months, r, 0, display.month(line["period"]))
            _cell(months, r, c, line["per_worker"], rupiah)
    months.set_column(0, len(scenarios), 18)
    if gap:
        sheet = book.add_worksheet(_("Uncovered workers"))
        rows = [
            (_("Region"), f"{gap['region']} {gap['region_name']}"),
            (_("Month"), display.month(gap["period"])),
            (_("Category"), labels.label("gap_category", gap["category"])),
            (_("Workforce"), gap["workforce"]),
            (_("Active"), gap["active"]),
            (_("Uncovered"), gap["uncovered"]),
            (_("Denominator"), str(gap["definition"]["label"])),
        ]
        for r, (label, value) in enumerate(rows):
            _cell(sheet, r, 0, label, bold)
            _cell(sheet, r, 1, value, rupiah if isinstance(value, int) else None)
        sheet.set_column(0, 1, 30)
    book.close()
    return out.getvalue()


def report_pdf(report: dict[str, Any], *, base_url: str = "") -> bytes:
    """The report page (charts as inline SVG, each with its table) printed by WeasyPrint."""
    from weasyprint import HTML

    html = render_to_string("coverage/report_pdf.html", {"r": report, "show": report["show"]})
    pdf = HTML(string=html, base_url=base_url or None).write_pdf()
    return bytes(pdf or b"")
