"""What each role may do: the one place that names permissions and grants them to roles.

Rows are filtered by `accounts.scope` (which rows a role sees); this module decides which actions a role
may take at all. Services call `require(actor, Perm.X)` before they write; pages, API and navigation ask
`may(...)`; nothing else in the code spells out a set of roles.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from cakupan.accounts.models import Role
from cakupan.accounts.scope import EVERYTHING, Scope, scope_for
from cakupan.core.errors import Forbidden


class Perm(StrEnum):
    # registry
    EMPLOYER_READ = "registry.employer_read"
    EMPLOYER_WRITE = "registry.employer_write"
    PERSON_READ = "registry.person_read"  # the lists of persons
    PERSON_VIEW = "registry.person_view"  # one person's record, in scope (a worker: their own)
    PERSON_CREATE = "registry.person_create"
    PERSON_SEARCH = "registry.person_search"
    # A person's registered phone and district: the office registers and corrects them at the counter; a
    # roster upload that links a registered person must not hand over where they live (issue 12).
    PERSON_CONTACT_READ = "registry.person_contact_read"
    # Correcting who a person is (NIK, name, birth date, sex, citizenship): one record serves every employer
    # and sponsor that links it, so only the office changes it; others change phone and address.
    PERSON_IDENTITY_WRITE = "registry.person_identity_write"
    EMPLOYMENT_READ = "registry.employment_read"
    MEMBERSHIP_READ = "registry.membership_read"
    REGISTRY_WRITE = "registry.write"  # persons, employment and memberships within one's scope
    # The registry's own forms and API writes. A field agent writes the registry only through the field sync
    # (REGISTRY_WRITE, which the services check, limited there to the agent's regencies), not through these.
    REGISTRY_EDIT = "registry.edit"
    SPONSOR_READ = "registry.sponsor_read"  # the sponsors in scope (a sponsor: itself)
    SPONSOR_WRITE = "registry.sponsor_write"
    # contributions
    BILL_READ = "contributions.bill_read"
    ARREARS_READ = "contributions.arrears_read"
    OWN_RECORD = "contributions.own_record"  # one's own contributions, JHT balance estimate and JP months
    PAYMENT_RECORD = "contributions.payment_record"
    BILLING_RUN = "contributions.billing_run"
    # rosters
    ROSTER_UPLOAD = "enrolment.roster_upload"
    LINK_REVIEW = "enrolment.link_review"
    RETENTION_PURGE = "enrolment.retention_purge"  # deletes roster reports and uploads past retention
    # coverage
    COVERAGE_READ = "coverage.read"
    COVERAGE_PLAN = "coverage.plan"  # the gap and budget planner (a sponsor: for its own region)
    TARGET_SET = "coverage.target_set"
    WORKFORCE_IMPORT = "coverage.workforce_import"
    SNAPSHOT_BUILD = "coverage.snapshot_build"
    BOUNDARIES_IMPORT = "coverage.boundaries_import"
    # benefits
    CLAIM_READ = "benefits.claim_read"
    CLAIM_FILE = "benefits.claim_file"
    CLAIM_DECIDE = "benefits.claim_decide"  # verify, approve, reject, pay
    # compliance
    COMPLIANCE_READ = "compliance.read"
    WORKFORCE_REPORT_IMPORT = "compliance.report_import"  # and the match run that follows each import
    COMPLIANCE_ENFORCE = "compliance.enforce"  # review queue, cases and letters
    # membership cards
    CARD_ISSUE = "cards.issue"  # issue or revoke a person's card, in scope (a worker: their own)
    CARD_MINE = "cards.mine"  # one's own card page: only a role tied to a person has one
    # sponsorship (issue 15)
    SPONSORSHIP_READ = "sponsorship.read"  # funded periods, runway, endings, village arrears
    SPONSORSHIP_FUND = "sponsorship.fund"  # funded periods and their amendments, village sponsors, letters
    SPONSORSHIP_TARGETS = "sponsorship.targets"  # candidate lists: match, enrol the uncovered
    SPONSORSHIP_END = "sponsorship.end"  # renew, move, convert to self-paid, end a member's sponsored cover
    SPONSORSHIP_ALERT = "sponsorship.alert"  # the daily runway alerts
    # outreach events, sign-ups and their funnel (issue 16)
    OUTREACH_READ = "outreach.read"  # events in scope, their sign-ups (NIK masked) and the funnel
    OUTREACH_WRITE = "outreach.write"  # plan, edit and close events; type in paper sign-ups
    OUTREACH_CONVERT = "outreach.convert"  # turn sign-ups into BPU memberships
    SPONSORSHIP_ACCEPT = "sponsorship.accept"  # accept or decline members another sponsor hands over
    # cooperation agreements (issue 16)
    AGREEMENT_READ = "partners.agreement_read"  # agreements, their KPIs, obligations and documents
    AGREEMENT_WRITE = "partners.agreement_write"  # create, edit, move status, tick obligations, upload
    AGREEMENT_JOBS = "partners.agreement_jobs"  # the daily expiry alerts and the monthly KPI values
    # field agents (issue 17)
    FIELD_SYNC = "field.sync"  # send the phone's queued enrolments and collections
    AGENT_MANAGE = "field.agent_manage"  # register, approve, suspend agents
    FIELD_REVIEW = "field.review"  # conflicts, anomaly flags, deposits, reconciliation, statements
    FIELD_OWN = "field.own"  # an agent's own members, collections and commission statement
    # reference data and operations
    REFERENCE_WRITE = "core.reference_write"  # regions, branch offices, demo data
    ADMIN_SITE = "core.admin_site"  # the Django admin: reference data, accounts, the audit log


# A field agent sees no registry list, bill or claim: only the field pages about their own work.
_ALL = frozenset(Role.values) - {Role.AGENT}
_AGENT = frozenset({Role.AGENT})
_OFFICE = frozenset({Role.NATIONAL_ADMIN, Role.BRANCH_STAFF})
_ADMIN = frozenset({Role.NATIONAL_ADMIN})
_EMPLOYER_READERS = frozenset({Role.NATIONAL_ADMIN, Role.BRANCH_STAFF, Role.AGENCY, Role.EMPLOYER_HR})

GRANTS: dict[Perm, frozenset[str]] = {
    Perm.EMPLOYER_READ: _EMPLOYER_READERS,
    Perm.EMPLOYER_WRITE: _OFFICE,
    Perm.PERSON_READ: _EMPLOYER_READERS | {Role.SPONSOR},
    Perm.PERSON_VIEW: _ALL,
    # Registering a bare person (not as a worker of an employer) is office work: an employer's HR
    # registers people through "register a worker", which records the employment that scopes them.
    Perm.PERSON_CREATE: _OFFICE,
    Perm.PERSON_CONTACT_READ: _OFFICE,
    Perm.PERSON_IDENTITY_WRITE: _OFFICE,
    # Sponsors search too, among the persons they pay for only (the selectors scope every search).
    Perm.PERSON_SEARCH: _EMPLOYER_READERS | {Role.SPONSOR},
    Perm.EMPLOYMENT_READ: _EMPLOYER_READERS | {Role.WORKER},
    Perm.MEMBERSHIP_READ: _ALL,
    # An agent registers persons and BPU memberships through the field sync, the registry's own services
    # with the agent's scope (the persons they enrolled, the sponsors of their regencies).
    Perm.REGISTRY_WRITE: _OFFICE | {Role.EMPLOYER_HR, Role.AGENT},
    Perm.REGISTRY_EDIT: _OFFICE | {Role.EMPLOYER_HR},
    # A field agent is offered the sponsors of their regions by the field app's profile, not this list.
    Perm.SPONSOR_READ: _ALL,
    Perm.SPONSOR_WRITE: _OFFICE,
    Perm.BILL_READ: _ALL,
    Perm.ARREARS_READ: _OFFICE | {Role.AGENCY},
    # Only a role tied to a person has a record of its own.
    Perm.OWN_RECORD: frozenset({Role.WORKER}),
    Perm.PAYMENT_RECORD: _OFFICE,
    Perm.BILLING_RUN: _ADMIN,
    Perm.ROSTER_UPLOAD: _EMPLOYER_READERS | {Role.SPONSOR},
    Perm.LINK_REVIEW: _OFFICE,
    Perm.RETENTION_PURGE: _ADMIN,
    Perm.COVERAGE_READ: _OFFICE | {Role.AGENCY},
    Perm.COVERAGE_PLAN: _OFFICE | {Role.AGENCY, Role.SPONSOR},
    Perm.TARGET_SET: _ADMIN,
    # Workforce figures are the denominator of every rate: office staff import them, partner agencies do not.
    Perm.WORKFORCE_IMPORT: _OFFICE,
    Perm.SNAPSHOT_BUILD: _ADMIN,
    Perm.BOUNDARIES_IMPORT: _ADMIN,
    Perm.CLAIM_READ: _ALL,
    # Branch staff also record claims brought to the counter; sponsors and agencies follow claims only.
    Perm.CLAIM_FILE: _OFFICE | {Role.EMPLOYER_HR, Role.WORKER},
    Perm.CLAIM_DECIDE: _OFFICE,
    Perm.COMPLIANCE_READ: _EMPLOYER_READERS,
    # The labour agency holds the workforce reports; the branch office matches and enforces.
    Perm.WORKFORCE_REPORT_IMPORT: _OFFICE | {Role.AGENCY},
    Perm.COMPLIANCE_ENFORCE: _OFFICE,
    # A card proves membership to a hospital or a police officer: the worker and the office issue it; an
    # employer or a sponsor (who pays, and may stop paying) does not vouch for it.
    Perm.CARD_ISSUE: _OFFICE | {Role.WORKER},
    Perm.CARD_MINE: frozenset({Role.WORKER}),
    Perm.SPONSORSHIP_READ: _OFFICE | {Role.AGENCY, Role.SPONSOR},
    Perm.SPONSORSHIP_FUND: _OFFICE,
    # A sponsor proposes its own candidates and enrols them within its money, as it uploads rosters.
    Perm.SPONSORSHIP_TARGETS: _OFFICE | {Role.SPONSOR},
    Perm.SPONSORSHIP_END: _OFFICE,
    Perm.SPONSORSHIP_ALERT: _ADMIN,
    Perm.SPONSORSHIP_ACCEPT: _OFFICE | {Role.SPONSOR},
    # An agency follows the agreements it signed (the selectors show it those only); the office writes them.
    Perm.AGREEMENT_READ: _OFFICE | {Role.AGENCY},
    Perm.AGREEMENT_WRITE: _OFFICE,
    Perm.AGREEMENT_JOBS: _ADMIN,
    Perm.REFERENCE_WRITE: _ADMIN,
    Perm.ADMIN_SITE: _ADMIN,
    # A partner agency follows the events it co-hosts; the office plans them and enrols the workers.
    Perm.OUTREACH_READ: _OFFICE | {Role.AGENCY},
    Perm.OUTREACH_WRITE: _OFFICE,
    Perm.OUTREACH_CONVERT: _OFFICE,
    Perm.FIELD_SYNC: _AGENT,
    Perm.AGENT_MANAGE: _OFFICE,
    Perm.FIELD_REVIEW: _OFFICE,
    Perm.FIELD_OWN: _AGENT,
}


# As which kind of claimant (benefits.ClaimantKind) each role with CLAIM_FILE files a claim; None: any kind.
# Branch staff also record claims brought to the counter by heirs, workers or employers.
CLAIMANT_KINDS: dict[str, tuple[str, ...] | None] = {
    Role.NATIONAL_ADMIN: None,
    Role.BRANCH_STAFF: None,
    Role.EMPLOYER_HR: ("employer",),
    Role.WORKER: ("worker",),
}


class SystemActor:
    """The actor of work no user starts: the command line, cron and the jobs those start, demo data.

    The commands pass `actor=SYSTEM`; the services only cron, jobs and the demo run (snapshot_build,
    billing_run, regions_load...) show it as their default, while those a page reaches take the actor
    without a default. A None actor is refused like an anonymous user. `require` accepts SYSTEM only for
    SYSTEM_PERMS; it holds no role, so pages, the API and navigation (`may`) never grant it anything. The
    audit log records such writes with no user (core.audit takes only authenticated users)."""

    is_authenticated = False
    is_active = False
    pk = None

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()

# What the system may do without a user: the operator's commands and scheduled work. Not claims, registry
# changes or compliance decisions: those always name the person who made them.
SYSTEM_PERMS = frozenset(
    {
        Perm.PAYMENT_RECORD,  # `cakupan payments import` of a bank statement, credit applied after billing
        Perm.BILLING_RUN,  # `cakupan billing run`, the monthly cron
        Perm.TARGET_SET,  # `cakupan coverage targets import`
        Perm.WORKFORCE_IMPORT,  # `cakupan workforce import`, the BPS tables shipped with the code
        Perm.SNAPSHOT_BUILD,  # `cakupan coverage snapshot`, the monthly cron
        Perm.BOUNDARIES_IMPORT,  # `cakupan boundaries import`
        Perm.REFERENCE_WRITE,  # `cakupan regions load`, branch offices, demo data
        Perm.RETENTION_PURGE,  # `cakupan retention purge`, the daily cron
        Perm.SPONSORSHIP_ALERT,  # `cakupan sponsors alerts`, the daily cron
        Perm.CARD_ISSUE,  # `cakupan cards issue NIK`, the office printing a card at the counter
        Perm.AGREEMENT_JOBS,  # `cakupan agreements alerts` (daily) and `agreements compute` (monthly)
    }
)


def _scope(who: Any) -> Scope:
    return who if isinstance(who, Scope) else scope_for(who)


def may(who: Any, perm: Perm) -> bool:
    """Whether a user (or an already computed Scope) may do `perm`. Never true for SYSTEM: a page or an
    endpoint asking on behalf of no user grants nothing."""
    return _scope(who).role in GRANTS[perm]


def require(actor: Any, perm: Perm) -> Scope:
    """The actor's scope, or Forbidden (403 on pages and API, exit code 3 on the command line).
    SYSTEM passes for SYSTEM_PERMS, with a scope that sees everything."""
    if actor is SYSTEM and perm in SYSTEM_PERMS:
        return EVERYTHING
    scope = _scope(actor)
    if scope.role not in GRANTS[perm]:
        raise Forbidden(_("Your role may not do this."))
    return scope


def roles_with(perm: Perm) -> frozenset[str]:
    return GRANTS[perm]


def permissions_of(who: Any) -> frozenset[Perm]:
    """Every permission the user has, for templates and navigation."""
    role = _scope(who).role
    return frozenset(perm for perm, roles in GRANTS.items() if role in roles)


def claimant_kinds(who: Any, every: tuple[str, ...]) -> tuple[str, ...]:
    """The claimant kinds the user may file as, out of `every` kind there is (none without CLAIM_FILE)."""
    scope = _scope(who)
    if scope.role not in GRANTS[Perm.CLAIM_FILE]:
        return ()
    kinds = CLAIMANT_KINDS.get(scope.role, ())
    return every if kinds is None else tuple(k for k in every if k in kinds)
