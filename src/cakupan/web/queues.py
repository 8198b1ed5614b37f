"""The home page as a work queue: per role, the work waiting (claims to verify, held roster rows, employers
long in arrears, compliance cases near their deadline, sponsored memberships ending, bills to pay), each a
count linked to the list that shows exactly those rows.

Each queue is a queryset from the owning app's selectors, narrowed to the work; its count is cached per
scope with the registry's figures (registry.figures: one read per page view, a bounded count the first
time, the scheduled `home_figures_refresh` recounts a big scope in full), so a home stays one read however
many rows a branch office holds. What is per user (one's own last roster) is read inline: one row by the
uploader's index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, may
from cakupan.accounts.scope import Scope
from cakupan.benefits.models import ClaimStatus
from cakupan.benefits.selectors import claim_list
from cakupan.compliance.models import Case, CaseStep, FindingClass, ReviewItem
from cakupan.compliance.selectors import case_list, finding_current
from cakupan.contributions.arrears import employer_arrears_months
from cakupan.contributions.models import Bill, PayerAccount
from cakupan.contributions.selectors_payments import bill_list, bills_annotated, payer_accounts
from cakupan.enrolment.models import LinkReview, RosterImport
from cakupan.enrolment.selectors import link_review_list, roster_import_list
from cakupan.partners.selectors import IN_FORCE, agreement_list, agreements_behind, agreements_expiring
from cakupan.registry.figures import figure_rows, home_figures_refresh
from cakupan.registry.models import Membership
from cakupan.registry.selectors import membership_ending, membership_list
from cakupan.rules.period import add_months

# How far ahead a deadline or an end counts as "soon".
DEADLINE_DAYS = 14
ENDING_DAYS = 60
# One's last roster counts when it is this recent.
ROSTER_DAYS = 30


def _today() -> dt.date:
    return timezone.localdate()


@dataclass(frozen=True)
class Queue:
    name: str
    label: Promise
    hint: Promise
    applies: Callable[[Scope], bool]
    rows: Callable[[Scope, dt.date], QuerySet[Any]]
    url: Callable[[Scope], str]


def _link(name: str, **query: Any) -> Callable[[Scope], str]:
    def url(_scope: Scope) -> str:
        return reverse(name) + (f"?{urlencode(query)}" if query else "")

    return url


def _own_account(scope: Scope) -> str:
    """An employer's or a sponsor's one payer account: its statement lists the bills and what is unpaid."""
    account = payer_accounts(user=None, scope=scope).filter(kind__in=["employer", "sponsor"]).first()
    if account is None:
        return reverse("contributions:bill_list")
    return reverse("contributions:account_statement", args=[account.pk])


def _claims(status: str) -> Callable[[Scope, dt.date], QuerySet[Any]]:
    return lambda scope, _today: claim_list(user=None, scope=scope).filter(status=status)


def _claims_open(scope: Scope, _today: dt.date) -> QuerySet[Any]:
    return claim_list(user=None, scope=scope).filter(
        status__in=[ClaimStatus.SUBMITTED, ClaimStatus.VERIFIED, ClaimStatus.APPROVED]
    )


def _held_rows(scope: Scope, _today: dt.date) -> QuerySet[Any]:
    return link_review_list(user=None, scope=scope).filter(status=LinkReview.Status.PENDING)


def _employers_in_arrears(scope: Scope, today: dt.date) -> QuerySet[Any]:
    """Employers whose oldest unpaid bill fell due more than three months ago (contributions/arrears.py,
    rules.md §4: the employer then pays JKK benefits first), the standing the arrears page shows."""
    cutoff = add_months(today, -employer_arrears_months(today))
    unpaid = (
        bills_annotated(Bill.objects.completed().filter(account_id=OuterRef("pk"), due_date__lt=cutoff))
        .filter(outstanding__gt=0)
        .values("pk")[:1]
    )
    accounts = payer_accounts(user=None, scope=scope).filter(kind=PayerAccount.Kind.EMPLOYER)
    return accounts.annotate(unpaid=Subquery(unpaid)).filter(unpaid__isnull=False)


def _cases_near_deadline(scope: Scope, today: dt.date) -> QuerySet[Any]:
    """Open cases whose latest step's deadline is within DEADLINE_DAYS (or passed without a next step)."""
    latest = CaseStep.objects.filter(case_id=OuterRef("pk")).order_by("-issued_on", "-id").values("deadline")
    return (
        case_list(user=None, scope=scope)
        .filter(status=Case.Status.OPEN)
        .annotate(deadline=Subquery(latest[:1]))
        .filter(deadline__lte=today + dt.timedelta(days=DEADLINE_DAYS))
    )


def _review_items(scope: Scope, _today: dt.date) -> QuerySet[Any]:
    return ReviewItem.objects.filter(scope.review_items(), status=ReviewItem.Status.PENDING)


