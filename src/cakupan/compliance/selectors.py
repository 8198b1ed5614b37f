"""Reads of compliance data, always through the user's scope.

- national admin: everything; branch staff: their regencies and their office's employers;
- partner agency: its regency only; employer HR: its own employer's findings and cases only;
- other roles: nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import Substr

from cakupan.accounts.scope import Scope, mask_nik, scope_for
from cakupan.compliance.models import (
    Case,
    CaseStep,
    Finding,
    FindingClass,
    MatchRun,
    Reminder,
    ReportedWorker,
    ReviewItem,
    WorkforceReport,
)
from cakupan.core.errors import NotInScope
from cakupan.registry.models import Employment


def _where(scope: Scope) -> Q:
    """Rows with a `region`, `branch_office` and `employer`: findings and cases alike."""
    return scope.compliance()


def finding_list(*, user: Any, scope: Scope | None = None) -> QuerySet[Finding]:
    scope = scope or scope_for(user)
    return Finding.objects.filter(_where(scope)).select_related("reported", "employer", "region", "run")


def latest_runs() -> QuerySet[MatchRun, int]:
    """The newest run of each report: older runs are history, not today's picture."""
    newest = MatchRun.objects.values("report_id").annotate(last=Max("id")).values("last")
    return MatchRun.objects.filter(id__in=newest).values_list("id", flat=True)


def finding_current(*, user: Any, scope: Scope | None = None) -> QuerySet[Finding]:
    return finding_list(user=user, scope=scope).filter(run_id__in=latest_runs())


def finding_get(*, user: Any, pk: Any) -> Finding:
    try:
        return finding_list(user=user).get(pk=pk)
    except (Finding.DoesNotExist, ValueError, TypeError) as exc:
        raise NotInScope from exc


def report_list(*, user: Any) -> QuerySet[WorkforceReport]:
    """Reports are office data: the roles that import them see them; counts per report come from runs."""
    scope = scope_for(user)
    if scope.everything:
        return WorkforceReport.objects.all()
    findings = finding_list(user=user, scope=scope).values("pk")
    rows = WorkforceReport.objects.filter(scope.workforce_reports(getattr(user, "pk", None), findings))
    return WorkforceReport.objects.filter(pk__in=rows.values("pk"))


def report_get(*, user: Any, pk: Any) -> WorkforceReport:
    try:
        return report_list(user=user).get(pk=pk)
    except (WorkforceReport.DoesNotExist, ValueError, TypeError) as exc:
        raise NotInScope from exc


def review_list(*, user: Any, pending_only: bool = True) -> QuerySet[ReviewItem]:
    scope = scope_for(user)
    qs = ReviewItem.objects.select_related("reported", "candidate", "candidate__region")
    qs = qs.filter(scope.review_items())
    return qs.filter(status=ReviewItem.Status.PENDING) if pending_only else qs


def review_get(*, user: Any, pk: Any) -> ReviewItem:
    try:
        return review_list(user=user, pending_only=False).get(pk=pk)
    except (ReviewItem.DoesNotExist, ValueError, TypeError) as exc:
        raise NotInScope from exc


def case_list(*, user: Any, scope: Scope | None = None) -> QuerySet[Case]:
    scope = scope or scope_for(user)
    return Case.objects.filter(_where(scope)).select_related("employer", "region", "branch_office")


def case_get(*, user: Any, pk: Any) -> Case:
    try:
        return case_list(user=user).get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise NotInScope from exc


def step_get(*, user: Any, pk: Any) -> CaseStep:
    try:
        return CaseStep.objects.select_related("case").get(pk=pk, case__in=case_list(user=user))
    except (CaseStep.DoesNotExist, ValueError, TypeError) as exc:
        raise NotInScope from exc


def reminder_list(*, user: Any) -> QuerySet[Reminder]:
    return Reminder.objects.filter(done=False, step__case__in=case_list(user=user)).select_related(
        "step__case"
    )


def finding_periods(*, user: Any, scope: Scope | None = None) -> list[str]:
    """The report months of the current findings the user may see, newest first."""
    current = finding_current(user=user, scope=scope)
    return list(current.values_list("reported__period", flat=True).distinct().order_by("-reported__period"))


def by_period(*, user: Any, scope: Scope | None = None) -> list[dict[str, Any]]:
    """The potential monthly contribution of each report month (open findings): a report of two months
    is two monthly figures, never their sum."""
    current = finding_current(user=user, scope=scope).exclude(klass=FindingClass.COMPLIANT)
    rows = current.values("reported__period").annotate(n=Count("id"), gap=Sum("gap"))
    return [
        {"period": r["reported__period"], "n": r["n"], "gap": r["gap"] or 0}
        for r in rows.order_by("-reported__period")
    ]


