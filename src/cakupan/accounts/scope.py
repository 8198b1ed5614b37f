"""What each role may see. Selectors filter through these; pages and endpoints never filter themselves.

- national admin: everything;
- branch staff: employers of the regencies their office serves (or filed under the office), and the
  persons living there or employed by those employers;
- partner agency: employers of its regency within its sector (a health agency: health facilities) and
  their workers; persons living in the regency when the agency covers all sectors;
- employer HR: its own employer and the persons it employs or employed;
- sponsor: the persons whose membership it pays (NIK masked);
- worker: their own record;
- field agent: no registry list; the persons they enrolled through the field sync (for the checks of the
  registry services the sync calls) and the sponsors of the regencies they serve. Field selectors filter by
  the agent (`agent_id`).

Branch offices, agencies, employer HR and sponsors see persons through keys stored on the rows
(`audience_keys`; derived and kept by registry/services/scope_keys.py, whose SQL follows the rules above:
an employer's key from its employment rows, a sponsor's from the memberships it pays), and agencies see jobs
and memberships through the regencies stored on them: each is an index range, not a query over every
person's jobs. Employer HR and sponsors see jobs and memberships by the foreign-key indexes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from django.apps import apps
from django.db.models import Q

from cakupan.accounts.models import Role


class AudienceKind(Enum):
    """The viewers a person's audience keys name (registry.PersonAudience): `<kind>:<value>`."""

    BRANCH = "b"  # a branch office (its id): lives in its regions, or works at one of its employers
    AGENCY = "a"  # an all-sector agency's regency: lives there, or works at an employer there
    HEALTH = "h"  # a health agency's regency: works at a health facility there
    EMPLOYER = "e"  # an employer (its id), for its HR: employs or employed the person
    SPONSOR = "s"  # a sponsor (its id): pays or paid a membership of the person


# Whether the person whose id is in the field named holds one of the scope's audience keys (a boolean
# expression such as an Exists, built by registry.selectors).
Audience = Callable[[str], Any]