def _findings(scope: Scope, _today: dt.date) -> QuerySet[Any]:
    return finding_current(user=None, scope=scope).exclude(
        klass__in=[FindingClass.COMPLIANT, FindingClass.REVIEW]
    )


def _cases_open(scope: Scope, _today: dt.date) -> QuerySet[Any]:
    return case_list(user=None, scope=scope).filter(status=Case.Status.OPEN)


def _sponsored_ending(scope: Scope, _today: dt.date) -> QuerySet[Any]:
    """The rows the membership list shows for the queue's link (same selector, same filters)."""
    sponsored = membership_list(user=None, scope=scope).filter(
        status=Membership.Status.ACTIVE, payer_kind=Membership.PayerKind.SPONSOR
    )
    return membership_ending(memberships=sponsored, days=ENDING_DAYS)


def _bills_to_pay(scope: Scope, _today: dt.date) -> QuerySet[Any]:
    bills: Any = bill_list(user=None, scope=scope)  # annotated with `outstanding` (bills_annotated)
    return bills.filter(outstanding__gt=0)


def _bills_overdue(scope: Scope, today: dt.date) -> QuerySet[Any]:
    return _bills_to_pay(scope, today).filter(due_date__lt=today)


def _agreements_in_force(scope: Scope, _today: dt.date) -> QuerySet[Any]:
    return agreement_list(scope=scope).filter(status__in=IN_FORCE)


def _agreements_expiring(scope: Scope, today: dt.date) -> QuerySet[Any]:
    return agreements_expiring(scope=scope, today=today)


def _agreements_behind(scope: Scope, _today: dt.date) -> QuerySet[Any]:
    return agreements_behind(scope=scope)


def _perm(perm: Perm) -> Callable[[Scope], bool]:
    return lambda scope: may(scope, perm)


# Who a queue is for, by what the scope holds and may do (roles are named only in accounts).
def _payers(scope: Scope) -> bool:  # an employer's HR or a sponsor: they pay bills
    return (scope.employer_id is not None or scope.sponsor_id is not None) and may(scope, Perm.BILL_READ)


def _followers(scope: Scope) -> bool:  # who follows claims without deciding them
    return may(scope, Perm.CLAIM_READ) and not may(scope, Perm.CLAIM_DECIDE) and scope.person_id is None


def _agency(scope: Scope) -> bool:
    return scope.agency_id is not None and may(scope, Perm.COMPLIANCE_READ)


def _agency_agreements(scope: Scope) -> bool:  # the agency follows the agreements it signed
    return scope.agency_id is not None and may(scope, Perm.AGREEMENT_READ)


def _employer(scope: Scope) -> bool:
    return scope.employer_id is not None and may(scope, Perm.COMPLIANCE_READ)


def _sponsored(scope: Scope) -> bool:  # those who see sponsored memberships of others: not an employer
    return scope.employer_id is None and scope.person_id is None and may(scope, Perm.MEMBERSHIP_READ)


def _cover_undecided(scope: Scope, _today: dt.date) -> QuerySet[Any]:
    from cakupan.sponsorship.selectors_endings import cover_undecided

    return cover_undecided(scope)


def _moves_waiting(scope: Scope, _today: dt.date) -> QuerySet[Any]:
    from cakupan.sponsorship.selectors_endings import moves_waiting_in_scope

    return moves_waiting_in_scope(scope)


def _cover_deciders(scope: Scope) -> bool:  # who decides how sponsored cover ends, and the sponsor itself
    return scope.employer_id is None and scope.person_id is None and may(scope, Perm.SPONSORSHIP_READ)


