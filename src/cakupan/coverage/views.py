"""Coverage pages: the dashboard (drill-down, charts, tile map), targets and the budget planner.

Thin: parse, call a selector or service, render. All figures come from snapshots via the selectors.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cakupan.accounts.access import permission_required, scope_of
from cakupan.accounts.permissions import Perm, may, require
from cakupan.core.errors import InvalidInput, NotInScope
from cakupan.coverage import charts, maps, reports, selectors
from cakupan.coverage.forms import PlannerForm, TargetForm, TargetUploadForm, WorkforceUploadForm
from cakupan.coverage.models import WorkforceStat
from cakupan.coverage.services.planner import planner_compare
from cakupan.coverage.services.targets import target_set, targets_import
from cakupan.coverage.services.workforce import workforce_import
from cakupan.regions.models import Region

SCENARIOS = [("apbd", "other"), ("csr", "other"), ("csr", "transport")]


def _period(request: HttpRequest) -> str | None:
    periods = selectors.coverage_periods()
    wanted = request.GET.get("period") or ""
    return wanted if wanted in periods else (periods[0] if periods else None)


@permission_required(Perm.COVERAGE_READ)
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    period = _period(request)
    region = request.GET.get("region", "")
    context: dict[str, Any] = {
        "periods": selectors.coverage_periods(),
        "period": period,
        "region": region,
        "may_import_workforce": may(scope, Perm.WORKFORCE_IMPORT),
    }
    if period is None:
        return render(request, "coverage/dashboard.html", context)
    try:
        if region or scope.everything:
            show = selectors.coverage_show(scope=scope, region=region, period=period)
        else:
            show = None
        children = selectors.coverage_children(scope=scope, region=region, period=period)
        recent = sorted(p for p in context["periods"] if p <= period)[-12:]
        series = selectors.coverage_series(scope=scope, region=region, periods=recent) if show else {}
    except NotInScope as exc:
        raise Http404 from exc
    except InvalidInput as exc:
        context["errors"] = exc.errors
        return render(request, "coverage/dashboard.html", context, status=400)
    target = show["target"]["target"] if show and show["target"] else None
    # A true choropleth when boundaries of the rows shown have been imported, else the tile grid.
    drawn = maps.choropleth(children, link=f"?period={period}&region={{code}}")
    context.update(
        map=drawn,
        show=show,
        children=children,
        bars=charts.rate_bars(children),
        series=charts.series_bars(series, target=target),
        tiles=charts.tile_map(children, link=f"?period={period}&region={{code}}")
        if drawn is None and scope.everything and not region
        else None,
        crumbs=_crumbs(region) if scope.everything else [],
    )
    if may(scope, Perm.SPONSORSHIP_READ):  # ended sponsored cohorts, still active 3, 6 and 12 months later
        from cakupan.sponsorship.selectors_endings import retention_in_scope

        context["retention"] = retention_in_scope(scope, limit=6)
    return render(request, "coverage/dashboard.html", context)


def _crumbs(region: str) -> list[dict[str, str]]:
    codes = [c for c in (region[:2] if "." in region else "", region) if c]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return [{"code": "", "name": _("Indonesia")}] + [{"code": c, "name": names.get(c, c)} for c in codes]


@permission_required(Perm.COVERAGE_READ)
def targets(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    period = _period(request)
    may_write = may(scope, Perm.TARGET_SET)
    form, upload = TargetForm(), TargetUploadForm()
    if request.method == "POST":
        require(scope, Perm.TARGET_SET)
        try:
            if "file" in request.FILES:
                upload = TargetUploadForm(request.POST, request.FILES)
                with tempfile.TemporaryDirectory() as tmp:
                    path = Path(tmp) / "targets.csv"
                    uploaded = request.FILES["file"]
                    path.write_bytes(uploaded.read())  # type: ignore[union-attr]
                    result = targets_import(actor=request.user, path=path)
                messages.success(request, _("%(rows)d targets imported.") % {"rows": result["rows"]})
                return redirect("coverage_targets")
            form = TargetForm(request.POST)
            if form.is_valid():
                target_set(
                    actor=request.user,
                    **{k: v if v is not None else "" for k, v in form.cleaned_data.items()},
                )
                messages.success(request, _("Target saved."))
                return redirect("coverage_targets")
        except InvalidInput as exc:
            for error in exc.errors:
                form.add_error(None, f"{error.field}: {error.message}")
    years = selectors.target_years(scope=scope)
    wanted = request.GET.get("year", "")
    year = int(wanted) if wanted.isdigit() and int(wanted) in years else None
    if year is None and period:
        year = int(period[:4])
    # The month the targets are measured at: the one chosen, else the newest built month of the year
    # shown (a year without a built month: the newest month there is).
    periods = selectors.coverage_periods()
    if period and year and not period.startswith(str(year)):
        period = next((p for p in periods if p.startswith(str(year))), period)
    rows = selectors.target_list(scope=scope, period=period, year=year) if period else []
    context = {
        "rows": rows,
        "period": period,
        "year": year,
        "years": years,
        "form": form,
        "upload": upload,
        "may_write": may_write,
    }
    return render(request, "coverage/targets.html", context, status=400 if form.errors else 200)


@permission_required(Perm.WORKFORCE_IMPORT)
def workforce(request: HttpRequest) -> HttpResponse:
    """Upload BPS-style workforce statistics through the same service as `cakupan workforce import`."""
    upload = WorkforceUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and upload.is_valid():
        uploaded = upload.cleaned_data["file"]
        suffix = Path(str(uploaded.name)).suffix.lower()
        try:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"workforce{suffix if suffix in ('.csv', '.xlsx') else '.csv'}"
                with path.open("wb") as handle:
                    for chunk in uploaded.chunks():
                        handle.write(chunk)
                counts = workforce_import(
                    actor=request.user, path=path, default_source=upload.cleaned_data["source"]
                )
        except InvalidInput as exc:
            for error in exc.errors:
                upload.add_error("file", f"{error.field}: {error.message}")
        else:
            messages.success(
                request, _("Workforce statistics imported: %(created)d new, %(updated)d replaced.") % counts
            )
            return redirect("coverage_workforce")
    rounds = WorkforceStat.objects.select_related("region").order_by("-year", "-survey_month", "region_id")
    return render(
        request,
        "coverage/workforce.html",
        {"upload": upload, "rounds": rounds[:50], "total": rounds.count()},
        status=400 if upload.errors else 200,
    )


def _planner(request: HttpRequest) -> tuple[PlannerForm, dict[str, Any]]:
    """The form and, when it is valid, the gap and the scenarios: shared by the page and its export."""
    scope = scope_of(request)
    form = PlannerForm(request.GET or None)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["period"] or selectors.latest_period():
                context["gap"] = selectors.planner_gap(
                    scope=scope,
                    region=data["region"],
                    period=data["period"],
                    category=data["category"] or "all",
                )
            context["scenarios"] = planner_compare(
                workers=data["workers"], start=data["start"], months=data["months"], options=SCENARIOS
            )
        except NotInScope as exc:
            raise Http404 from exc
        except InvalidInput as exc:
            for error in exc.errors:
                form.add_error(None, f"{error.field}: {error.message}")
    return form, context


@permission_required(Perm.COVERAGE_PLAN)
def planner(request: HttpRequest) -> HttpResponse:
    form, context = _planner(request)
    if "scenarios" in context:
        context["export_query"] = request.GET.urlencode()
    return render(request, "coverage/planner.html", context, status=400 if form.errors else 200)


@permission_required(Perm.COVERAGE_PLAN)
def planner_export(request: HttpRequest) -> HttpResponse:
    form, context = _planner(request)
    if form.errors or "scenarios" not in context:
        text = "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in form.errors.items()) or _(
            "Fill in the planner."
        )
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    body = reports.planner_xlsx(context["scenarios"], context.get("gap"))
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    first = context["scenarios"][0]
    response["Content-Disposition"] = f'attachment; filename="cakupan-planner-{first.start}.xlsx"'
    return response
