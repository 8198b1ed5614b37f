"""Reads of roster imports: each user sees their own uploads; a branch office's staff also every roster of
its office (its staff's uploads, and those for the employers, sponsors and agencies of its regions);
national admins see all."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from cakupan.accounts.permissions import Perm, may
from cakupan.accounts.scope import Scope, scope_for
from cakupan.core.errors import NotInScope
from cakupan.enrolment.models import LinkReview, RosterImport
from cakupan.enrolment.private import reports_dir
from cakupan.enrolment.services.report import Preview, report_preview
from cakupan.jobs.models import Job
from cakupan.partners.models import PartnerAgency
from cakupan.registry.selectors import employer_ids_in_scope, sponsor_list


def _user_id(user: Any) -> int | None:
    return user.pk if getattr(user, "is_authenticated", False) else None


def roster_import_list(*, user: Any, scope: Scope | None = None) -> QuerySet[RosterImport]:
    scope = scope or scope_for(user)
    qs = RosterImport.objects.select_related("employer", "sponsor", "agency", "uploader")
    own = scope.roster_imports(_user_id(user))
    if scope.everything or not may(scope, Perm.LINK_REVIEW):
        return qs.filter(own)
    # The office that reviews a roster's held rows sees the roster itself (link_review_list's scope).
    office = (
        Q(employer_id__in=employer_ids_in_scope(scope))
        | Q(sponsor_id__in=sponsor_list(user=user, scope=scope).values("pk"))
        | Q(agency_id__in=PartnerAgency.objects.filter(scope.agencies()).values("pk"))
    )
    if scope.branch_office_id is not None:
        office |= Q(uploader__branch_office_id=scope.branch_office_id)
    return qs.filter(own | office)


def roster_import_get(*, user: Any, pk: Any) -> RosterImport:
    try:
        return roster_import_list(user=user).get(pk=pk)
    except (RosterImport.DoesNotExist, ValueError, TypeError) as exc:
        raise NotInScope from exc


def roster_report_preview(
    *, record: RosterImport, status: str | None, limit: int, lang: str
) -> Preview | None:
    """The report's rows as the report page shows them (report.report_preview); None once the report
    has expired (retention) or was never written."""
    path = reports_dir() / f"{record.report_name}.csv"
    if not record.report_name or not path.is_file():
        return None
    return report_preview(path, status=status, limit=limit, lang=lang)


def roster_job_get(*, user: Any, pk: Any) -> Job:
    """A background roster import: its starter sees it; national admins see all."""
    qs = Job.objects.filter(kind="roster_import")
    qs = qs.filter(scope_for(user).roster_imports(_user_id(user), field="actor_id"))
    try:
        return qs.get(pk=pk)
    except (Job.DoesNotExist, ValueError, TypeError) as exc:
        raise NotInScope from exc


def link_review_list(*, user: Any, scope: Scope | None = None) -> QuerySet[LinkReview]:
    """Held roster rows for the branch offices: those for the employers and sponsors of the reviewer's
    regions (national admins: all); nothing for a role without Perm.LINK_REVIEW."""
    scope = scope or scope_for(user)
    qs = LinkReview.objects.select_related(
        "person__address_region", "employer", "sponsor", "roster_import__uploader", "decided_by"
    )
    if not may(scope, Perm.LINK_REVIEW):
        return qs.none()
    if scope.everything:
        return qs
    sponsors = sponsor_list(user=user, scope=scope).values("pk")
    # A self-paid row has no payer but the worker: the office of the row's region reviews it.
    self_paid = Q(pk__in=[])
    for code in scope.regency_codes:
        self_paid |= Q(region=code) | Q(region__startswith=f"{code}.")
    return qs.filter(
        Q(employer_id__in=employer_ids_in_scope(scope))
        | Q(sponsor_id__in=sponsors)
        | (Q(self_paid=True) & self_paid)
    )


def link_review_get(*, user: Any, pk: Any) -> LinkReview:
    try:
        return link_review_list(user=user).get(pk=pk)
    except (LinkReview.DoesNotExist, ValueError, TypeError) as exc:
        raise NotInScope from exc
