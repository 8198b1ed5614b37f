"""Reads of the registry, always through the user's scope (accounts.scope)."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Upper
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.utils import timezone

from cakupan.accounts.scope import Audience, Scope, mask_nik, scope_for
from cakupan.core.errors import NotInScope
from cakupan.core.pagination import counted_by
from cakupan.registry.models import (
    Employer,
    Employment,
    Membership,
    Person,
    PersonAudience,
    Sponsor,
    WageHistory,
)
from cakupan.registry.person_view import shows_birth, shows_contact
from cakupan.rules.contributions.tables import contribution_tables
from cakupan.rules.period import Period

M = TypeVar("M", bound=Model)


def employer_list(*, user: Any, scope: Scope | None = None) -> QuerySet[Employer]:
    scope = scope or scope_for(user)
    return Employer.objects.filter(scope.employers()).select_related("region", "branch_office")


def employer_ids_in_scope(scope: Scope) -> QuerySet[Employer, int]:
    """The ids of the employers in scope, as a subquery."""
    return Employer.objects.filter(scope.employers()).values_list("pk", flat=True)


def audience(scope: Scope) -> Audience:
    """`Scope.persons`' question, whether a person holds one of the scope's audience keys, as EXISTS over
    the (key, person) primary key. EXISTS rather than IN: PostgreSQL plans both as the same semi-join,
    while SQLite would build the whole IN list (a branch's million persons) before the first row; with
    EXISTS it walks the page's own order and probes the key per row."""
    keys = scope.audience_keys()

    def holds(ref: str) -> Exists:
        return Exists(PersonAudience.objects.filter(key__in=keys, person_id=OuterRef(ref)))

    return holds


# The person list's order where it is read from one audience key: the name copied on the key's row.
LISTED_NAME = "listed_name"


def person_list(*, user: Any, scope: Scope | None = None) -> QuerySet[Person]:
    """The persons in scope, in name order. With one audience key (every role but the admin and a worker)
    the list joins that key's rows and sorts by the name they carry, (listed_name, id): one range of the
    index (key, full_name, person), which the keyset pages (core.pagination) walk, so a page of an
    employer's 50,000 workers reads its 21 rows whatever the registry's size."""
    scope = scope or scope_for(user)
    persons = Person.objects.select_related("address_region")
    if scope.everything:
        return persons
    keys = scope.audience_keys()
    if len(keys) == 1:  # one row per person: the key's rows are unique per person
        listed = (
            persons.filter(audiences__key=keys[0])
            .annotate(**{LISTED_NAME: F("audiences__full_name")})
            .order_by(LISTED_NAME, "id")
        )
        # Unfiltered, the list has one row per row of the key: its count is the key's index range alone
        # (core.pagination.bounded_count), with no lookup of each counted row's person.
        return counted_by(listed, PersonAudience.objects.filter(key=keys[0]))
    if keys:
        return persons.filter(scope.persons(audience(scope)))
    ids = Person.objects.filter(scope.persons(audience(scope))).values("pk")
    return persons.filter(pk__in=ids)


def person_count(*, user: Any, scope: Scope | None = None) -> int:
    """How many persons `person_list` holds, read from the audience keys where the scope has one: a
    range count of one index (one row per person and key), not a probe per person."""
    scope = scope or scope_for(user)
    keys = scope.audience_keys()
    if len(keys) == 1:
        return PersonAudience.objects.filter(key=keys[0]).count()
    return person_list(user=user, scope=scope).count()


# After every character a name can hold: a prefix's names are the range [prefix, prefix + NAME_END).
NAME_END = "\U0010ffff"
SEARCH_NAME = "search_name"


def _upper_prefix(path: str, text: str) -> Q:
    """`path`'s upper-cased value starts with `text` upper-cased (by the database, as its index is): one
    range of an expression index on UPPER(name)."""
    upper = Upper(path)
    return Q(GreaterThanOrEqual(upper, Upper(Value(text)))) & Q(
        LessThan(upper, Upper(Value(text + NAME_END)))
    )


def _as_typed_prefix(path: str, text: str) -> Q:
    """`path` starts with `text` as typed, in Title Case or in capitals ("siti am": "siti am…",
    "Siti Am…", "SITI AM…"): ranges of an index on the name as stored."""
    variants = sorted({text, text.title(), text.upper()})
    ranges = Q(pk__in=[])
    for variant in variants:
        ranges |= Q(**{f"{path}__gte": variant, f"{path}__lt": variant + NAME_END})
    # The ranges' envelope, redundant for the rows: a walk of the index in the list's order (what the
    # planner picks for a first page) then starts at the first variant instead of the key's first name.
    envelope = Q(**{f"{path}__gte": variants[0], f"{path}__lt": variants[-1] + NAME_END})
    return envelope & ranges


def person_name_prefix(*, scope: Scope, persons: QuerySet[Person], text: str) -> QuerySet[Person]:
    """The persons of `persons` (a person_list) whose full name starts with `text`, bounded by an index
    at any registry size (docs/design.md, "Name search"):
    - a role with one audience key (branch, agency, HR, sponsor): the range of its key's rows in the
      audience's (key, name, person) index, for the text as typed, in Title Case and in capitals; the
      list keeps its order;
    - the national admin, and anyone else: case-folded, a range of the index (UPPER(name), id), and the
      list is then in that order (so a page reads its rows from the index, not a sort of every match)."""
    text = " ".join(text.split())
    keys = scope.audience_keys()
    if len(keys) == 1 and LISTED_NAME in persons.query.annotations:
        # Counted on the key's rows alone while nothing else narrows it (core.pagination.counted_by).
        matching = PersonAudience.objects.filter(_as_typed_prefix("full_name", text), key=keys[0])
        return counted_by(persons.filter(_as_typed_prefix(LISTED_NAME, text)), matching)
    narrowed = persons.filter(_upper_prefix("full_name", text))
    if scope.everything and SEARCH_NAME not in narrowed.query.annotations:
        return narrowed.annotate(**{SEARCH_NAME: Upper("full_name")}).order_by(SEARCH_NAME, "id")
    return narrowed


def person_search(*, scope: Scope, persons: QuerySet[Person], query: str) -> QuerySet[Person]:
    """Search a person list by NIK (exact), KPJ (exact) or name (prefix, see person_name_prefix).

    A role that sees NIKs masked cannot search by NIK: a 16-digit query is read as a name, which finds
    no one whether the NIK is registered or not, so a guessed NIK is never confirmed (issue 12)."""
    text = " ".join(query.split())
    if not text:
        return persons.none()
    digits = text.replace(" ", "")
    if digits.isdigit() and len(digits) == 16 and not scope.masks_nik:
        return persons.filter(nik=digits)
    if digits.isdigit() and len(digits) == 11:
        return persons.filter(memberships__kpj=digits).distinct()
    return person_name_prefix(scope=scope, persons=persons, text=text)


def person_find(*, user: Any, query: str, scope: Scope | None = None) -> QuerySet[Person]:
    """person_search over the user's person list."""
    scope = scope or scope_for(user)
    return person_search(scope=scope, persons=person_list(user=user, scope=scope), query=query)


def person_filter_nik(*, scope: Scope, persons: QuerySet[Person], nik: str) -> QuerySet[Person]:
    """`?nik=` of the person list: ignored for a role that sees NIKs masked (the same answer for a
    registered and an unregistered NIK), exact otherwise."""
    if scope.masks_nik:
        return persons
    return persons.filter(nik=nik)


def region_filter_code(*, scope: Scope, code: str) -> str:
    """The region a person filter may narrow to: the regency for a role that sees addresses only to the
    regency (registry.person_view), since a district filter would tell the district it does not see
    (for a role that sees NIKs masked, the NIK's district digits)."""
    code = code.strip().rstrip(".")
    return code if shows_birth(scope) and shows_contact(scope) else ".".join(code.split(".")[:2])


def membership_find(*, scope: Scope, memberships: QuerySet[Membership], query: str) -> QuerySet[Membership]:
    """The membership list's search (page and API through MembershipFilter): a number is looked up
    exactly through its unique index, the NIK (16 digits, not for a role that sees NIKs masked: then it
    is read as a name, as person_find does) or the KPJ (11 digits); any other text is an NPP or a name."""
    text = " ".join(query.split())
    if not text:
        return memberships.none()
    digits = text.replace(" ", "")
    if digits.isdigit() and len(digits) == 16 and not scope.masks_nik:
        return memberships.filter(person__nik=digits)
    if digits.isdigit() and len(digits) == 11:
        return memberships.filter(kpj=digits)
    return memberships.filter(Q(employer__npp__iexact=text) | _upper_prefix("person__full_name", text))


def employment_find(*, scope: Scope, employment: QuerySet[Employment], query: str) -> QuerySet[Employment]:
    """The employment list's search (page and API through EmploymentFilter), as membership_find reads a
    query: the NIK (16 digits; a name for a role that sees NIKs masked), the KPJ (11 digits) of the
    person's membership, else an NPP, the start of a person's name (case-folded) or a part of an
    employer's name."""
    text = " ".join(query.split())
    if not text:
        return employment.none()
    digits = text.replace(" ", "")
    if digits.isdigit() and len(digits) == 16 and not scope.masks_nik:
        return employment.filter(person__nik=digits)
    if digits.isdigit() and len(digits) == 11:
        return employment.filter(person_id__in=Membership.objects.filter(kpj=digits).values("person_id"))
    names = _upper_prefix("person__full_name", text) | Q(employer__name__icontains=text)
    return employment.filter(Q(employer__npp__iexact=text) | names)


def employer_find(*, user: Any, query: str, scope: Scope | None = None) -> QuerySet[Employer]:
    employers = employer_list(user=user, scope=scope)
    text = " ".join(query.split())
    if not text:
        return employers.none()
    return employers.filter(Q(npp__iexact=text) | Q(nib=text) | Q(name__icontains=text))


def employment_list(*, user: Any, scope: Scope | None = None) -> QuerySet[Employment]:
    scope = scope or scope_for(user)
    qs = Employment.objects.select_related("person", "employer")
    if scope.everything:
        return qs
    return qs.filter(scope.employment(audience(scope)))


def membership_list(*, user: Any, scope: Scope | None = None) -> QuerySet[Membership]:
    scope = scope or scope_for(user)
    qs = Membership.objects.select_related("person", "employer", "sponsor")
    if scope.everything:
        return qs
    return qs.filter(scope.memberships(audience(scope)))


def membership_ending(*, memberships: QuerySet[Membership], days: int) -> QuerySet[Membership]:
    """Of `memberships`, those whose end date falls within the next `days` days (today included)."""
    today = timezone.localdate()
    return memberships.filter(end_date__gte=today, end_date__lte=today + dt.timedelta(days=days))


def employer_jobs(*, user: Any, pk: Any) -> tuple[Employer, QuerySet[Employment], QuerySet[Membership]]:
    """An employer in the user's scope (NotInScope otherwise) with its employment and memberships: all of
    them, with no per-row scope test. Whoever sees an employer sees every job and membership there
    (accounts.scope: the employer gives a branch office's key to its workers and members, an agency's
    regency is the employer's, HR's rows are its employer's), so the largest employer's page counts its
    50,000 jobs by the employer's index instead of probing 50,000 persons' keys."""
    employer = employer_get(user=user, pk=pk)
    employments = Employment.objects.select_related("person", "employer").filter(employer=employer)
    memberships = Membership.objects.select_related("person", "employer", "sponsor").filter(employer=employer)
    return employer, employments, memberships


def sponsor_list(*, user: Any, scope: Scope | None = None) -> QuerySet[Sponsor]:
    scope = scope or scope_for(user)
    return Sponsor.objects.filter(scope.sponsors()).select_related("region", "employer")


def bpu_lowest_income(day: dt.date) -> int:
    """The lowest BPU income level in force on `day` (rules tables, bpu_rates.minimum_income)."""
    rates = contribution_tables().for_period(Period.of(day)).bpu_rates
    if rates is None:  # before the tables' first version: the earliest one
        rates = contribution_tables().bpu_rates.versions[0]
    return rates.minimum_income.value


def sponsor_income_basis(*, sponsor: Sponsor, day: dt.date) -> int:
    """The monthly income declared for a sponsor's member whose roster gives none."""
    return sponsor.income_basis or bpu_lowest_income(day)


def _get(qs: QuerySet[M], pk: Any) -> M:
    try:
        return qs.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise NotInScope from exc


def employer_get(*, user: Any, pk: Any) -> Employer:
    return _get(employer_list(user=user), pk)


def person_get(*, user: Any, pk: Any) -> Person:
    return _get(person_list(user=user), pk)


def employment_get(*, user: Any, pk: Any) -> Employment:
    return _get(employment_list(user=user), pk)


def membership_get(*, user: Any, pk: Any) -> Membership:
    return _get(membership_list(user=user), pk)


def sponsor_get(*, user: Any, pk: Any) -> Sponsor:
    return _get(sponsor_list(user=user), pk)


def nik_for_display(*, scope: Scope, nik: str) -> str:
    """The NIK as this role may see it: sponsors see it masked (UU 27/2022, data minimisation)."""
    return mask_nik(nik) if scope.masks_nik else nik


def wage_history_of(employment_ids: list[int]) -> list[tuple[dt.date, int]]:
    """The wage history of one worker's jobs as (start month, monthly wage), oldest first; when two jobs
    overlap the later-started row holds from its month (a selector for the benefit calculators)."""
    rows = (
        WageHistory.objects.filter(employment_id__in=employment_ids)
        .order_by("start_month", "employment__start_date", "pk")
        .values_list("start_month", "basic_wage", "fixed_allowance")
    )
    history: dict[dt.date, int] = {}
    for start, basic, allowance in rows:
        history[start] = basic + allowance
    return sorted(history.items())