@dataclass(frozen=True)
class Scope:
    role: str
    everything: bool = False
    regency_codes: tuple[str, ...] = ()
    branch_office_id: int | None = None
    health_only: bool = False
    employer_id: int | None = None
    sponsor_id: int | None = None
    person_id: int | None = None
    agency_id: int | None = None
    agent_id: int | None = None  # field.Agent of an agent, approved or not (field selectors filter by it)

    @property
    def masks_nik(self) -> bool:
        return self.role == Role.SPONSOR

    # --- filters, as Q objects relative to each model -------------------------------------------

    def regions_q(self, field: str) -> Q:
        """Rows whose region `field` is at or below the scope's regencies (codes are hierarchical:
        35.73, 35.73.01). `field` may run through relations, e.g. "person__address_region"."""
        q = Q(pk__in=[])
        for code in self.regency_codes:
            q |= Q(**{field: code}) | Q(**{f"{field}__code__startswith": f"{code}."})
        return q

    def employers(self) -> Q:
        if self.everything:
            return Q()
        if self.role == Role.BRANCH_STAFF:
            return self.regions_q("region") | Q(branch_office_id=self.branch_office_id)
        if self.role == Role.AGENCY:
            q = self.regions_q("region")
            return q & ~Q(facility_type="") if self.health_only else q
        if self.role == Role.EMPLOYER_HR:
            return Q(pk=self.employer_id)
        return Q(pk__in=[])

    def audience_keys(self) -> tuple[str, ...]:
        """The person-audience keys (registry.PersonAudience) whose persons this scope sees."""
        if self.everything:
            return ()
        if self.role == Role.BRANCH_STAFF and self.branch_office_id is not None:
            return (f"{AudienceKind.BRANCH.value}:{self.branch_office_id}",)
        if self.role == Role.AGENCY:
            kind = AudienceKind.HEALTH if self.health_only else AudienceKind.AGENCY
            return tuple(f"{kind.value}:{code}" for code in self.regency_codes)
        if self.role == Role.EMPLOYER_HR and self.employer_id is not None:
            return (f"{AudienceKind.EMPLOYER.value}:{self.employer_id}",)
        if self.role == Role.SPONSOR and self.sponsor_id is not None:
            return (f"{AudienceKind.SPONSOR.value}:{self.sponsor_id}",)
        return ()

    def account_key(self) -> str | None:
        """The one payer-account audience key (contributions.PayerAccountAudience) this scope reads its
        accounts by: a branch office's, or an agency's with one regency; None where accounts are filtered
        otherwise (an employer's or sponsor's own account, a worker's, several regencies)."""
        keys = self.audience_keys()
        if self.role in (Role.BRANCH_STAFF, Role.AGENCY) and len(keys) == 1:
            return keys[0]
        return None

    def persons(self, audience: Audience) -> Q:
        """`audience(ref)`: whether the person whose id is the field `ref` holds one of `audience_keys()`,
        as a boolean expression (registry.selectors.audience)."""
        if self.everything:
            return Q()
        if self.audience_keys():
            return Q(audience("pk"))
        if self.role == Role.WORKER:
            return Q(pk=self.person_id)
        if self.role == Role.AGENT and self.agent_id is not None:
            # The persons this agent's synced items enrolled: a subquery, the field app's table by name.
            captures = apps.get_model("field", "SyncItem").objects.filter(
                agent_id=self.agent_id, person__isnull=False
            )
            return Q(pk__in=captures.values("person_id"))
        return Q(pk__in=[])

    def sponsors(self) -> Q:
        """Sponsors: one's own; for branch staff and agencies, those of their regions."""
        if self.everything:
            return Q()
        if self.role == Role.SPONSOR:
            return Q(pk=self.sponsor_id)
        if self.role in (Role.BRANCH_STAFF, Role.AGENCY, Role.AGENT):
            return self.regions_q("region")
        return Q(pk__in=[])

    def employment(self, audience: Audience) -> Q:
        """Employment rows (or memberships: any model with `employer`, `person` and the regencies the scope
        keys store). `audience`: as for `persons`. An agency sees the jobs at its employers and (when it
        covers every sector) of the people living in its region, not the other jobs elsewhere of a worker
        it sees. Branch staff see every job of the persons they see (a job at one of their employers
        makes its worker one of those persons)."""
        if self.everything:
            return Q()
        if self.role == Role.EMPLOYER_HR and self.employer_id is not None:
            return Q(employer_id=self.employer_id)
        if self.role == Role.AGENCY:
            q = Q(employer_regency__in=self.regency_codes)
            if self.health_only:
                return q & ~Q(employer__facility_type="")
            return q | Q(person_regency__in=self.regency_codes)
        if self.role == Role.BRANCH_STAFF:
            return Q(audience("person_id"))
        if self.role == Role.WORKER and self.person_id is not None:
            return Q(person_id=self.person_id)
        return Q(pk__in=[])

    def memberships(self, audience: Audience) -> Q:
        """Memberships: as employment, and a sponsor sees the memberships it pays for."""
        if self.role == Role.SPONSOR and self.sponsor_id is not None:
            return Q(sponsor_id=self.sponsor_id)
        return self.employment(audience)

    def claims(self, person_ids: Any, audience: Audience) -> Q:
        """Benefit claims: exactly those of the persons in scope. `person_ids`: a subquery of them;
        `audience`: as for `persons`. Where the scope has audience keys the claim's person is probed by
        its key, the same test `persons` makes, instead of a subquery over every person in scope."""
        if self.everything:
            return Q()
        if self.audience_keys():
            return Q(audience("person_id"))
        return Q(person_id__in=person_ids)

    def payer_accounts(self, employer_ids: Any, sponsor_ids: Any) -> Q:
        """Payer accounts. `employer_ids`, `sponsor_ids`: subqueries of the employers and sponsors in
        scope. Branch staff and agencies: their employers' accounts, and (not a health agency) the
        accounts of their sponsors and of the self-paying persons living in their regions. The
        state-budget account is national only."""
        if self.everything:
            return Q()
        if self.role in (Role.BRANCH_STAFF, Role.AGENCY):
            q = Q(kind="employer", employer_id__in=employer_ids)
            if not self.health_only:
                q |= Q(kind="sponsor", sponsor_id__in=sponsor_ids)
                q |= Q(kind="self") & self.regions_q("person__address_region")
            return q
        if self.role == Role.EMPLOYER_HR and self.employer_id is not None:
            return Q(kind="employer", employer_id=self.employer_id)
        if self.role == Role.SPONSOR and self.sponsor_id is not None:
            return Q(kind="sponsor", sponsor_id=self.sponsor_id)
        if self.role == Role.WORKER and self.person_id is not None:
            return Q(kind="self", person_id=self.person_id)
        return Q(pk__in=[])

    def compliance(self) -> Q:
        """Compliance findings and cases (rows with `region`, `branch_office` and `employer`)."""
        if self.everything:
            return Q()
        if self.role == Role.BRANCH_STAFF:
            return self.regions_q("region") | Q(branch_office_id=self.branch_office_id)
        if self.role == Role.AGENCY:
            return self.regions_q("region")
        if self.role == Role.EMPLOYER_HR and self.employer_id is not None:
            return Q(employer_id=self.employer_id)
        return Q(pk__in=[])

    def workforce_reports(self, user_id: Any, finding_ids: Any) -> Q:
        """Workforce reports are office data: the roles that import them see the reports they uploaded
        and those behind the findings in their scope (`finding_ids`, a subquery)."""
        if self.everything:
            return Q()
        if self.role in (Role.BRANCH_STAFF, Role.AGENCY):
            return Q(uploaded_by_id=user_id) | Q(rows__findings__in=finding_ids)
        return Q(pk__in=[])

    def review_items(self) -> Q:
        """The compliance review queue: office work. Branch staff see the items reported in their
        regions or proposing one of their office's employers."""
        if self.everything:
            return Q()
        if self.role == Role.BRANCH_STAFF:
            return self.regions_q("reported__region") | Q(candidate__branch_office_id=self.branch_office_id)
        return Q(pk__in=[])

    def roster_imports(self, user_id: Any, field: str = "uploader_id") -> Q:
        """Roster imports (and, with field="actor_id", their background jobs): one's own uploads."""
        if self.everything:
            return Q()
        return Q(pk__in=[]) if user_id is None else Q(**{field: user_id})

    def agencies(self) -> Q:
        """Partner agencies one may act for (roster uploads on an agency's behalf): one's own agency;
        for branch staff, the agencies of their regions."""
        if self.everything:
            return Q()
        if self.role == Role.AGENCY and self.agency_id is not None:
            return Q(pk=self.agency_id)
        if self.role == Role.BRANCH_STAFF:
            return self.regions_q("region")
        return Q(pk__in=[])

    def events(self) -> Q:
        """Outreach events (outreach.Event): branch staff, those held in their office's regions; a
        partner agency, those it is the partner of (read-only, Perm.OUTREACH_WRITE is the office's)."""
        if self.everything:
            return Q()
        if self.role == Role.BRANCH_STAFF:
            return self.regions_q("region")
        if self.role == Role.AGENCY and self.agency_id is not None:
            return Q(partner_id=self.agency_id)
        return Q(pk__in=[])

    def agreements(self) -> Q:
        """Cooperation agreements (partners.Agreement): those of one's branch office; an agency, those it is
        a party to (the selector takes the rows' ids, as a party join may repeat them)."""
        if self.everything:
            return Q()
        if self.role == Role.BRANCH_STAFF and self.branch_office_id is not None:
            return Q(branch_office_id=self.branch_office_id)
        if self.role == Role.AGENCY and self.agency_id is not None:
            return Q(parties__agency_id=self.agency_id)
        return Q(pk__in=[])