QUEUES: tuple[Queue, ...] = (
    Queue(
        "claims_to_verify",
        _("Claims to verify"),
        _("Submitted claims: check the documents and the data."),
        _perm(Perm.CLAIM_DECIDE),
        _claims(ClaimStatus.SUBMITTED),
        _link("benefits:claim_list", status=ClaimStatus.SUBMITTED),
    ),
    Queue(
        "claims_to_approve",
        _("Claims to approve"),
        _("Verified claims waiting for a second officer's decision."),
        _perm(Perm.CLAIM_DECIDE),
        _claims(ClaimStatus.VERIFIED),
        _link("benefits:claim_list", status=ClaimStatus.VERIFIED),
    ),
    Queue(
        "claims_open",
        _("Claims in progress"),
        _("Claims filed and not yet paid or rejected."),
        _followers,
        _claims_open,
        _link("benefits:claim_list"),
    ),
    Queue(
        "held_rows",
        _("Held roster rows"),
        _("Rows naming a registered person with other details: link or reject."),
        _perm(Perm.LINK_REVIEW),
        _held_rows,
        _link("enrolment:review_list"),
    ),
    Queue(
        "employers_in_arrears",
        _("Employers more than 3 months in arrears"),
        _("They pay work-accident benefits first; call them before it grows."),
        _perm(Perm.ARREARS_READ),
        _employers_in_arrears,
        _link("contributions:arrears"),
    ),
    Queue(
        "cases_near_deadline",
        _("Compliance cases near their deadline"),
        _("Open cases whose warning deadline falls within two weeks or has passed."),
        _perm(Perm.COMPLIANCE_ENFORCE),
        _cases_near_deadline,
        _link("compliance:dashboard"),
    ),
    Queue(
        "compliance_reviews",
        _("Employer matches to review"),
        _("Reported employers that may be registered under another name."),
        _perm(Perm.COMPLIANCE_ENFORCE),
        _review_items,
        _link("compliance:review"),
    ),
    Queue(
        "findings_open",
        _("Findings to review"),
        _("Employers in your area not registered, or registered only in part."),
        _agency,
        _findings,
        _link("compliance:dashboard"),
    ),
    Queue(
        "cases_open",
        _("Open compliance cases"),
        _("Employers under enforcement in your area."),
        _agency,
        _cases_open,
        _link("compliance:dashboard"),
    ),
    Queue(
        "agreements_in_force",
        _("Agreements in force"),
        _("Cooperation agreements your agency signed with the branch office."),
        _agency_agreements,
        _agreements_in_force,
        _link("partners:list"),
    ),
    Queue(
        "agreements_expiring",
        _("Agreements ending within 90 days"),
        _("Prepare the renewal or the closing report with the parties."),
        _perm(Perm.AGREEMENT_READ),
        _agreements_expiring,
        _link("partners:list"),
    ),
    Queue(
        "agreements_behind",
        _("Agreements with a KPI behind its path"),
        _("In the latest month computed, a KPI is below the straight path to its target."),
        _perm(Perm.AGREEMENT_READ),
        _agreements_behind,
        _link("partners:list"),
    ),
    Queue(
        "own_cases",
        _("Compliance case on your company"),
        _("A warning letter waits for your registration before its deadline."),
        _employer,
        _cases_open,
        _link("compliance:dashboard"),
    ),
    Queue(
        "sponsored_ending",
        _("Sponsored memberships ending soon"),
        _("Ending within 60 days: renew the funding or move the members on."),
        _sponsored,
        _sponsored_ending,
        _link(
            "registry:membership_list",
            status=Membership.Status.ACTIVE,
            payer_kind=Membership.PayerKind.SPONSOR,
            ending=ENDING_DAYS,
        ),
    ),
    Queue(
        "cover_undecided",
        _("Sponsored cover ending, nothing decided"),
        _("The funded period ends within about 60 days: renew, hand over, convert to self-paid or end."),
        _cover_deciders,
        _cover_undecided,
        _link("sponsorship:list"),
    ),
    Queue(
        "moves_waiting",
        _("Members handed over, waiting for an answer"),
        _("Another sponsor hands its members over: accept or decline them."),
        _perm(Perm.SPONSORSHIP_ACCEPT),
        _moves_waiting,
        _link("sponsorship:list"),
    ),
    Queue(
        "bills_to_pay",
        _("Bills to pay"),
        _("Bills not yet paid in full."),
        _payers,
        _bills_to_pay,
        _own_account,
    ),
    Queue(
        "bills_overdue",
        _("Bills overdue"),
        _("Past their due date: a late fine runs on employers' bills."),
        _payers,
        _bills_overdue,
        _own_account,
    ),
)


def queues_for(scope: Scope) -> list[Queue]:
    return [queue for queue in QUEUES if queue.applies(scope)]


def queue_rows(scope: Scope) -> dict[str, QuerySet[Any]]:
    today = _today()
    return {queue.name: queue.rows(scope, today) for queue in queues_for(scope)}


def home_rows(scope: Scope) -> dict[str, QuerySet[Any]]:
    """Every figure a home caches for the scope: the registry's counts and the work queues."""
    return {**figure_rows(scope), **queue_rows(scope)}


def home_refresh(scope_key: str | None = None) -> int:
    """Recount the cached home figures, queues included (`cakupan home_figures_refresh`, scheduled)."""
    return home_figures_refresh(scope_key, rows_for=home_rows)


def last_roster(*, user: Any) -> RosterImport | None:
    """The user's own latest roster of the last ROSTER_DAYS days (one row by the uploader's index)."""
    since = timezone.now() - dt.timedelta(days=ROSTER_DAYS)
    return (
        roster_import_list(user=user)
        .filter(uploader_id=getattr(user, "pk", None), created_at__gte=since)
        .order_by("-created_at", "-id")
        .annotate(problems=F("rejected") + F("held"))
        .first()
    )
