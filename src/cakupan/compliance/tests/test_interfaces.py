"""The command line, the API and the pages, and who sees which findings."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils.translation import gettext as _
from rest_framework.test import APIClient

from cakupan.compliance.models import Case, CaseStep, Finding, ReviewItem, WorkforceReport
from cakupan.compliance.selectors import dashboard, finding_current
from cakupan.compliance.services import compliance_match_run, report_import
from cakupan.compliance.tests.conftest import Compliance, report_rows, write_csv


def rows_with_other_regions() -> list[list[Any]]:
    return [
        *report_rows(),
        ["", "NPP00002", "PT Pabrik Contoh", "", "32.16.01", "2026-05", 50, 275_000_000, "besar", "10750"],
        ["", "NPP00001", "RS Contoh Sehat", "", "35.73.01", "2026-05", 20, 90_000_000, "menengah", "86101"],
        ["", "", '=HYPERLINK("x")', "", "32.16", "2026-05", 4, 8_000_000, "mikro", "56101"],
    ]


def matched(cw: Compliance, tmp_path: Path) -> Any:
    report = report_import(
        actor=cw.world.admin, source=write_csv(tmp_path / "r.csv", rows_with_other_regions())
    )
    return compliance_match_run(actor=cw.world.admin, report=report)


def cli(*args: str) -> tuple[int, Any]:
    out = io.StringIO()
    try:
        call_command("compliance", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, json.loads(out.getvalue())


def test_cli_match_json(cw: Compliance, tmp_path: Path) -> None:
    code, out = cli("match", str(write_csv(tmp_path / "r.csv", report_rows())), "--json")
    assert code == 0
    assert out["counts"] == {
        "pwbd": 1,
        "pds_workers": 1,
        "pds_wages": 1,
        "pds_programmes": 1,
        "compliant": 1,
        "review": 1,
    }
    run_gap = sum(Finding.objects.filter(run_id=out["run"]).values_list("gap", flat=True))
    assert out["total_gap"] == run_gap > 143_100_000


def test_cli_import_xlsx_and_bad_input(cw: Compliance, tmp_path: Path) -> None:
    header = [
        "NIB",
        "NPP",
        "Nama Perusahaan",
        "Alamat",
        "Kode Wilayah",
        "Periode",
        "Jumlah Pekerja",
        "Total Upah",
        "Skala Usaha",
        "KBLI",
    ]
    frame = pl.DataFrame([[str(v) for v in row] for row in report_rows()], schema=header, orient="row")
    xlsx = tmp_path / "wlkp.xlsx"
    frame.write_excel(xlsx)
    code, out = cli("import", str(xlsx), "--json")
    assert code == 0
    assert out["employers"] == 6
    bad = report_rows()
    bad[0][6] = "-3"
    code, out = cli("import", str(write_csv(tmp_path / "bad.csv", bad)), "--json")
    assert code == 2
    # The command speaks the product's default language (Bahasa Indonesia) like every other interface.
    message = "Baris 2, kolom “Jumlah Pekerja”: " + str(_("A whole number of workers."))
    assert out == {"errors": [{"field": "Jumlah Pekerja", "message": message}]}
    code, out = cli("import", str(tmp_path / "missing.csv"))
    assert code == 2
    assert out["errors"][0]["field"] == "path"
    code, out = cli("remind", "--date", "kemarin")
    assert code == 2
    assert out["errors"][0]["field"] == "date"
    assert WorkforceReport.objects.count() == 1


def test_api_import_findings_case_and_step(cw: Compliance, tmp_path: Path) -> None:
    api = APIClient()
    api.force_authenticate(cw.batang_user)
    content = write_csv(tmp_path / "r.csv", report_rows()).read_bytes()
    answer = api.post(
        "/api/v1/compliance/reports/", {"file": SimpleUploadedFile("r.csv", content)}, format="multipart"
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["counts"]["pds_workers"] == 1
    bad = api.post(
        "/api/v1/compliance/reports/", {"file": SimpleUploadedFile("r.txt", b"x")}, format="multipart"
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "file"
    listed = api.get("/api/v1/compliance/findings/?class=pds_workers").json()
    assert [f["missing_workers"] for f in listed["results"]] == [500]
    case = api.post("/api/v1/compliance/cases/", {"findings": [listed["results"][0]["id"]]}, format="json")
    assert case.status_code == 201
    step = api.post(
        f"/api/v1/compliance/cases/{case.json()['id']}/steps/", {"kind": "warning_2"}, format="json"
    )
    assert step.status_code == 400
    step = api.post(
        f"/api/v1/compliance/cases/{case.json()['id']}/steps/", {"kind": "warning_1"}, format="json"
    )
    assert step.status_code == 201
    assert step.json()["deadline"]


def test_scope_of_findings(cw: Compliance, tmp_path: Path) -> None:
    matched(cw, tmp_path)
    w = cw.world

    def names(user: Any) -> set[str]:
        return set(finding_current(user=user).values_list("reported__name", flat=True))

    assert names(w.agency_labour_bekasi) == {"PT Pabrik Contoh", '=HYPERLINK("x")'}  # its regency only
    assert names(w.hr_factory) == {"PT Pabrik Contoh"}
    assert names(w.hr_hospital) == {"RS Contoh Sehat"}  # never another employer's
    assert names(w.branch_malang) == {"RS Contoh Sehat"}
    assert "PT. Batang Jaya Tekstil Tbk" in names(cw.batang_user)
    assert "RS Contoh Sehat" not in names(cw.batang_user)
    assert len(names(w.admin)) == 9
    assert names(w.sponsor_user) == set()
    assert names(w.worker_user) == set()
    assert dashboard(user=w.hr_factory)["potential"] == Finding.objects.get(employer=w.factory).gap


def test_pages(cw: Compliance, tmp_path: Path) -> None:
    run = matched(cw, tmp_path)
    staff = Client()
    staff.force_login(cw.batang_user)
    page = staff.get("/compliance/")
    assert page.status_code == 200
    assert "PT. Batang Jaya Tekstil Tbk" in page.content.decode()
    bad = staff.post("/compliance/import/", {"file": SimpleUploadedFile("r.csv", b"Nama\nx\n")})
    assert bad.status_code == 400
    good = staff.post(
        "/compliance/import/", {"file": SimpleUploadedFile("r.csv", (tmp_path / "r.csv").read_bytes())}
    )
    assert good.status_code == 302
    item = ReviewItem.objects.filter(reported__report=run.report).get()
    assert "Sinar Abadi" in staff.get("/compliance/review/").content.decode()
    staff.post(f"/compliance/review/{item.pk}/", {"decision": "reject"})
    item.refresh_from_db()
    assert item.status == "rejected"
    textile = Finding.objects.get(run=run, employer=cw.textile)
    opened = staff.post("/compliance/cases/open/", {"findings": [textile.pk]})
    case = Case.objects.get()
    assert opened["Location"] == f"/compliance/cases/{case.pk}/"
    assert staff.post(opened["Location"], {"kind": "warning_1"}).status_code == 302
    step = CaseStep.objects.get()
    letter = staff.get(f"/compliance/steps/{step.pk}/letter.pdf")
    assert letter.status_code == 200
    assert letter.content.startswith(b"%PDF")
    # Another employer's HR cannot open the case or its letter; an employer cannot enforce.
    hr = Client()
    hr.force_login(cw.world.hr_factory)
    assert hr.get(opened["Location"]).status_code == 404
    assert hr.get(f"/compliance/steps/{step.pk}/letter.pdf").status_code == 404
    assert hr.get("/compliance/review/").status_code == 403
    export = staff.get("/compliance/export.xlsx")
    assert export.status_code == 200
    sheet = pl.read_excel(io.BytesIO(export.content))
    assert '\'=HYPERLINK("x")' not in sheet["Nama"].to_list()  # Batang staff: not in their scope
    admin = Client()
    admin.force_login(cw.world.admin)
    names = pl.read_excel(io.BytesIO(admin.get("/compliance/export.xlsx").content))["Nama"].to_list()
    assert '\'=HYPERLINK("x")' in names
    assert '=HYPERLINK("x")' not in names


@pytest.mark.parametrize("role_user", ["sponsor_user", "worker_user"])
def test_roles_without_compliance_pages(cw: Compliance, role_user: str) -> None:
    client = Client()
    client.force_login(getattr(cw.world, role_user))
    assert client.get("/compliance/").status_code == 403
