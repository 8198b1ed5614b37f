"""Keyset paging (core.pagination): walking next and previous links shows every row exactly once, in the
list's order, whatever the page size and however many rows tie on the sort key or have it NULL; a cursor
the list did not make is bad input; the count stops at its bound."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import signing
from django.db.models import Model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cakupan.core.errors import InvalidInput
from cakupan.core.pagination import bounded_count, keyset_page, sort_keys
from cakupan.registry import services
from cakupan.registry.models import Employment, Person
from cakupan.registry.nik import nik_compose

NAMES = ["Siti Aminah", "Budi Santoso", "Siti Aminah", "Agus", "Budi Santoso", "Siti Aminah", "Dewi"]
ORDERINGS: list[tuple[type[Model], tuple[str, ...]]] = [
    (Person, ()),  # the model's: full_name, id
    (Person, ("-full_name",)),
    (Person, ("-birth_date", "full_name")),
    (Person, ("sex", "-birth_date")),
    (Person, ("-id",)),
    (Person, ("address_region__name", "full_name")),  # through a relation
    (Employment, ()),  # -start_date, id
    (Employment, ("end_date",)),  # nullable: NULLs last on both databases
    (Employment, ("-end_date", "person__full_name")),
    (Employment, ("employer__name", "-end_date")),
]


@pytest.fixture
def persons(world: Any) -> list[Person]:
    """22 more persons, employed at the world's two employers: names, birth dates, start and end dates
    that tie, end dates that are NULL (still employed)."""
    made = []
    for serial in range(1, 23):
        born = dt.date(1980 + serial % 4, 1 + serial % 3, 1 + serial % 5)
        sex = "L" if serial % 3 else "P"
        district = "35.73.01" if serial % 2 else "32.16.01"
        person = services.person_register(
            actor=world.admin,
            nik=nik_compose(district_code=district, birth_date=born, sex=sex, serial=100 + serial),
            full_name=NAMES[serial % len(NAMES)],
            birth_date=born,
            sex=sex,
            address_region=district,
        )
        services.employment_start(
            actor=world.admin,
            person=person,
            employer=world.hospital if serial % 2 else world.factory,
            start_date=dt.date(2021, 1 + serial % 2, 1),
            end_date=None if serial % 3 else dt.date(2024, 6, 1 + serial % 2),
            basic_wage=4_000_000,
        )
        made.append(person)
    return made


def walk_forward(rows: Any, per_page: int) -> list[int]:
    seen: list[int] = []
    cursor = None
    while True:
        page = keyset_page(rows, cursor=cursor, per_page=per_page, count=False)
        assert len(page) <= per_page
        seen += [p.pk for p in page]
        if not page.has_next:
            return seen
        assert len(page) == per_page
        cursor = page.next_cursor


def walk_backward(rows: Any, per_page: int) -> list[int]:
    """From the last page (reached forwards) back to the first through `previous` links."""
    cursor = None
    while True:
        page = keyset_page(rows, cursor=cursor, per_page=per_page, count=False)
        if not page.has_next:
            break
        cursor = page.next_cursor
    seen = [p.pk for p in page]
    while page.has_previous:
        page = keyset_page(rows, cursor=page.previous_cursor, per_page=per_page, count=False)
        assert len(page) == per_page  # a page walked back to is always full
        seen = [p.pk for p in page] + seen
    return seen


@pytest.mark.django_db
def test_next_and_previous_cover_every_row_exactly_once_in_order(persons: list[Person]) -> None:
    @settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(listed=st.sampled_from(ORDERINGS), per_page=st.integers(1, 9))
    def check(listed: tuple[type[Model], tuple[str, ...]], per_page: int) -> None:
        model, ordering = listed
        rows = model._default_manager.order_by(*ordering) if ordering else model._default_manager.all()
        expected = [p.pk for p in rows.order_by(*(k.order() for k in sort_keys(rows)))]
        assert sorted(expected) == sorted(model._default_manager.values_list("pk", flat=True))
        assert walk_forward(rows, per_page) == expected
        assert walk_backward(rows, per_page) == expected
        assert keyset_page(rows, cursor=None, per_page=per_page).count.value == len(expected)

    check()


@pytest.mark.django_db
def test_the_order_ends_at_the_primary_key() -> None:
    assert [k.path for k in sort_keys(Person.objects.all())] == ["full_name", "id"]
    assert [k.path for k in sort_keys(Person.objects.order_by("birth_date"))] == ["birth_date", "id"]
    assert [(k.path, k.descending) for k in sort_keys(Person.objects.order_by("-pk", "nik"))] == [
        ("id", True)
    ]
    assert not sort_keys(Person.objects.order_by("birth_date"))[0].nullable
    assert sort_keys(Employment.objects.order_by("end_date"))[0].nullable
    assert [k.path for k in sort_keys(Employment.objects.order_by("employer"))] == ["employer_id", "id"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cursor",
    [
        "nonsense",
        "",  # the first page, not an error
        signing.dumps(["a", ["x"]], salt="cakupan.cursor:registry.person:full_name,id"),  # one value short
        signing.dumps(["z", ["x", 1]], salt="cakupan.cursor:registry.person:full_name,id"),  # no direction
        signing.dumps(["a", ["x", 1]], salt="cakupan.cursor:registry.employer:name,id"),  # another list's
        signing.dumps(["a", ["x", 1]]),  # signed for nothing
    ],
)
def test_a_cursor_the_list_did_not_make_is_bad_input_on_its_field(persons: list[Person], cursor: str) -> None:
    if not cursor:
        assert len(keyset_page(Person.objects.all(), cursor=cursor, per_page=5)) == 5
        return
    with pytest.raises(InvalidInput) as caught:
        keyset_page(Person.objects.all(), cursor=cursor, per_page=5, field="after")
    assert [e.field for e in caught.value.errors] == ["after"]


@pytest.mark.django_db
def test_a_cursor_made_for_the_list_opens_it(persons: list[Person]) -> None:
    salt = "cakupan.cursor:registry.person:full_name,id"
    page = keyset_page(
        Person.objects.all(), cursor=signing.dumps(["a", ["Budi Santoso", 0]], salt=salt), per_page=50
    )
    names = [p.full_name for p in page]
    assert names == sorted(Person.objects.exclude(full_name="Agus").values_list("full_name", flat=True))


@pytest.mark.django_db
def test_the_count_stops_at_its_bound(persons: list[Person]) -> None:
    rows = Person.objects.all()
    assert (bounded_count(rows, 100).value, bounded_count(rows, 100).exact) == (25, True)
    assert (bounded_count(rows, 25).value, bounded_count(rows, 25).exact) == (25, True)
    assert (bounded_count(rows, 24).value, bounded_count(rows, 24).exact) == (24, False)
    assert (bounded_count(rows, 5).value, bounded_count(rows, 5).exact) == (5, False)
    assert bounded_count(rows.filter(full_name="Dewi"), 5).exact
