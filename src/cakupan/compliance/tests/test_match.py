"""Matching a workforce report: every class, the gap from the rules core, worker lists, the review queue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from cakupan.compliance.models import Finding, FindingClass, ReportedEmployer, ReviewItem, WorkforceReport
from cakupan.compliance.services import compliance_match_run, name_key, report_import, review_decide
from cakupan.compliance.services.findings import Scope, ident_exact, work_tables
from cakupan.compliance.tests.conftest import Compliance, add_members, niks, report_rows, write_csv
from cakupan.core.errors import Forbidden, InvalidInput
from cakupan.registry.models import Employment
from cakupan.rules.contributions import contribution_assess


def per_worker(wage: int, risk: int, programmes: list[str], period: str = "2026-05") -> int:
    answer = contribution_assess(
        {"segment": "PU", "period": period, "programs": programmes, "monthly_wage": wage, "risk_class": risk}
    )
    return int(answer["totals"]["total"])


def run(
    cw: Compliance, tmp_path: Path, rows: list[list[Any]] | None = None, workers: Path | None = None
) -> Any:
    report = report_import(
        actor=cw.world.admin, source=write_csv(tmp_path / "wlkp.csv", rows or report_rows()), workers=workers
    )
    return compliance_match_run(actor=cw.world.admin, report=report)


def by_name(match: Any) -> dict[str, Finding]:
    return {f.reported.name: f for f in Finding.objects.filter(run=match).select_related("reported")}


def test_name_key_strips_legal_forms_and_punctuation() -> None:
    assert name_key("PT. Batang-Jaya Tekstil, Tbk") == "batang jaya tekstil"
    assert name_key("CV  SUMBER rejeki") == "sumber rejeki"


def test_every_class_and_its_gap(cw: Compliance, tmp_path: Path) -> None:
    match = run(cw, tmp_path)
    found = by_name(match)
    textile = found["PT. Batang Jaya Tekstil Tbk"]
    assert (textile.klass, textile.method, textile.employer_id) == (
        FindingClass.PDS_WORKERS,
        "nib",
        cw.textile.pk,
    )
    assert (textile.registered_workers, textile.missing_workers) == (1000, 500)
    full = ["JKK", "JKM", "JHT", "JP"]
    assert textile.gap == 500 * per_worker(3_000_000, 2, full)
    # Cross-check by hand: 0.54 % + 0.30 % + 5.7 % + 3 % of Rp3,000,000 = Rp286,200 a worker.
    assert textile.gap == 500 * 286_200

    wages = found["CV Kayu Lestari"]
    assert wages.klass == FindingClass.PDS_WAGES
    assert wages.registered_wages == 25_000_000
    assert wages.gap == 10 * (per_worker(4_000_000, 3, full) - per_worker(2_500_000, 3, full))

    short = found["UD Roti Manis"]
    assert short.klass == FindingClass.PDS_PROGRAMMES
    assert short.missing_programmes == ["JHT"]  # small business: JKK + JKM + JHT (Perpres 109/2013)
    assert short.gap == 5 * per_worker(2_000_000, 1, ["JHT"])

    assert found["PT Logam Prima"].klass == FindingClass.COMPLIANT
    assert found["PT Logam Prima"].gap == 0

    pwbd = found["CV Sumber Rejeki"]
    assert (pwbd.klass, pwbd.employer_id) == (FindingClass.PWBD, None)
    assert pwbd.gap == 40 * per_worker(2_500_000, 1, full)

    assert found["Sinar Abadi"].klass == FindingClass.REVIEW
    assert match.counts == {
        "pwbd": 1,
        "pds_workers": 1,
        "pds_wages": 1,
        "pds_programmes": 1,
        "compliant": 1,
        "review": 1,
    }
    assert match.total_gap == sum(f.gap for f in found.values())


def test_match_reads_the_registry_in_bulk(cw: Compliance, tmp_path: Path) -> None:
    """The number of queries does not grow with the number of reported employers."""
    report = report_import(actor=cw.world.admin, source=write_csv(tmp_path / "a.csv", report_rows()))
    with CaptureQueriesContext(connection) as small:
        compliance_match_run(actor=cw.world.admin, report=report)
    rows = report_rows() + [
        ["", "", f"PT Baru Nomor {i}", "", "33.25", "2026-05", 5, 15_000_000, "kecil", "10750"]
        for i in range(40)
    ]
    bigger = report_import(actor=cw.world.admin, source=write_csv(tmp_path / "b.csv", rows))
    with CaptureQueriesContext(connection) as large:
        compliance_match_run(actor=cw.world.admin, report=bigger)
    assert len(large) <= len(small) + 2


def test_worker_list_names_missing_and_underwaged_niks(cw: Compliance, tmp_path: Path) -> None:
    unknown = niks(3)
    listed = [*cw.textile_niks[:2], *unknown]
    path = write_csv(
        tmp_path / "pekerja.csv",
        [["1234567890123", listed[0], "A", 3_000_000], ["1234567890123", listed[1], "B", 3_500_000]]
        + [["1234567890123", n, "C", 3_000_000] for n in unknown],
        header=["NIB", "NIK", "Nama", "Upah"],
    )
    textile = by_name(run(cw, tmp_path, workers=path))["PT. Batang Jaya Tekstil Tbk"]
    assert textile.missing_niks == sorted(unknown)
    assert textile.underwaged_niks == [listed[1]]


def test_review_confirm_reclassifies_and_is_remembered(cw: Compliance, tmp_path: Path) -> None:
    add_members(cw.near, [3_000_000] * 8, programmes=("JKK", "JKM", "JHT"))
    match = run(cw, tmp_path)
    item = ReviewItem.objects.get(reported__report=match.report, status="pending")
    assert item.candidate_id == cw.near.pk
    assert 0.75 <= item.score < 0.93
    finding = review_decide(actor=cw.batang_user, item=item, confirm=True)
    assert finding is not None
    assert (finding.klass, finding.employer_id, finding.method) == (
        FindingClass.COMPLIANT,
        cw.near.pk,
        "review",
    )
    with pytest.raises(InvalidInput):
        review_decide(actor=cw.batang_user, item=item, confirm=False)
    # The next report of the same employer is matched by the decision, without asking again.
    again = by_name(run(cw, tmp_path))["Sinar Abadi"]
    assert (again.klass, again.method) == (FindingClass.COMPLIANT, "review")
    assert ReviewItem.objects.filter(status="pending").count() == 0


def test_review_reject_makes_it_unregistered(cw: Compliance, tmp_path: Path) -> None:
    match = run(cw, tmp_path)
    item = ReviewItem.objects.get(reported__report=match.report)
    finding = review_decide(actor=cw.world.admin, item=item, confirm=False)
    assert finding is not None
    assert finding.klass == FindingClass.PWBD
    assert finding.gap == 8 * per_worker(3_000_000, 1, ["JKK", "JKM", "JHT"])
    match.refresh_from_db()
    assert match.counts["review"] == 0
    assert match.counts["pwbd"] == 2


def test_agency_may_import_but_employer_may_not(cw: Compliance, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", report_rows())
    with pytest.raises(Forbidden):
        report_import(actor=cw.world.hr_factory, source=path)
    assert report_import(actor=cw.world.agency_labour_bekasi, source=path).employers == 6


def test_bad_file_writes_nothing_and_names_fields(cw: Compliance, tmp_path: Path) -> None:
    rows = report_rows()
    rows[0][0] = "123"  # NIB too short
    rows[1][4] = "99.99"  # unknown region
    rows[2][5] = "2026/05"
    rows[3][6] = "banyak"
    rows[4][8] = "raksasa"
    with pytest.raises(InvalidInput) as caught:
        report_import(actor=cw.world.admin, source=write_csv(tmp_path / "bad.csv", rows))
    # Named as the user sees the file: its own column headers and the spreadsheet's row numbers.
    found = {(e.field, str(e.message).split(":")[0]) for e in caught.value.errors}
    assert found == {
        ("NIB", "Baris 2, kolom “NIB”"),
        ("Kode Wilayah", "Baris 3, kolom “Kode Wilayah”"),
        ("Periode", "Baris 4, kolom “Periode”"),
        ("Jumlah Pekerja", "Baris 5, kolom “Jumlah Pekerja”"),
        ("Skala Usaha", "Baris 6, kolom “Skala Usaha”"),
    }
    assert not any("rows[" in str(e.message) or "rows[" in e.field for e in caught.value.errors)
    assert not WorkforceReport.objects.exists()
    assert not ReportedEmployer.objects.exists()


def test_bad_worker_list_writes_nothing(cw: Compliance, tmp_path: Path) -> None:
    workers = write_csv(
        tmp_path / "w.csv",
        [["1234567890123", "12345", "A", "x"], ["5555555555555", niks(1)[0], "B", 1]],
        header=["NIB", "NIK", "Nama", "Upah"],
    )
    with pytest.raises(InvalidInput) as caught:
        report_import(
            actor=cw.world.admin, source=write_csv(tmp_path / "r.csv", report_rows()), workers=workers
        )
    assert [(e.field, str(e.message).split(":")[0]) for e in caught.value.errors] == [
        ("NIK", "Daftar pekerja, baris 2, kolom “NIK”"),
        ("Upah", "Daftar pekerja, baris 2, kolom “Upah”"),
        ("NIB", "Daftar pekerja, baris 3, kolom “NIB”"),
    ]
    assert not WorkforceReport.objects.exists()


def test_npp_wins_over_nib_and_niks_are_listed_in_order(cw: Compliance, tmp_path: Path) -> None:
    """A row whose NPP and NIB name two employers is the NPP's; NIK lists are sorted whatever the order of
    the file, and a member without an open employment is listed as not registered."""
    rows = report_rows()
    rows[0][:2] = ["", "NPP33001"]
    rows[1][0] = "1234567890123"  # Kayu Lestari's NPP with the textile company's NIB
    registered = sorted(niks(4), reverse=True)
    add_members(cw.good, [1_000_000] * 4, nik_list=registered)
    Employment.objects.filter(employer=cw.good, person__nik=registered[0]).update(end_date="2026-01-31")
    path = write_csv(
        tmp_path / "pekerja.csv",
        [[n, "NPP33004", "A", 6_000_000] for n in registered],
        header=["NIK", "NPP", "Nama", "Upah"],
    )
    found = by_name(run(cw, tmp_path, rows=rows, workers=path))
    assert found["CV Kayu Lestari"].employer_id == cw.underpaid.pk
    assert found["CV Kayu Lestari"].method == "npp"
    good = found["PT Logam Prima"]
    assert good.missing_niks == [registered[0]]
    assert good.underwaged_niks == sorted(registered[1:])


@pytest.mark.django_db
def test_work_tables_go_with_an_error_and_the_next_run_starts_clean() -> None:
    def failing_run() -> None:
        with work_tables():
            ident_exact(Scope.report(0))
            raise RuntimeError

    with transaction.atomic():
        with pytest.raises(RuntimeError):
            failing_run()
        # The savepoint took the work tables (and their settings) with it: the same names are free again.
        with work_tables():
            ident_exact(Scope.report(0))
            with connection.cursor() as c:
                c.execute("SELECT COUNT(*) FROM cmp_ident")
                assert c.fetchone()[0] == 0
        with connection.cursor() as c, pytest.raises(DatabaseError), transaction.atomic():
            c.execute("SELECT COUNT(*) FROM cmp_ident")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database roles and privileges: PostgreSQL only"
)
def test_a_user_without_create_on_the_database_gets_the_same_findings(
    cw: Compliance, tmp_path: Path, caplog: Any
) -> None:
    def findings(match: Any) -> list[tuple[Any, ...]]:
        return sorted(
            Finding.objects.filter(run=match).values_list("reported__name", "klass", "gap", "missing_niks")
        )

    owner = run(cw, tmp_path)
    with connection.cursor() as c:
        # Created in the test's transaction, so gone with it. PUBLIC has no CREATE on a database.
        c.execute("CREATE ROLE cakupan_test_narrow")
        c.execute("GRANT USAGE ON SCHEMA public TO cakupan_test_narrow")
        c.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO cakupan_test_narrow")
        c.execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO cakupan_test_narrow")
        c.execute("SET ROLE cakupan_test_narrow")
    try:
        with caplog.at_level("WARNING", logger="cakupan.compliance.match"):
            narrow = compliance_match_run(actor=cw.world.admin, report=owner.report)
    finally:
        with connection.cursor() as c:
            c.execute("RESET ROLE")
    assert "no CREATE on the database" in caplog.text  # it ran on temporary tables
    assert (narrow.counts, narrow.total_gap) == (owner.counts, owner.total_gap)
    assert findings(narrow) == findings(owner)
