"""Which workforce reports each role sees (accounts.scope.Scope.workforce_reports): the importing roles see
the reports they uploaded and those behind findings in their scope; other roles none."""

from __future__ import annotations

from pathlib import Path

from cakupan.compliance import selectors
from cakupan.compliance.services import compliance_match_run, report_import
from cakupan.compliance.tests.conftest import Compliance, report_rows, write_csv


def test_reports_by_role(cw: Compliance, tmp_path: Path) -> None:
    report = report_import(
        actor=cw.world.agency_labour_bekasi, source=write_csv(tmp_path / "r.csv", report_rows())
    )
    compliance_match_run(actor=cw.world.agency_labour_bekasi, report=report)

    def sees(user: object) -> bool:
        return selectors.report_list(user=user).filter(pk=report.pk).exists()

    assert sees(cw.world.admin)
    assert sees(cw.world.agency_labour_bekasi)  # uploaded it
    assert sees(cw.batang_user)  # its findings are in Batang's regency
    assert not sees(cw.world.branch_malang)  # no finding in Malang, not the uploader
    assert not sees(cw.world.hr_factory)  # reports are office data
    assert selectors.report_list(user=cw.batang_user).count() == 1  # once, though it has many findings
