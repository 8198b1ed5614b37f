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

from cakupan.accounts.scope import Scope, scope_for
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


def dashboard(*, user: Any) -> dict[str, Any]:
    """Findings by branch, region and sector (KBLI section: first two digits), the potential monthly
    contribution, what closed cases recovered, and the case pipeline by latest step."""
    scope = scope_for(user)
    current = (
        finding_current(user=user, scope=scope)
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
        "by_class": by_class,
        "by_branch": grouped("branch_office_id", "branch_office__name"),
        "by_region": grouped("region_id", "region__name"),
        "by_sector": grouped("sector", "sector"),
        "potential": sum(r["gap"] or 0 for r in by_class.values()),
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
