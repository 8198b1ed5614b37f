"""A real browser through compliance as Batang's branch staff: the dashboard's month and its per-month
figures, a finding's workers, a refused report with its errors at row and column; on a desktop and a
390 px phone (nothing wider than the screen), every page checked by axe-core (chromium())."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cakupan.compliance.models import Finding
from cakupan.compliance.services import compliance_match_run, report_import
from cakupan.compliance.tests.conftest import Compliance, cw, niks, report_rows, write_csv
from tests.browser.test_journey import ARTIFACTS, chromium, chromium_or_skip, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


__all__ = ["cw"]  # the compliance world, a fixture


@pytest.fixture
def two_months(
    regions_back_after_module: Any, regions_in_transactional_db: Any, cw: Compliance, tmp_path: Path
) -> Any:
    april = [[*r[:5], "2026-04", *r[6:]] for r in report_rows()]
    workers = write_csv(
        tmp_path / "w.csv",
        [["1234567890123", n, f"Pekerja {i}", 3_000_000] for i, n in enumerate(niks(3))],
        header=["NIB", "NIK", "Nama", "Upah"],
    )
    report = report_import(
        actor=cw.world.admin, source=write_csv(tmp_path / "r.csv", [*april, *report_rows()]), workers=workers
    )
    run = compliance_match_run(actor=cw.world.admin, report=report)
    bad = report_rows()
    bad[2][5] = "Mei 2026"
    write_csv(tmp_path / "bad.csv", bad)
    return Finding.objects.get(run=run, employer=cw.textile, reported__period="2026-05"), tmp_path / "bad.csv"


def sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "staf_batang")
    page.fill("input[name=password]", "pw-staf_batang")
    page.click("form.page-form button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_compliance_by_month_finding_and_import_errors(live_server: Any, two_months: Any) -> None:
    chromium_or_skip()
    finding, bad = two_months
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    wide: list[str] = []
    with chromium() as browser:
        for name, viewport in (
            ("desktop", {"width": 1280, "height": 900}),
            ("phone", {"width": 390, "height": 844}),
        ):
            context = browser.new_context(viewport=viewport, locale="id-ID", is_mobile=name == "phone")
            page = context.new_page()
            sign_in(page, base)
            page.goto(f"{base}/compliance/")
            assert page.locator("#by-period tbody tr").count() == 2
            page.select_option("#period", "2026-04")  # the month list submits itself
            page.wait_for_url("**/compliance/?period=2026-04")
            assert "April 2026" in page.inner_text("h2:has-text('Ringkasan')")
            page.screenshot(path=str(ARTIFACTS / f"compliance-{name}.png"), full_page=True)
            if not fits(page):
                wide.append(f"{name} /compliance/")

            page.goto(f"{base}/compliance/findings/{finding.pk}/")
            assert page.locator("#missing tbody tr").count() == 3
            assert "Pekerja 0" in page.inner_text("#missing")
            page.screenshot(path=str(ARTIFACTS / f"compliance-finding-{name}.png"), full_page=True)
            if not fits(page):
                wide.append(f"{name} finding")

            page.goto(f"{base}/compliance/import/")
            page.set_input_files("input[name=file]", str(bad))
            page.click("form.page-form button[type=submit]")
            page.wait_for_selector(".errorlist")
            assert "Baris 4, kolom “Periode”" in page.inner_text(".errorlist")
            assert "rows[" not in page.content()
            page.screenshot(path=str(ARTIFACTS / f"compliance-import-error-{name}.png"), full_page=True)
            if not fits(page):
                wide.append(f"{name} import")
            context.close()
    assert wide == []
