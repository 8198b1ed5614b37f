"""The scope keys checked two ways: stored = derived afresh (scope_keys_differences, the payer accounts'
keys included), and derived = what the rules of accounts.scope say, written here as they read
before the keys (an OR of subqueries over every person's jobs and memberships, and region prefixes; the
payer accounts' Q of Scope.payer_accounts), one query per viewer. Small registries only."""

from __future__ import annotations

from django.db.models import Q

from cakupan.accounts.models import Role
from cakupan.accounts.scope import Scope
from cakupan.contributions.models import PayerAccount, PayerAccountAudience
from cakupan.contributions.selectors_payments import accounts_q
from cakupan.regions.models import BranchOffice
from cakupan.registry.models import Employer, Employment, Membership, Person, PersonAudience, Sponsor
from cakupan.registry.selectors import audience
from cakupan.registry.services.scope_keys import scope_keys_differences


def _viewers() -> list[tuple[str, Scope]]:
    viewers = []
    for office in BranchOffice.objects.prefetch_related("regions"):
        codes = tuple(r.code for r in office.regions.all())
        viewers.append(
            (f"b:{office.pk}", Scope(role=Role.BRANCH_STAFF, regency_codes=codes, branch_office_id=office.pk))
        )
    places = set(Person.objects.values_list("address_region", flat=True))
    places |= set(Employer.objects.values_list("region", flat=True))
    for regency in sorted({code[:5] for code in places}):
        for prefix, health in (("a", False), ("h", True)):
            viewers.append(
                (f"{prefix}:{regency}", Scope(role=Role.AGENCY, regency_codes=(regency,), health_only=health))
            )
    for employer in Employer.objects.values_list("pk", flat=True):
        viewers.append((f"e:{employer}", Scope(role=Role.EMPLOYER_HR, employer_id=employer)))
    for sponsor in Sponsor.objects.values_list("pk", flat=True):
        viewers.append((f"s:{sponsor}", Scope(role=Role.SPONSOR, sponsor_id=sponsor)))
    return viewers


def _persons_by_rule(scope: Scope) -> set[int]:
    if scope.role == Role.EMPLOYER_HR and scope.employer_id is not None:  # it employs or employed them
        return set(
            Person.objects.filter(employments__employer_id=scope.employer_id).values_list("pk", flat=True)
        )
    if scope.role == Role.SPONSOR and scope.sponsor_id is not None:  # it pays or paid their membership
        return set(
            Person.objects.filter(memberships__sponsor_id=scope.sponsor_id).values_list("pk", flat=True)
        )
    employers = Employer.objects.filter(scope.employers()).values("pk")
    q = Q(employments__employer_id__in=employers) | Q(memberships__employer_id__in=employers)
    if not scope.health_only:
        q |= scope.regions_q("address_region")
    return set(Person.objects.filter(q).values_list("pk", flat=True))


def _jobs_by_rule(scope: Scope, model: type[Employment] | type[Membership]) -> set[int]:
    employers = Employer.objects.filter(scope.employers()).values("pk")
    q = Q(employer_id__in=employers)
    if not scope.health_only:
        q |= scope.regions_q("person__address_region")
    return set(model.objects.filter(q).values_list("pk", flat=True))


def assert_scope_keys_consistent() -> None:
    assert scope_keys_differences() == []
    stored: dict[str, set[int]] = {}
    for key, person, name in PersonAudience.objects.values_list("key", "person_id", "full_name"):
        stored.setdefault(key, set()).add(person)
        assert name == Person.objects.get(pk=person).full_name, (key, person)
    accounts: dict[str, set[int]] = {}
    for key, account, kind in PayerAccountAudience.objects.values_list("key", "account_id", "kind"):
        accounts.setdefault(key, set()).add(account)
        assert kind == PayerAccount.objects.get(pk=account).kind, (key, account)
    expected: dict[str, set[int]] = {}
    expected_accounts: dict[str, set[int]] = {}
    for key, scope in _viewers():
        if persons := _persons_by_rule(scope):
            expected[key] = persons
        # Scope.payer_accounts, the rule as written (a join of every account with its payer).
        offices = scope.role in (Role.BRANCH_STAFF, Role.AGENCY)  # HR and sponsors: their own account
        rule = PayerAccount.objects.filter(accounts_q(scope)) if offices else PayerAccount.objects.none()
        if found := set(rule.values_list("pk", flat=True)):
            expected_accounts[key] = found
        if scope.role == Role.AGENCY:
            for model in (Employment, Membership):
                rows = model.objects.filter(scope.employment(audience(scope)))
                listed = set(rows.values_list("pk", flat=True))
                assert listed == _jobs_by_rule(scope, model), (key, model.__name__)
    assert stored == expected
    assert accounts == expected_accounts
