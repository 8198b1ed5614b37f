"""Reads of roster imports: each user sees their own uploads; national admins see all."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cakupan.accounts.scope import scope_for
from cakupan.core.errors import NotInScope
from cakupan.enrolment.models import RosterImport
from cakupan.jobs.models import Job


def _user_id(user: Any) -> int | None:
    return user.pk if getattr(user, "is_authenticated", False) else None


def roster_import_list(*, user: Any) -> QuerySet[RosterImport]:
    qs = RosterImport.objects.select_related("employer", "sponsor", "agency", "uploader")
    return qs.filter(scope_for(user).roster_imports(_user_id(user)))


def roster_import_get(*, user: Any, pk: Any) -> RosterImport:
    try:
        return roster_import_list(user=user).get(pk=pk)
    except (RosterImport.DoesNotExist, ValueError, TypeError) as exc:
        raise NotInScope from exc


def roster_job_get(*, user: Any, pk: Any) -> Job:
    """A background roster import: its starter sees it; national admins see all."""
    qs = Job.objects.filter(kind="roster_import")
    qs = qs.filter(scope_for(user).roster_imports(_user_id(user), field="actor_id"))
    try:
        return qs.get(pk=pk)
    except (Job.DoesNotExist, ValueError, TypeError) as exc:
        raise NotInScope from exc