NOTHING = Scope(role="none")
# What the command line reads with: it runs on the server, as its operator, who sees every row.
EVERYTHING = Scope(role=Role.NATIONAL_ADMIN, everything=True)


# The attribute of a request's user object that holds its scope (`scope_cache_enable`).
_MEMO = "_cakupan_scope_memo"


@dataclass
class _ScopeMemo:
    """A user object's scope and the account fields it was computed from."""

    key: tuple[Any, ...] | None = None
    scope: Scope | None = None


def _scope_key(user: Any) -> tuple[Any, ...]:
    """What the scope depends on in the user row itself: a change of role or of the scoped object on the
    same object recomputes it."""
    return (
        user.pk,
        user.role,
        user.is_active,
        user.is_superuser,
        user.branch_office_id,
        user.agency_id,
        user.employer_id,
        user.sponsor_id,
        user.person_id,
    )


def scope_cache_enable(user: Any) -> Any:
    """Keep the scope of this user object once computed. Only for the user object of one request (set by
    `RequestScopeMiddleware` and the token authentication): it lives as long as the request, so a role, a
    branch office's regions or an agent's approval changed meanwhile is seen at the next request, while
    the services one request calls (a sync of 200 items checks the agent's permission per item) read the
    scope's rows once. Returns the user."""
    if getattr(user, "is_authenticated", False) and getattr(user, _MEMO, None) is None:
        setattr(user, _MEMO, _ScopeMemo())
    return user


