"""A person outside the uploader's scope is linked but keeps their registry data; the report file exists
only for an import that committed."""

from __future__ import annotations

import importlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from cakupan.enrolment.models import RosterImport
from cakupan.enrolment.services import roster_import
from cakupan.enrolment.tests.conftest import GOOD_ROWS, HEADER, report_rows, write_csv
from cakupan.registry.models import Employment, Membership, Person

# The pipeline every roster import runs (a file's or rows given in code) writes the audit event.
pipeline_module = importlib.import_module("cakupan.enrolment.services.pipeline")


def _row(person: Person, *, phone: str, region: str) -> list[str]:
    return [
        person.nik,
        person.full_name,
        f"{person.birth_date:%d/%m/%Y}",
        person.sex,
        region,
        phone,
        "4000000",
        "",
    ]


def test_person_outside_scope_is_linked_but_not_changed(world: Any, tmp_path: Path) -> None:
    operator = world.operator  # the factory's worker in Kabupaten Bekasi: not the hospital's
    before = (operator.phone, operator.address_region_id, operator.updated_at)
    path = write_csv(tmp_path / "r.csv", [_row(operator, phone="0811000111", region="35.73.01")])
    record = roster_import(actor=world.hr_hospital, path_or_file=path, as_=("employer", "NPP00001"))
    assert record.counts() == {"rows": 1, "imported": 1, "updated": 0, "unchanged": 0, "rejected": 0}
    operator.refresh_from_db()
    assert (operator.phone, operator.address_region_id, operator.updated_at) == before
    assert Employment.objects.filter(person=operator, employer=world.hospital, end_date=None).exists()
    assert Membership.objects.filter(person=operator, employer=world.hospital, status="active").exists()
    (row,) = report_rows(record)
    # The same word and no note as for a new person: the report does not tell the NIK was registered.
    assert (row["Kode / Code"], row["Status"], row["Reason"]) == ("", "imported", "")
    # Now the hospital employs them: in scope, and the same file updates the phone.
    again = roster_import(actor=world.hr_hospital, path_or_file=path, as_=("employer", "NPP00001"))
    assert again.updated == 1
    operator.refresh_from_db()
    assert (operator.phone, operator.address_region_id) == ("0811000111", "35.73.01")


def test_conflict_with_a_person_outside_scope_does_not_reveal_the_registry(
    world: Any, tmp_path: Path
) -> None:
    operator = world.operator  # born 20-07-1985, male; not the hospital's
    row = _row(operator, phone="", region="35.73.01")
    row[2] = "21/07/1985"
    path = write_csv(tmp_path / "r.csv", [row])
    record = roster_import(actor=world.hr_hospital, path_or_file=path, as_=("employer", "NPP00001"))
    assert (record.rejected, record.held) == (0, 1)
    (line,) = report_rows(record)
    assert (line["Status"], line["Kode / Code"].split()[-1]) == ("held", "link_review")
    assert "20/07/1985" not in json.dumps(line)
    assert not Employment.objects.filter(person=operator, employer=world.hospital).exists()
    # The national admin may see the person, so the report names the registered date.
    seen = roster_import(actor=world.admin, path_or_file=path, as_=("employer", "NPP00001"))
    assert "20/07/1985" in report_rows(seen)[0]["Reason"]


def test_national_admin_may_change_anyone(world: Any, tmp_path: Path) -> None:
    operator = world.operator
    path = write_csv(tmp_path / "r.csv", [_row(operator, phone="0811000222", region="32.16.01")])
    record = roster_import(actor=world.admin, path_or_file=path, as_=("employer", "NPP00001"))
    assert record.imported == 1
    operator.refresh_from_db()
    assert operator.phone == "0811000222"
    assert "person_kept" not in report_rows(record)[0]["Kode / Code"]


def test_rolled_back_import_leaves_no_report(world: Any, tmp_path: Path, monkeypatch: Any) -> None:
    def boom(**kwargs: Any) -> None:
        raise RuntimeError("the audit write failed after the report was written")

    monkeypatch.setattr(pipeline_module, "audit_record", boom)
    path = write_csv(tmp_path / "r.csv", GOOD_ROWS, header=HEADER)
    with pytest.raises(RuntimeError):
        roster_import(actor=world.hr_hospital, path_or_file=path, as_=("employer", "NPP00001"))
    reports = Path(settings.VAR_DIR) / "private" / "reports"
    assert not [p for p in reports.rglob("*") if p.is_file()] if reports.exists() else True
    assert not RosterImport.objects.exists()
    assert not Person.objects.filter(nik=GOOD_ROWS[0][0]).exists()
    monkeypatch.undo()
    record = roster_import(actor=world.hr_hospital, path_or_file=path, as_=("employer", "NPP00001"))
    files = sorted(p.name for p in reports.iterdir())
    assert files == [f"{record.report_name}.csv", f"{record.report_name}.xlsx"]


