"""Linking a registered person through a roster (issue 12, Deliver 2): a row naming someone outside the
uploader's scope links them only when name, birth date and sex agree with the registry; otherwise the row
is held for the branch office, which approves or rejects it. Both merge paths (on PostgreSQL), and the
report never tells whether a NIK is registered beyond what a new person's row says."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from cakupan.core.errors import Forbidden, InvalidInput, NotInScope
from cakupan.core.models import AuditEvent
from cakupan.enrolment.models import LinkReview
from cakupan.enrolment.selectors import link_review_list
from cakupan.enrolment.services import roster_import
from cakupan.enrolment.services.reviews import link_review_approve, link_review_reject
from cakupan.enrolment.tests.conftest import nik, report_rows, write_csv
from cakupan.registry.models import Employment, Membership, Person

pytestmark = pytest.mark.django_db
PATHS = ["portable", "auto"] if connection.vendor == "postgresql" else ["portable"]


@pytest.fixture(params=PATHS)
def merge_path(request: Any, settings: Any) -> str:
    settings.ROSTER_MERGE = request.param
    return str(request.param)


def _row(person: Person, *, name: str | None = None, born: dt.date | None = None) -> list[str]:
    born = born or person.birth_date
    return [
        person.nik,
        name or person.full_name,
        f"{born:%d/%m/%Y}",
        person.sex,
        "35.73.01",
        "",
        "4000000",
        "",
    ]


NEW = [nik(dt.date(1994, 2, 3), "L", 51), "Orang Baru", "03/02/1994", "L", "35.73.01", "", "4000000", ""]


def _import(world: Any, tmp_path: Path, rows: list[list[str]], *, dry_run: bool = False) -> Any:
    path = write_csv(tmp_path / "r.csv", rows)
    return roster_import(
        actor=world.hr_hospital, path_or_file=path, as_=("employer", "NPP00001"), dry_run=dry_run
    )


def test_agreeing_row_links_and_disagreeing_row_is_held(world: Any, tmp_path: Path, merge_path: str) -> None:
    operator, driver = world.operator, world.driver  # neither is the hospital's
    rows = [
        _row(operator, name="  OPERATOR   contoh. "),  # case, spaces and punctuation do not matter
        _row(driver, name="Orang Lain"),  # someone else's name on the driver's NIK
        list(NEW),
    ]
    record = _import(world, tmp_path, rows)
    assert [r["Status"] for r in report_rows(record)] == ["imported", "held", "imported"]
    assert (record.imported, record.held, record.rejected) == (2, 1, 0)
    assert Employment.objects.filter(person=operator, employer=world.hospital).exists()
    assert not Employment.objects.filter(person=driver, employer=world.hospital).exists()
    assert not Membership.objects.filter(person=driver, employer=world.hospital).exists()
    (review,) = LinkReview.objects.all()
    assert (review.person, review.employer, review.row_number) == (driver, world.hospital, 3)
    assert (review.full_name, review.birth_date, review.sex) == ("Orang Lain", driver.birth_date, "L")
    assert (review.basic_wage, review.programs, review.status) == (4_000_000, "JKK,JKM,JHT,JP", "pending")
    driver.refresh_from_db()
    assert driver.full_name == "Pengemudi Contoh"  # the registry is not rewritten by the row
    # The same file again: the row is held again but queued once.
    again = _import(world, tmp_path, rows)
    assert again.held == 1
    assert LinkReview.objects.filter(status="pending").count() == 1


@pytest.mark.parametrize(
    "change", [{"born": dt.date(1995, 11, 13)}, {"name": "Pengemudi Lain"}], ids=["birth_date", "name"]
)
def test_either_disagreement_holds(world: Any, tmp_path: Path, merge_path: str, change: Any) -> None:
    record = _import(world, tmp_path, [_row(world.driver, **change)])
    assert record.held == 1


def test_a_dry_run_answers_alike_for_registered_and_unregistered_niks(
    world: Any, tmp_path: Path, merge_path: str
) -> None:
    """Held, linked and new rows all read "imported" in a dry run; nothing is queued or written."""
    before = (Person.objects.count(), Employment.objects.count(), Membership.objects.count())
    rows = [_row(world.driver, name="Orang Lain"), _row(world.operator), list(NEW)]
    record = _import(world, tmp_path, rows, dry_run=True)
    lines = report_rows(record)
    assert {(r["Status"], r["Kode / Code"], r["Reason"]) for r in lines} == {("imported", "", "")}
    assert (record.imported, record.held) == (3, 0)
    assert not LinkReview.objects.exists()
    assert (Person.objects.count(), Employment.objects.count(), Membership.objects.count()) == before
    # A row without an address takes the employer's regency whether its NIK is registered or not: only
    # the NIK's own regency decides the warning (payer.py).
    no_address = [[*r[:4], "", *r[5:]] for r in rows]
    lines = report_rows(_import(world, tmp_path, no_address, dry_run=True))
    regency = world.hospital.region_id[:5]
    expected = {
        r[0]: ("imported", "") if f"{r[0][:2]}.{r[0][2:4]}" == regency else ("warning", "region_from_payer")
        for r in rows
    }
    assert {r["NIK"]: (r["Status"], r["Kode / Code"]) for r in lines} == expected


def _held(world: Any, tmp_path: Path) -> LinkReview:
    _import(world, tmp_path, [_row(world.driver, name="Orang Lain")])
    return LinkReview.objects.get()


def test_branch_approves_and_the_person_is_linked(world: Any, tmp_path: Path) -> None:
    review = _held(world, tmp_path)
    assert list(link_review_list(user=world.branch_malang)) == [review]
    assert not link_review_list(user=world.branch_bekasi).exists()  # the hospital is not Bekasi's
    with pytest.raises(NotInScope):
        link_review_approve(actor=world.branch_bekasi, review=review)
    with pytest.raises(Forbidden):
        link_review_approve(actor=world.hr_hospital, review=review)
    done = link_review_approve(actor=world.branch_malang, review=review)
    assert (done.status, done.decided_by, done.decided_at is not None) == (
        "approved",
        world.branch_malang,
        True,
    )
    job = Employment.objects.get(person=world.driver, employer=world.hospital)
    assert (job.basic_wage, job.start_date) == (4_000_000, review.start_date)
    member = Membership.objects.get(person=world.driver, employer=world.hospital)
    assert (member.segment, member.employment, member.jp) == ("PU", job, True)
    assert AuditEvent.objects.filter(action="approve", entity="enrolment.linkreview").count() == 1
    with pytest.raises(InvalidInput):
        link_review_reject(actor=world.branch_malang, review=review)


def test_branch_rejects_and_nothing_is_linked(world: Any, tmp_path: Path) -> None:
    review = link_review_reject(actor=world.admin, review=_held(world, tmp_path))
    assert review.status == "rejected"
    assert not Employment.objects.filter(person=world.driver, employer=world.hospital).exists()
    assert AuditEvent.objects.filter(action="reject", entity="enrolment.linkreview").count() == 1


def test_sponsor_roster_row_held_and_approved_as_bpu(world: Any, tmp_path: Path, merge_path: str) -> None:
    operator = world.operator  # not the sponsor's
    header = ["NIK", "Nama", "Tanggal Lahir", "JK", "Kode Wilayah", "No HP", "Penghasilan", "Sektor"]
    row = [
        operator.nik,
        "Bukan Operator",
        f"{operator.birth_date:%d/%m/%Y}",
        "L",
        "35.73.01",
        "",
        "1500000",
        "",
    ]
    path = write_csv(tmp_path / "s.csv", [row], header=header)
    record = roster_import(actor=world.sponsor_user, path_or_file=path, as_=("sponsor", world.sponsor.pk))
    assert record.held == 1
    review = LinkReview.objects.get()
    assert (review.sponsor, review.employer, review.declared_income) == (world.sponsor, None, 1_500_000)
    link_review_approve(actor=world.admin, review=review)
    member = Membership.objects.get(person=operator, sponsor=world.sponsor)
    assert (member.segment, member.declared_income, member.payer_kind) == ("BPU", 1_500_000, "sponsor")


def test_queue_through_api_and_pages(world: Any, tmp_path: Path) -> None:
    review = _held(world, tmp_path)
    api = APIClient()
    api.force_authenticate(world.branch_malang)
    listed = api.get("/api/v1/link-reviews/").json()["results"]
    assert [(r["id"], r["full_name"], r["registered_name"]) for r in listed] == [
        (review.pk, "Orang Lain", "Pengemudi Contoh")
    ]
    hr = APIClient()
    hr.force_authenticate(world.hr_hospital)
    assert hr.get("/api/v1/link-reviews/").status_code == 403
    assert hr.post(f"/api/v1/link-reviews/{review.pk}/approve/").status_code == 403
    bekasi = APIClient()
    bekasi.force_authenticate(world.branch_bekasi)
    assert bekasi.post(f"/api/v1/link-reviews/{review.pk}/approve/").status_code == 404

    page = Client()
    page.force_login(world.branch_malang)
    assert "Orang Lain" in page.get("/rosters/reviews/").text
    assert "Pengemudi Contoh" in page.get(f"/rosters/reviews/{review.pk}/").text
    sponsor = Client()
    sponsor.force_login(world.sponsor_user)
    assert sponsor.get("/rosters/reviews/").status_code == 403
    response = page.post(f"/rosters/reviews/{review.pk}/approve")
    assert response.status_code == 302
    assert page.post(f"/rosters/reviews/{review.pk}/reject").status_code == 400  # decided already
    answer = api.post(f"/api/v1/link-reviews/{review.pk}/reject/")
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "status"
