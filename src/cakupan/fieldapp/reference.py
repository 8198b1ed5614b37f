"""What the phone keeps to work offline, read for one agent: the districts they may enrol in, the sponsors
they may offer as payer, the choices of the enrolment form, and the region codes the NIK check needs.

Scoped here, not in the views: the districts come from the agent's scope (the regencies of the agent's
regions), the sponsors from the field app's profile of the agent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cakupan.accounts.scope import Scope
from cakupan.regions.codes import region_codes
from cakupan.regions.models import Region
from cakupan.registry.models import PROGRAMS_BY_SEGMENT, Membership, Program, Segment, Sex
from cakupan.registry.nik import MESSAGES

# Informal workers (BPU) hold JKK and JKM; JHT is their choice (PP 44/2015, rules.md §1.3).
REQUIRED_PROGRAMS = ("JKK", "JKM")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str

    def as_dict(self) -> dict[str, str]:
        return {"value": self.value, "label": self.label}


def agent_districts(scope: Scope) -> list[Choice]:
    """The districts (kecamatan) of the agent's regencies, by name: where an enrolled worker may live."""
    if not scope.regency_codes:
        return []
    rows = (
        Region.objects.filter(parent_id__in=scope.regency_codes, level=Region.Level.DISTRICT)
        .select_related("parent")
        .order_by("parent__name", "name")
    )
    return [Choice(r.code, f"{r.name}, {r.parent.name}" if r.parent else r.name) for r in rows]


def agent_status(*, user: Any) -> str:
    """The agent's approval (registered, approved, suspended): the phone says so instead of offering
    forms the sync would refuse."""
    from cakupan.core.errors import NotInScope
    from cakupan.field.models import Agent
    from cakupan.field.selectors import own_agent

    try:
        return str(own_agent(user=user).status)
    except NotInScope:  # an agent's account the office has not registered as an agent yet
        return str(Agent.Status.REGISTERED)


def reference_for(*, user: Any, scope: Scope) -> dict[str, Any]:
    """Everything the enrolment and collection forms offer, in the active language. The sponsors are the
    field app's answer (`field.selectors.agent_profile`: those of the agent's regions with a place and
    money left this month), so the phone offers exactly what the sync accepts."""
    from cakupan.field.selectors import agent_profile

    bpu = PROGRAMS_BY_SEGMENT[Segment.BPU]
    profile = agent_profile(user=user)
    sponsors = profile["sponsors"]
    return {
        "agent_status": profile["status"],
        "districts": [c.as_dict() for c in agent_districts(scope)],
        "sponsors": [Choice(str(s["id"]), s["name"]).as_dict() for s in sponsors],
        "programs": [
            {"value": p, "label": str(Program(p).label), "required": p in REQUIRED_PROGRAMS} for p in bpu
        ],
        "sexes": [Choice(s.value, str(s.label)).as_dict() for s in Sex],
        "sectors": [Choice(o.value, str(o.label)).as_dict() for o in Membership.BpuSector],
        "payers": [
            Choice("self", str(Membership.PayerKind.SELF.label)).as_dict(),
            Choice("sponsor", str(Membership.PayerKind.SPONSOR.label)).as_dict(),
        ],
        "nik_messages": {code: str(text) for code, text in MESSAGES.items()},
    }


def region_codes_payload() -> dict[str, Any]:
    """The codes the device's NIK check needs (fieldapp/static/fieldapp/nik.js): provinces, regencies
    and the pre-split regency codes with their current code. The same data as registry.nik uses."""
    codes = region_codes()
    return {
        "provinces": sorted(codes.provinces),
        "regencies": sorted(c for c in codes.names if codes.is_regency(c)),
        "legacy": dict(sorted(codes.legacy_regencies.items())),
    }
