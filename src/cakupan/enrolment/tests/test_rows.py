"""Rows given in code (roster_rows_import) and the self-paid target: the roster's one decision set."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cakupan.accounts.permissions import Perm, require
from cakupan.accounts.scope import scope_for
from cakupan.core.errors import Forbidden, InvalidInput
from cakupan.enrolment.models import LinkReview, RosterImport
from cakupan.enrolment.selectors import link_review_list
from cakupan.enrolment.services import roster_rows_import
from cakupan.enrolment.services.reviews import link_review_approve
from cakupan.registry import services
from cakupan.registry.models import Membership, Person
from cakupan.registry.nik import nik_compose

BORN = dt.date(1991, 2, 3)


def row(serial: int, **over: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "nik": nik_compose(district_code="35.07.01", birth_date=BORN, sex="P", serial=serial),
        "full_name": f"Pedagang Contoh {serial}",
        "birth_date": BORN,
        "sex": "P",
        "address_region": "35.07.01",
        "phone": "081234500000",
        "declared_income": 2_000_000,
        "bpu_sector": "other",
        "programs": ["JKK", "JKM"],
    }
    values.update(over)
    return values


def rows_import(world: Any, rows: list[dict[str, Any]], target: Any = ("self", None), **kw: Any) -> Any:
    actor = world.branch_malang
    scope = require(actor, Perm.OUTREACH_CONVERT)
    return roster_rows_import(actor=actor, scope=scope, target=target, rows=rows, source="test", **kw)


def test_self_paid_rows_are_enrolled_then_unchanged_then_updated(world: Any) -> None:
    first = rows_import(world, [row(1), row(2)])
    assert [r.status for r in first.rows] == ["imported", "imported"]
    assert (first.record.target_kind, first.record.report_name) == ("self", "")
    assert (first.record.imported, first.record.rejected) == (2, 0)
    member = Membership.objects.get(pk=first.rows[0].membership_id)
    assert (member.payer_kind, member.sponsor_id, member.segment, member.employer_id) == (
        "self",
        None,
        "BPU",
        None,
    )
    assert member.person_id == first.rows[0].person_id
    assert member.person.nik == row(1)["nik"]
    assert member.declared_income == 2_000_000
    again = rows_import(world, [row(1), row(2, declared_income="2500000")])
    assert [r.status for r in again.rows] == ["unchanged", "updated"]
    assert [r.membership_id for r in again.rows] == [r.membership_id for r in first.rows]
    assert Membership.objects.get(pk=first.rows[1].membership_id).declared_income == 2_500_000
    assert Person.objects.filter(nik__in=[row(1)["nik"], row(2)["nik"]]).count() == 2


def test_another_payer_refused_naming_the_sponsor(world: Any) -> None:
    """The sponsored driver offered as self-paid: another sponsor pays (named); a government-paid member:
    another payer. Nothing written for either; the good row beside them is."""
    driver = world.driver
    government = services.person_register(
        actor=world.admin,
        nik=nik_compose(district_code="35.07.01", birth_date=BORN, sex="P", serial=40),
        full_name="Penerima Bantuan",
        birth_date=BORN,
        sex="P",
        address_region="35.07.01",
    )
    services.membership_enrol(
        actor=world.admin,
        person=government,
        segment="BPU",
        programs=["JKK", "JKM"],
        start_date=dt.date(2025, 1, 1),
        payer_kind="government",
        declared_income=1_000_000,
        bpu_sector="other",
    )
    rows = [
        row(3, nik=driver.nik, full_name=driver.full_name, birth_date=driver.birth_date, sex=driver.sex),
        row(40, full_name="Penerima Bantuan"),
        row(5),
    ]
    with translation.override("en"):
        result = rows_import(world, rows)
    assert [r.status for r in result.rows] == ["rejected", "rejected", "imported"]
    assert result.rows[0].codes == ("membership_other_sponsor",)
    assert result.rows[0].other_sponsor == world.sponsor.name
    assert (result.rows[0].person_id, result.rows[0].membership_id) == (driver.pk, None)
    assert [(e.field, e.message) for e in result.rows[0].errors] == [
        ("nik", f"Already paid for these months by another sponsor: {world.sponsor.name}.")
    ]
    assert result.rows[1].codes == ("membership_other_payer",)
    assert Membership.objects.filter(person=driver).count() == 1
    assert Membership.objects.filter(person=government).count() == 1


def test_sponsor_target_keeps_refusing_a_self_paid_member(world: Any) -> None:
    rows_import(world, [row(6)])
    result = rows_import(world, [row(6)], target=("sponsor", world.sponsor.pk))
    assert result.rows[0].codes == ("membership_other_payer",)


def test_row_errors_in_input_order_with_fields_and_language(world: Any) -> None:
    rows = [row(7, nik="12"), row(8), row(9, declared_income=0, programs=["JKK"]), row(8)]
    with translation.override("id"):
        result = rows_import(world, rows)
    assert [r.index for r in result.rows] == [0, 1, 2, 3]
    assert [r.status for r in result.rows] == ["rejected", "imported", "rejected", "rejected"]
    assert {e.field for e in result.rows[0].errors} == {"nik"}
    assert {e.field for e in result.rows[2].errors} == {"declared_income", "programs"}
    assert [(e.field, e.message) for e in result.rows[3].errors] == [
        ("nik", "NIK ini sudah muncul di baris 2 berkas ini.")
    ]
    assert result.rows[1].person_id is not None
    assert result.rows[0].person_id is None


@pytest.mark.parametrize(
    ("rows", "target", "field"),
    [
        ([], ("self", None), "rows"),
        ([{"nik": "1", "colour": "red"}], ("self", None), "rows[0].colour"),
        ([{"nik": 1.5}], ("self", None), "rows[0].nik"),
        (["x"], ("self", None), "rows[0]"),
        ([row(10)], ("sponsor", 999_999), "target"),
        ([row(10)], ("employer", "NOPE"), "target"),
    ],
)
def test_bad_input_writes_nothing(world: Any, rows: Any, target: Any, field: str) -> None:
    before = (Person.objects.count(), Membership.objects.count(), RosterImport.objects.count())
    with pytest.raises(InvalidInput) as caught:
        rows_import(world, rows, target=target)
    assert field in {e.field for e in caught.value.errors}
    assert (Person.objects.count(), Membership.objects.count(), RosterImport.objects.count()) == before


def test_a_role_without_a_rows_permission_is_refused(world: Any) -> None:
    with pytest.raises(Forbidden):
        roster_rows_import(
            actor=world.worker_user,
            scope=scope_for(world.worker_user),
            target=("self", None),
            rows=[row(11)],
            source="test",
        )
    assert not Person.objects.filter(nik=row(11)["nik"]).exists()


def test_dry_run_writes_nothing(world: Any) -> None:
    result = rows_import(world, [row(12)], dry_run=True)
    assert [r.status for r in result.rows] == ["imported"]
    assert result.rows[0].membership_id is None
    assert not Person.objects.filter(nik=row(12)["nik"]).exists()


def test_a_stranger_whose_row_disagrees_is_held_for_the_branch(world: Any) -> None:
    """A registered person outside the uploader's scope (the operator, Bekasi) named with another name:
    held as a self-paid review that the office of the row's region (Malang) sees; approved, the worker
    pays."""
    operator = world.operator
    named = row(13, nik=operator.nik, birth_date=operator.birth_date, sex=operator.sex, full_name="Nama Lain")
    result = rows_import(world, [named])
    assert (result.rows[0].status, result.rows[0].codes) == ("held", ("link_review",))
    assert (result.rows[0].person_id, result.rows[0].membership_id) == (operator.pk, None)
    review = LinkReview.objects.get()
    assert (review.self_paid, review.sponsor_id, review.employer_id) == (True, None, None)
    assert review in link_review_list(user=world.branch_malang)
    assert review not in link_review_list(user=world.branch_bekasi)
    # The registry's own check still applies on approval: the reviewer must see the person (the
    # national office here; the Malang office does not see a Bekasi resident).
    link_review_approve(actor=world.admin, review=review)
    member = Membership.objects.get(person=operator, segment="BPU")
    assert (member.payer_kind, member.sponsor_id) == ("self", None)


def _count_queries(world: Any, n: int, base: int) -> int:
    rows = [row(base + i) for i in range(n)]
    with CaptureQueriesContext(connection) as queries:
        result = rows_import(world, rows)
    assert [r.status for r in result.rows] == ["imported"] * n
    return len(queries.captured_queries)


def test_queries_do_not_grow_with_the_rows(world: Any) -> None:
    assert _count_queries(world, 10, 100) == _count_queries(world, 200, 200)