def test_big_upload_runs_as_a_job_with_progress(
    world: Any, tmp_path: Path, client: Any, monkeypatch: Any
) -> None:
    from django.core.management import call_command

    from cakupan.enrolment.services import background
    from cakupan.jobs.models import Job

    monkeypatch.setattr(background, "BIG_FILE_ROWS", 2)  # three rows count as big here
    client.force_login(world.hr_hospital)
    path = write_csv(tmp_path / "r.csv", GOOD_ROWS)
    with path.open("rb") as handle:
        answer = client.post("/rosters/", {"file": handle, "as_": "employer:NPP00001"})
    assert answer.status_code == 302
    job = Job.objects.get(kind="roster_import")
    assert answer["Location"] == f"/rosters/jobs/{job.pk}/"
    assert job.status == "queued"
    assert not RosterImport.objects.exists()
    page = client.get(answer["Location"])
    assert b'hx-trigger="every 1s"' in page.content
    call_command("jobs", "run", str(job.pk), stdout=io.StringIO())  # what a worker's child runs
    job.refresh_from_db()
    assert job.status == "done", job.error
    record = RosterImport.objects.get()
    assert job.result == {"roster_import": record.pk, **record.counts(), "warnings": 1}
    assert record.imported == 3
    assert (job.progress_done, job.progress_total) == (3, 3)
    assert "validated 3 rows" in job.log
    assert not Path(job.parameters["path"]).exists()
    done = client.get(f"/rosters/jobs/{job.pk}/progress")
    assert b"every 1s" not in done.content  # polling stops
    assert b'data-count="imported">3<' in done.content
    assert f"/rosters/{record.pk}/report.xlsx".encode() in done.content
    client.force_login(world.hr_factory)
    assert client.get(f"/rosters/jobs/{job.pk}/progress").status_code == 404


def test_cli_reports_progress_on_stderr(world: Any, tmp_path: Path) -> None:
    from django.core.management import call_command

    path = write_csv(tmp_path / "r.csv", GOOD_ROWS)
    out, err = io.StringIO(), io.StringIO()
    call_command("roster", "import", str(path), "--as", "employer:NPP00001", "--json", stdout=out, stderr=err)
    assert "validated: 3/3 rows" in err.getvalue()
    assert "merged: 3/3 rows" in err.getvalue()
    assert json.loads(out.getvalue())["imported"] == 3


def test_job_with_a_bad_file_reports_the_errors(world: Any, tmp_path: Path, client: Any) -> None:
    from cakupan.enrolment.services.background import JOB_KIND
    from cakupan.jobs.services import job_create, job_run

    path = write_csv(tmp_path / "r.csv", [["x"]], header=["Nama"])  # no NIK column
    job = job_create(
        kind=JOB_KIND,
        parameters={"path": str(path), "file_name": "r.csv", "as": "employer:NPP00001"},
        actor=world.hr_hospital,
    )
    job = job_run(job_id=job.pk)
    assert job.status == "done"
    result = job.result or {}
    assert {e["field"] for e in result["errors"]} == {"columns"}
    assert path.exists()  # kept: the user may fix the mapping and rerun
    client.force_login(world.hr_hospital)
    page = client.get(f"/rosters/jobs/{job.pk}/progress")
    assert "Gaji Pokok" in page.content.decode()  # the accepted headers for the missing wage column
    assert not RosterImport.objects.exists()


def test_branch_staff_see_every_roster_of_their_office(world: Any, tmp_path: Path) -> None:
    from conftest import make_user

    from cakupan.accounts.models import Role
    from cakupan.enrolment.selectors import roster_import_list

    path = write_csv(tmp_path / "r.csv", GOOD_ROWS)
    hospital = roster_import(actor=world.hr_hospital, path_or_file=path, as_=("employer", "NPP00001"))
    factory = roster_import(actor=world.hr_factory, path_or_file=path, as_=("employer", "NPP00002"))
    own = roster_import(actor=world.branch_malang, path_or_file=path, as_=("employer", "NPP00001"))
    colleague = make_user("staf_malang_2", Role.BRANCH_STAFF, branch_office=world.malang)
    # The hospital's roster (Kota Malang) and a colleague's upload: the office's; the factory's (Bekasi): not.
    assert set(roster_import_list(user=colleague)) == {hospital, own}
    assert set(roster_import_list(user=world.branch_bekasi)) == {factory}
    assert set(roster_import_list(user=world.hr_hospital)) == {hospital}  # others: their own uploads
    assert set(roster_import_list(user=world.admin)) == {hospital, factory, own}
