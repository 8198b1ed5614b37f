"""Agents: registered by branch staff, approved, suspended and approved again (issue 17)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.logins import agent_user_create
from cakupan.accounts.permissions import Perm, require
from cakupan.core.audit import audit_record
from cakupan.core.errors import FieldError, InvalidInput, NotInScope
from cakupan.field.models import Agent
from cakupan.regions.models import BranchOffice

AGENT_FIELDS = ("user", "branch_office", "regions", "status", "registered_by", "approved_by")


def _office_regencies(office: BranchOffice) -> set[str]:
    return {code[:5] for code in office.regions.values_list("code", flat=True)}


@transaction.atomic
def agent_register(
    *,
    actor: Any,
    username: str,
    password: str,
    full_name: str,
    branch_office: BranchOffice | int,
    regions: list[str],
) -> Agent:
    """A new agent account (role agent, status registered) of a branch office the actor may act for,
    serving some of its regencies. The agent syncs only once approved."""
    scope = require(actor, Perm.AGENT_MANAGE)
    errors: list[FieldError] = []
    office_id = branch_office.pk if isinstance(branch_office, BranchOffice) else branch_office
    office = BranchOffice.objects.filter(pk=office_id).first() if isinstance(office_id, int) else None
    if office is None or not (scope.everything or scope.branch_office_id == office.pk):
        errors.append(FieldError("branch_office", _("Choose your branch office.")))
    user_model = get_user_model()
    name = (username or "").strip() if isinstance(username, str) else ""
    if not name or len(name) > 150:
        errors.append(FieldError("username", _("Enter a user name of at most 150 characters.")))
    elif user_model.objects.filter(username=name).exists():
        errors.append(FieldError("username", _("This user name is taken.")))
    if not isinstance(password, str) or len(password) < 8:
        errors.append(FieldError("password", _("A password has at least 8 characters.")))
    if not isinstance(full_name, str) or not full_name.strip():
        errors.append(FieldError("full_name", _("Enter the full name.")))
    codes = sorted({str(c).strip()[:5] for c in regions or [] if str(c).strip()})
    if not codes:
        errors.append(FieldError("regions", _("Choose at least one regency the agent serves.")))
    elif office is not None and not set(codes) <= _office_regencies(office):
        errors.append(FieldError("regions", _("An agent serves only regencies of their branch office.")))
    if errors:
        raise InvalidInput(errors)
    assert office is not None
    try:
        with transaction.atomic():
            user = agent_user_create(
                username=name, password=password, full_name=full_name, branch_office=office
            )
    except IntegrityError as exc:
        raise InvalidInput.single("username", _("This user name is taken.")) from exc
    agent = Agent.objects.create(
        user=user,
        branch_office=office,
        regions=codes,
        registered_by=actor if actor.is_authenticated else None,
    )
    audit_record(
        actor=actor,
        action="create",
        instance=agent,
        changes={"user": name, "branch_office": office.pk, "regions": codes},
    )
    return agent


def _managed(actor: Any, agent: Agent | int) -> Agent:
    scope = require(actor, Perm.AGENT_MANAGE)
    pk = agent.pk if isinstance(agent, Agent) else agent
    found = Agent.objects.select_for_update().filter(pk=pk).first()
    if found is None or not (scope.everything or found.branch_office_id == scope.branch_office_id):
        raise NotInScope
    return found


_MOVES = {
    "approve": ({Agent.Status.REGISTERED, Agent.Status.SUSPENDED}, Agent.Status.APPROVED),
    "suspend": ({Agent.Status.APPROVED}, Agent.Status.SUSPENDED),
}


@transaction.atomic
def agent_status_set(*, actor: Any, agent: Agent | int, action: str) -> Agent:
    """approve (a registered or suspended agent) or suspend (an approved one)."""
    found = _managed(actor, agent)
    if action not in _MOVES:
        raise InvalidInput.single("action", _("Choose approve or suspend."))
    allowed, to = _MOVES[action]
    if found.status not in allowed:
        raise InvalidInput.single("status", _("This agent cannot be moved to that status now."))
    before = found.status
    found.status = to
    if to == Agent.Status.APPROVED:
        found.approved_by = actor
    found.save(update_fields=["status", "approved_by", "updated_at"])
    audit_record(actor=actor, action=action, instance=found, changes={"status": [before, to]})
    return found
