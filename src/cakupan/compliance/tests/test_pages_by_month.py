"""The dashboard's figures per report month (a two-month report is two monthly figures, never their sum),
a finding's page with the workers behind it, and import errors named as the user sees the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cakupan.compliance.models import Finding
from cakupan.compliance.selectors import dashboard
from cakupan.compliance.services import compliance_match_run, report_import
from cakupan.compliance.tests.conftest import Compliance, niks, report_rows, write_csv


def two_months(cw: Compliance, tmp_path: Path) -> Any:
    april = [[*r[:5], "2026-04", *r[6:]] for r in report_rows()]
    unknown = niks(2)
    workers = write_csv(
        tmp_path / "w.csv",
        [
            ["1234567890123", unknown[0], "Ani", 3_000_000],
            ["1234567890123", unknown[1], "Budi", 3_200_000],
            ["1234567890123", cw.textile_niks[0], "Citra", 9_000_000],  # registered at 3,000,000
        ],
        header=["NIB", "NIK", "Nama", "Upah"],
    )
    report = report_import(
        actor=cw.world.admin,
        source=write_csv(tmp_path / "r.csv", [*april, *report_rows()]),
        workers=workers,
    )
    return compliance_match_run(actor=cw.world.admin, report=report), unknown


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_potential_is_per_month(cw: Compliance, tmp_path: Path) -> None:
    run, _unknown = two_months(cw, tmp_path)
    findings = Finding.objects.filter(run=run).exclude(klass="compliant")
    may = sum(f.gap for f in findings if f.reported.period == "2026-05")
    both = sum(f.gap for f in findings)
    assert may
    assert both > may
    data = dashboard(user=cw.world.admin)
    assert data["period"] == "2026-05"
    assert data["potential"] == may
    assert [r["period"] for r in data["by_period"]] == ["2026-05", "2026-04"]
    assert dashboard(user=cw.world.admin, period="2026-04")["potential"] == both - may
    page = login(cw.batang_user).get("/compliance/", {"period": "2026-04"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="by-period"' in html
    assert '<option value="2026-04" selected>' in html
    assert login(cw.batang_user).get("/compliance/", {"period": "April"}).status_code == 400


def test_finding_page_lists_its_workers_in_scope(cw: Compliance, tmp_path: Path) -> None:
    run, unknown = two_months(cw, tmp_path)
    textile = Finding.objects.get(run=run, employer=cw.textile, reported__period="2026-05")
    url = f"/compliance/findings/{textile.pk}/"
    page = login(cw.batang_user).get(url)
    html = page.content.decode()
    assert page.status_code == 200
    missing = html.split('id="missing"')[1].split("</table>")[0]
    assert all(n in missing for n in unknown)
    assert "Ani" in missing
    underwaged = html.split('id="underwaged"')[1].split("</table>")[0]
    assert cw.textile_niks[0] in underwaged
    assert "9.000.000" in underwaged or "9,000,000" in underwaged  # reported
    assert "3.000.000" in underwaged or "3,000,000" in underwaged  # registered
    # Outside the finding's scope it does not exist.
    assert login(cw.world.branch_malang).get(url).status_code == 404
    assert login(cw.world.hr_factory).get(url).status_code == 404
    assert login(cw.world.sponsor_user).get(url).status_code == 403
    # The dashboard and the case link to it.
    assert url in login(cw.batang_user).get("/compliance/").content.decode()


def test_import_errors_name_the_row_and_column(cw: Compliance, tmp_path: Path) -> None:
    rows = report_rows()
    rows[2][5] = "Mei 2026"
    body = write_csv(tmp_path / "bad.csv", rows).read_bytes()
    page = login(cw.batang_user).post("/compliance/import/", {"file": SimpleUploadedFile("r.csv", body)})
    html = page.content.decode()
    assert page.status_code == 400
    assert "Baris 4, kolom “Periode”" in html
    assert "rows[" not in html