def dashboard(*, user: Any, period: str | None = None) -> dict[str, Any]:
    """For one report month (default: the newest with findings): findings by branch, region and sector
    (KBLI section: first two digits) and the potential monthly contribution; what closed cases recovered
    and the case pipeline by latest step (all months)."""
    scope = scope_for(user)
    periods = finding_periods(user=user, scope=scope)
    period = period or (periods[0] if periods else None)
    current = (
        finding_current(user=user, scope=scope)
        .filter(reported__period=period or "")
        .exclude(klass=FindingClass.COMPLIANT)
        .annotate(sector=Substr("kbli", 1, 2))
    )

    def grouped(field: str, label: str) -> list[dict[str, Any]]:
        rows = current.values(field, label).annotate(n=Count("id"), gap=Sum("gap")).order_by("-gap")
        return [{"key": r[field], "label": r[label] or "-", "n": r["n"], "gap": r["gap"] or 0} for r in rows]

    by_class = {r["klass"]: r for r in current.values("klass").annotate(n=Count("id"), gap=Sum("gap"))}
    cases = case_list(user=user, scope=scope)
    closed = cases.filter(status=Case.Status.CLOSED)
    pipeline: dict[str, int] = {}
    latest = dict(
        CaseStep.objects.filter(case__in=cases.filter(status=Case.Status.OPEN))
        .order_by("case_id", "issued_on", "id")
        .values_list("case_id", "kind")
    )
    for case_id in cases.filter(status=Case.Status.OPEN).values_list("id", flat=True):
        key = latest.get(case_id, "opened")
        pipeline[key] = pipeline.get(key, 0) + 1
    pipeline["closed"] = closed.count()
    return {
        "period": period,
        "periods": periods,
        "by_period": by_period(user=user, scope=scope),
        "by_class": by_class,
        "by_branch": grouped("branch_office_id", "branch_office__name"),
        "by_region": grouped("region_id", "region__name"),
        "by_sector": grouped("sector", "sector"),
        "potential": sum(r["gap"] or 0 for r in by_class.values()),  # of `period` only
        "recovered": closed.aggregate(s=Sum("gap"))["s"] or 0,
        "pipeline": pipeline,
        "open_cases": cases.filter(status=Case.Status.OPEN).count(),
    }


def reported_wage_for(*, nik: str, employer_id: int, on: dt.date) -> int | None:
    """The monthly wage an employer reported to the labour agency (WLKP worker list) for this NIK, from
    the latest report period up to `on`; None when no matched report lists the worker. Not scoped: it is
    read by services (benefit eligibility) on behalf of a user already allowed to see the person."""
    wage: int | None = (
        ReportedWorker.objects.filter(
            nik=nik, employer__findings__employer_id=employer_id, employer__period__lte=f"{on:%Y-%m}"
        )
        .order_by("-employer__period", "-pk")
        .values_list("wage", flat=True)
        .first()
    )
    return wage


WORKERS_SHOWN = 500  # per list on the page, as in the letter's annex; the counts are always complete


def finding_workers(*, user: Any, pk: Any) -> dict[str, Any]:
    """A finding with the reported workers behind it: those not registered at the employer (`missing`)
    and those registered with a lower wage (`underwaged`), each with the name and wage the employer
    reported and, for the latter, the wage registered. NIKs are masked for the roles that see them masked
    (Scope.masks_nik)."""
    scope = scope_for(user)
    finding = finding_get(user=user, pk=pk)
    listed = {w.nik: w for w in ReportedWorker.objects.filter(employer_id=finding.reported_id)}
    registered: dict[str, int] = {}
    if finding.employer_id and finding.underwaged_niks:
        open_jobs = Employment.objects.filter(
            employer_id=finding.employer_id, end_date__isnull=True, person__nik__in=finding.underwaged_niks
        ).values_list("person__nik", "basic_wage", "fixed_allowance")
        for nik, basic, allowance in open_jobs:
            registered[nik] = max(registered.get(nik, 0), basic + allowance)

    def row(nik: str) -> dict[str, Any]:
        worker = listed.get(nik)
        return {
            "nik": mask_nik(nik) if scope.masks_nik else nik,
            "name": worker.name if worker else "",
            "reported_wage": worker.wage if worker else None,
            "registered_wage": registered.get(nik),
        }

    missing, underwaged = sorted(finding.missing_niks), sorted(finding.underwaged_niks)
    return {
        "finding": finding,
        "missing": [row(n) for n in missing[:WORKERS_SHOWN]],
        "missing_total": len(missing),
        "underwaged": [row(n) for n in underwaged[:WORKERS_SHOWN]],
        "underwaged_total": len(underwaged),
        # Without a worker list the report gives a count only: the NIKs cannot be named.
        "listed": len(listed),
        "masked": scope.masks_nik,
    }
