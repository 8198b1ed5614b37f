"""Cases: each PP 86/2013 step with its letter (PDF read back as text), deadlines in working days,
reminders, and closing only by a new match that shows the gap closed."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from cakupan.compliance.models import Case, Finding, FindingClass, Reminder
from cakupan.compliance.services import (
    case_open,
    case_step_issue,
    compliance_match_run,
    compliance_remind,
    fine_amount,
    report_import,
)
from cakupan.compliance.tests.conftest import Compliance, add_members, report_rows, write_csv
from cakupan.compliance.working_days import add_working_days
from cakupan.core.errors import Forbidden, InvalidInput
from cakupan.rules.sanctions import sanction_tables

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    tool = shutil.which("pdftotext") or "pdftotext"
    out = subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, check=True, text=True)  # noqa: S603
    return " ".join(out.stdout.split())


def textile_finding(cw: Compliance, tmp_path: Path, rows: list | None = None) -> Finding:
    report = report_import(actor=cw.world.admin, source=write_csv(tmp_path / "r.csv", rows or report_rows()))
    run = compliance_match_run(actor=cw.world.admin, report=report)
    return Finding.objects.get(run=run, employer=cw.textile)


def test_working_days_skip_weekends_and_indonesian_holidays() -> None:
    # Friday 14 Aug 2026 + 10 working days: 17 Aug (Independence Day), 25 Aug (the Prophet's Birthday) and
    # two weekends are skipped.
    assert add_working_days(dt.date(2026, 8, 14), 10) == dt.date(2026, 9, 1)
    assert add_working_days(dt.date(2026, 5, 29), 1) == dt.date(2026, 6, 2)  # Mon 1 June: Pancasila Day


def test_every_step_and_its_letter(cw: Compliance, tmp_path: Path) -> None:
    finding = textile_finding(cw, tmp_path)
    case = case_open(actor=cw.batang_user, finding_ids=[finding.pk])
    assert case.gap == finding.gap == 143_100_000
    day = dt.date(2026, 6, 2)  # a Tuesday
    with pytest.raises(InvalidInput):
        case_step_issue(actor=cw.batang_user, case=case, kind="warning_2", today=day)
    w1 = case_step_issue(actor=cw.batang_user, case=case, kind="warning_1", today=day)
    assert w1.deadline is not None
    assert w1.deadline == add_working_days(day, 10) == dt.date(2026, 6, 17)  # 16 June: Islamic New Year
    text = pdf_text(bytes(w1.letter), tmp_path)
    assert "TEGURAN TERTULIS PERTAMA" in text
    assert "PT Batang Jaya Tekstil" in text
    assert "17 Juni 2026" in text
    assert "Rp143.100.000" in text
    assert "1.500" in text
    assert "1.000" in text
    assert "500" in text
    # Numbered in the office's form, with its letterhead, a signatory and a copy to the labour agency.
    assert w1.number == "B/1/062026"
    assert "Nomor : B/1/062026" in text
    assert "BPJS KETENAGAKERJAAN Kantor Cabang Batang" in text
    assert "a.n. Kepala Kantor Cabang Batang" in text
    assert "Tembusan:" in text
    assert "ketenagakerjaan" in text.split("Tembusan:")[1]
    # The count says what the evidence table says: 500 not registered, not the 0 NIKs of an absent list.
    assert "belum didaftarkan (periode Mei 2026): 500" in text
    assert "tidak disertai daftar pekerja" in text
    assert "WARNING" not in text
    # The second warning waits for the first one's deadline.
    with pytest.raises(InvalidInput):
        case_step_issue(actor=cw.batang_user, case=case, kind="warning_2", today=w1.deadline)
    w2 = case_step_issue(actor=cw.batang_user, case=case, kind="warning_2", today=dt.date(2026, 6, 18))
    assert w2.deadline is not None
    assert w2.number == "B/2/062026"  # the office's next number
    assert "TEGURAN TERTULIS KEDUA" in pdf_text(bytes(w2.letter), tmp_path)
    later = w2.deadline + dt.timedelta(days=1)
    fine = case_step_issue(actor=cw.batang_user, case=case, kind="fine", today=later)
    assert fine.amount == fine_amount(case.gap) == 143_100  # 0.1 % of one month's gap [M]
    assert "Rp143.100" in pdf_text(bytes(fine.letter), tmp_path)
    tmp2t = pdf_text(
        bytes(case_step_issue(actor=cw.batang_user, case=case, kind="tmp2t", today=later).letter), tmp_path
    )
    assert "TMP2T" in tmp2t
    assert "izin mempekerjakan tenaga kerja asing" in tmp2t
    inspector = case_step_issue(actor=cw.batang_user, case=case, kind="inspector", today=later)
    assert "PENGAWAS KETENAGAKERJAAN" in pdf_text(bytes(inspector.letter), tmp_path)
    attorney = case_step_issue(actor=cw.world.admin, case=case, kind="attorney", today=later)
    assert "SURAT KUASA KHUSUS" in pdf_text(bytes(attorney.letter), tmp_path)
    with pytest.raises(InvalidInput):
        case_step_issue(actor=cw.batang_user, case=case, kind="fine", today=later)
    assert sanction_tables().fine_rate.source.confidence == "medium"


def test_letter_lists_missing_niks(cw: Compliance, tmp_path: Path) -> None:
    unknown = ["3325010101900999", "3325010101900998"]
    workers = write_csv(
        tmp_path / "w.csv",
        [["1234567890123", n, "X", 3_000_000] for n in unknown],
        header=["NIB", "NIK", "Nama", "Upah"],
    )
    report = report_import(
        actor=cw.world.admin, source=write_csv(tmp_path / "r.csv", report_rows()), workers=workers
    )
    run = compliance_match_run(actor=cw.world.admin, report=report)
    finding = Finding.objects.get(run=run, employer=cw.textile)
    case = case_open(actor=cw.world.admin, finding_ids=[finding.pk])
    text = pdf_text(
        bytes(case_step_issue(actor=cw.world.admin, case=case, kind="warning_1").letter), tmp_path
    )
    assert "belum didaftarkan (periode Mei 2026): 500" in text  # the table's count
    assert "NIK yang belum didaftarkan: 2" in text  # the listed NIKs, named in the annex
    assert all(n in text for n in unknown)


def test_open_case_refuses_bad_requests(cw: Compliance, tmp_path: Path) -> None:
    finding = textile_finding(cw, tmp_path)
    compliant = Finding.objects.get(run=finding.run, klass=FindingClass.COMPLIANT)
    other = Finding.objects.get(run=finding.run, klass=FindingClass.PWBD)
    for ids in ([compliant.pk], [finding.pk, other.pk], [], [999_999]):
        with pytest.raises(InvalidInput):
            case_open(actor=cw.world.admin, finding_ids=ids)
    with pytest.raises(Forbidden):  # an employer's HR does not enforce
        case_open(actor=cw.world.hr_factory, finding_ids=[finding.pk])
    with pytest.raises(InvalidInput):  # Malang's staff do not see Batang's findings
        case_open(actor=cw.world.branch_malang, finding_ids=[finding.pk])
    case_open(actor=cw.world.admin, finding_ids=[finding.pk])
    with pytest.raises(InvalidInput):
        case_open(actor=cw.world.admin, finding_ids=[finding.pk])


def test_reminder_when_a_deadline_passes(cw: Compliance, tmp_path: Path) -> None:
    case = case_open(actor=cw.world.admin, finding_ids=[textile_finding(cw, tmp_path).pk])
    w1 = case_step_issue(actor=cw.world.admin, case=case, kind="warning_1", today=dt.date(2026, 6, 2))
    assert w1.deadline is not None
    assert compliance_remind(today=w1.deadline) == []
    reminders = compliance_remind(today=w1.deadline + dt.timedelta(days=1))
    assert [r.step_id for r in reminders] == [w1.pk]
    assert compliance_remind(today=w1.deadline + dt.timedelta(days=2)) == []  # once
    case_step_issue(
        actor=cw.world.admin, case=case, kind="warning_2", today=w1.deadline + dt.timedelta(days=1)
    )
    assert Reminder.objects.get(step=w1).done


def test_case_closes_only_when_a_new_match_shows_the_gap_closed(cw: Compliance, tmp_path: Path) -> None:
    case = case_open(actor=cw.world.admin, finding_ids=[textile_finding(cw, tmp_path).pk])
    pwbd = Finding.objects.get(klass=FindingClass.PWBD)
    pwbd_case = case_open(actor=cw.world.admin, finding_ids=[pwbd.pk])
    # A new report with the same gap: still open.
    textile_finding(cw, tmp_path)
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    # The employer registers the other 500 workers; the next month's report matches in full.
    add_members(cw.textile, [3_000_000] * 500)
    rows = report_rows()
    for row in rows:
        row[5] = "2026-06"
    closing = textile_finding(cw, tmp_path, rows)
    assert closing.klass == FindingClass.COMPLIANT
    case.refresh_from_db()
    assert (case.status, case.closed_by_finding_id) == (Case.Status.CLOSED, closing.pk)
    pwbd_case.refresh_from_db()
    assert pwbd_case.status == Case.Status.OPEN
    with pytest.raises(InvalidInput):
        case_step_issue(actor=cw.world.admin, case=case, kind="warning_1")
