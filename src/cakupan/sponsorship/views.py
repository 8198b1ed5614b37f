"""The sponsor's pages (issue 15): the sponsors in scope with their runway, one sponsor's funded periods,
runway, alerts, bill flags, cohort and target lists, and a regency's village sponsors with their arrears.
Thin: each view asks one selector per block; a sponsor's own user lands on its page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from cakupan.accounts.access import permission_required, scope_of
from cakupan.accounts.permissions import Perm, may
from cakupan.regions.models import Region
from cakupan.sponsorship import selectors
from cakupan.sponsorship.selectors_villages import village_arrears

LISTED = 50
VILLAGES_PAGE = 50  # the arrears page lists villages a page at a time (keyset on the village code)


@permission_required(Perm.SPONSORSHIP_READ)
def sponsor_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if scope.sponsor_id is not None:
        return redirect("sponsorship:detail", pk=scope.sponsor_id)
    sponsors = list(selectors.sponsors_in_scope(scope).order_by("name")[:LISTED])
    runways = selectors.runways_for(sponsors)  # a constant number of queries for the page
    rows = [(s, runways[s.pk]) for s in sponsors]
    regencies = selectors.village_regencies(scope)
    return render(request, "sponsorship/list.html", {"rows": rows, "village_regencies": regencies})


@permission_required(Perm.SPONSORSHIP_READ)
def sponsor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from cakupan.sponsorship import selectors_endings as endings
    from cakupan.sponsorship.exports import full_data_granted

    scope = scope_of(request)  # computed once: every selector below takes it for the user (require)
    run = selectors.runway(user=scope, sponsor_id=pk)
    sponsor = selectors.sponsor_in_scope(scope, pk)
    context = {
        "sponsor": sponsor,
        "run": run,
        "forecast": endings.runway_forecast(sponsor, run),
        "ending": endings.endings_soon(user=scope, sponsor_id=pk),
        "moves": endings.moves_waiting(user=scope, sponsor_id=pk),
        "retention": endings.retention(user=scope, sponsor_id=pk),
        "full_data": full_data_granted(sponsor.pk),
        "may_accept": may(scope, Perm.SPONSORSHIP_ACCEPT),
        "may_fund": may(scope, Perm.SPONSORSHIP_FUND),
        "may_plan": may(scope, Perm.COVERAGE_PLAN),
        "may_set_income": may(scope, Perm.SPONSOR_WRITE),
        "periods": selectors.funded_periods(user=scope, sponsor_id=pk),
        "alerts": selectors.alerts(user=scope, sponsor_id=pk)[:20],
        "flags": selectors.bill_flags(user=scope, sponsor_id=pk)[:20],
        "cohort": selectors.sponsor_cohorts(pk),
        "targets": selectors.target_lists(user=scope, sponsor_id=pk)[:10]
        if may(scope, Perm.SPONSORSHIP_TARGETS)
        else [],
    }
    return render(request, "sponsorship/detail.html", context)


@permission_required(Perm.SPONSORSHIP_READ)
def villages(request: HttpRequest, regency: str) -> HttpResponse:
    after = request.GET.get("after", "")[:20] or None
    report = village_arrears(user=scope_of(request), regency=regency, after=after, limit=VILLAGES_PAGE)
    context = {
        "report": report,
        # The heading names the regency (reference data, not personal), not its code.
        "regency_name": Region.objects.filter(code=report["regency"]).values_list("name", flat=True).first(),
        "after": after,
        "detail_prefix": reverse("sponsorship:list"),  # each village's page: one reverse, not one a row
    }
    return render(request, "sponsorship/villages.html", context)