def scope_for(user: Any) -> Scope:
    memo = getattr(user, _MEMO, None)
    if memo is None:
        return _scope_compute(user)
    key = _scope_key(user)
    if memo.key != key or memo.scope is None:
        memo.key, memo.scope = key, _scope_compute(user)
    return memo.scope


def _scope_compute(user: Any) -> Scope:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    role = user.role
    if role == Role.NATIONAL_ADMIN or (user.is_superuser and not role):
        return Scope(role=Role.NATIONAL_ADMIN, everything=True)
    if role == Role.BRANCH_STAFF and user.branch_office_id:
        codes = tuple(user.branch_office.regions.values_list("code", flat=True))
        return Scope(role=role, regency_codes=codes, branch_office_id=user.branch_office_id)
    if role == Role.AGENCY and user.agency_id:
        return agency_scope(user.agency)
    if role == Role.EMPLOYER_HR and user.employer_id:
        return Scope(role=role, employer_id=user.employer_id)
    if role == Role.SPONSOR and user.sponsor_id:
        return Scope(role=role, sponsor_id=user.sponsor_id)
    if role == Role.WORKER and user.person_id:
        return Scope(role=role, person_id=user.person_id)
    if role == Role.AGENT and user.branch_office_id:
        return agent_scope(user)
    return NOTHING


def agent_scope(user: Any) -> Scope:
    """A field agent's scope: the regencies their approval names (none until registered as an agent).
    The field app owns the Agent row; it is read by name so accounts imports no app."""
    agent = apps.get_model("field", "Agent").objects.filter(user_id=user.pk).first()
    if agent is None:
        return Scope(role=Role.AGENT, branch_office_id=user.branch_office_id)
    return Scope(
        role=Role.AGENT,
        regency_codes=tuple(agent.regions),
        branch_office_id=user.branch_office_id,
        agent_id=agent.pk,
    )


def agency_scope(agency: Any) -> Scope:
    """What a partner agency sees: its regency, within its sector (a health agency: health facilities).
    Also the scope of a roster uploaded on an agency's behalf."""
    return Scope(
        role=Role.AGENCY,
        regency_codes=(agency.region_id[:5],),
        health_only=agency.sector == "health",
        agency_id=agency.pk,
    )


def mask_nik(nik: str) -> str:
    """Province and regency stay readable (they say where the NIK was issued); the rest is hidden."""
    return nik[:4] + "*" * 8 + nik[-4:] if len(nik) == 16 else "*" * len(nik)
