"""The health-worker page and the region report exports (XLSX, PDF). Thin: parse, select, render."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cakupan.accounts.access import permission_required, scope_of
from cakupan.accounts.permissions import Perm
from cakupan.core.errors import InvalidInput, NotInScope
from cakupan.coverage import charts, reports, selectors
from cakupan.coverage.health import health_view


@permission_required(Perm.COVERAGE_READ)
def health(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    try:
        view = health_view(scope=scope, region=request.GET.get("region", ""))
    except NotInScope as exc:
        raise Http404 from exc
    except InvalidInput as exc:
        return render(request, "coverage/health.html", {"errors": exc.errors}, status=400)
    bars = charts.rate_bars(
        [{"name": r["label"], "rate": r["progress"]} for r in view["rows"]], bar_height=18
    )
    return render(request, "coverage/health.html", {"view": view, "bars": bars})


@permission_required(Perm.COVERAGE_READ)
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    scope = scope_of(request)
    periods = selectors.coverage_periods()
    period = request.GET.get("period") or (periods[0] if periods else "")
    region = request.GET.get("region", "")
    try:
        report: dict[str, Any] = reports.region_report(scope=scope, region=region, period=period)
    except NotInScope as exc:
        raise Http404 from exc
    except InvalidInput as exc:
        text = "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    name = f"cakupan-{report['show']['region']}-{report['show']['period']}"
    if fmt == "xlsx":
        body = reports.report_xlsx(report)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = reports.report_pdf(report, base_url=request.build_absolute_uri("/"))
        kind = "application/pdf"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
