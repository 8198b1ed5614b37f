"""The scope keys checked two ways: stored = derived afresh (scope_keys_differences), and derived = what the
rules of accounts.scope say, written here as they read before the keys (an OR of subqueries over every
person's jobs and memberships, and region prefixes), one query per viewer. Small registries only."""

from __future__ import annotations

from django.db.models import Q

from cakupan.accounts.models import Role
from cakupan.accounts.scope import Scope
from cakupan.regions.models import BranchOffice
from cakupan.registry.models import Employer, Employment, Membership, Person, PersonAudience
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
    return viewers


def _persons_by_rule(scope: Scope) -> set[int]:
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
    for key, person in PersonAudience.objects.values_list("key", "person_id"):
        stored.setdefault(key, set()).add(person)
    expected: dict[str, set[int]] = {}
    for key, scope in _viewers():
        if persons := _persons_by_rule(scope):
            expected[key] = persons
        if scope.role == Role.AGENCY:
            for model in (Employment, Membership):
                rows = model.objects.filter(scope.employment(audience(scope)))
                listed = set(rows.values_list("pk", flat=True))
                assert listed == _jobs_by_rule(scope, model), (key, model.__name__)
    assert stored == expected
