"""A real browser through a roster upload: errors, the report downloaded, the corrected file, the counts.

Same rules as test_journey: Debian's Chromium through Playwright's sync API, skipped without Chromium on a
developer machine and failing on CI; the database is touched only before and after the browser runs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

from cakupan.accounts.models import Role, User
from cakupan.enrolment.models import RosterImport
from cakupan.enrolment.tests.conftest import TITLED_ROWS
from cakupan.regions.models import Region
from cakupan.regions.services import branch_office_upsert, regions_load
from cakupan.registry.models import Employer, Membership, Person, Sponsor
from cakupan.registry.nik import nik_compose
from tests.browser.test_journey import ARTIFACTS, chromium, chromium_or_skip, no_horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NPP = "NPP77701"
HEADER = ["NIK", "Nama Lengkap", "Tgl Lahir", "Jenis Kelamin", "Kode Wilayah", "No HP", "Upah", "Tunjangan"]


def _nik(day: int, serial: int) -> str:
    return nik_compose(district_code="35.73.01", birth_date=dt.date(1991, 5, day), sex="L", serial=serial)


ROWS = [
    [_nik(1, 1), "Agus Salim", "01/05/1991", "L", "35.73.01", "081200000001", "4500000", ""],
    [_nik(2, 2), "Bayu Aji", "02/05/1991", "L", "35.73.02", "", "Rp 4.750.000", "250000"],
    [_nik(3, 3), "Candra Wijaya", "03/05/1991", "L", "35.73.01", "", "empat juta", ""],  # bad wage
]


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


@pytest.fixture
def hr_user(transactional_db: Any) -> User:
    # Transactional tests empty the database afterwards, regions included: load them when missing.
    if not Region.objects.filter(pk="35.73.01").exists():
        regions_load()
    office = branch_office_upsert(code="MLG", name="Kantor Cabang Malang", seat="35.73", regions=["35.73"])
    employer = Employer.objects.create(
        npp=NPP, name="RS Uji Roster", legal_form="PT", size_class="menengah", kbli="86101", risk_class=2,
        region_id="35.73.01", branch_office=office, facility_type="rumah_sakit",
    )  # fmt: skip
    return User.objects.create_user(
        username="hr_roster", password="pw-hr_roster", role=Role.EMPLOYER_HR, employer=employer
    )


def upload(page: Any, base: str, path: Path) -> dict[str, str]:
    page.goto(f"{base}/rosters/")
    page.set_input_files("input[name=file]", str(path))
    assert page.input_value("input[name=as_]") == f"employer:{NPP}"  # filled in for the employer's HR
    page.click("form.page-form button[type=submit]")
    page.wait_for_selector("#counts")
    return {
        name: page.inner_text(f"#counts [data-count={name}]")
        for name in ("rows", "imported", "updated", "unchanged", "rejected")
    }


def test_roster_upload_fix_and_reupload(
    live_server: Any, hr_user: User, tmp_path: Path, settings: Any
) -> None:
    chromium_or_skip()
    # Reports hold NIKs and names: written under this test's folder, not the checkout's var/.
    settings.VAR_DIR = tmp_path
    base = live_server.url
    with chromium() as browser:
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="id-ID", accept_downloads=True
        )
        page = context.new_page()
        page.goto(f"{base}/login/")
        page.fill("input[name=username]", "hr_roster")
        page.fill("input[name=password]", "pw-hr_roster")
        page.click("form.page-form button[type=submit]")
        page.wait_for_url(f"{base}/")

        first = upload(page, base, _csv(tmp_path / "daftar.csv", ROWS))
        # The reason in words, the refused row first.
        assert page.inner_text("table.report-rows tbody tr >> nth=0").startswith("4")
        assert "Upah kosong atau bukan angka Rupiah bulat" in page.inner_text("table")
        with page.expect_download() as download_info:
            page.click("a[href$='report.csv']")
        report = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "roster-report.png"), full_page=True)

        fixed = [list(r) for r in ROWS]
        fixed[2][6] = "4000000"
        second = upload(page, base, _csv(tmp_path / "daftar-perbaikan.csv", fixed))
        context.close()

    assert first == {"rows": "3", "imported": "2", "updated": "0", "unchanged": "0", "rejected": "1"}
    statuses = [
        (r["Baris / Row"], r["Status"], r["Kode / Code"]) for r in csv.DictReader(io.StringIO(report))
    ]
    assert statuses == [("2", "imported", ""), ("3", "imported", ""), ("4", "rejected", "wage_invalid")]
    assert second == {"rows": "3", "imported": "1", "updated": "0", "unchanged": "2", "rejected": "0"}
    # Nothing twice: three persons, three memberships with the employer, two imports recorded.
    niks = [r[0] for r in ROWS]
    assert Person.objects.filter(nik__in=niks).count() == 3
    assert Membership.objects.filter(person__nik__in=niks, employer__npp=NPP, status="active").count() == 3
    assert RosterImport.objects.filter(uploader=hr_user).count() == 2


@pytest.fixture
def sponsor_user(transactional_db: Any) -> User:
    """The city budget of Kota Malang (35.73) as a sponsor, with its income basis left to the rules."""
    if not Region.objects.filter(pk="35.73.01").exists():
        regions_load()
    branch_office_upsert(code="MLG", name="Kantor Cabang Malang", seat="35.73", regions=["35.73"])
    sponsor = Sponsor.objects.create(name="APBD Kota Malang", kind="apbd", region_id="35.73")
    return User.objects.create_user(
        username="apbd_malang", password="pw-apbd", role=Role.SPONSOR, sponsor=sponsor, first_name="Rina"
    )


def test_sponsor_roster_without_region_or_income(
    live_server: Any, sponsor_user: User, tmp_path: Path, settings: Any
) -> None:
    """A city budget's list as agencies send it (title rows, a blank row, no region or income column),
    uploaded on a 390 px phone and on a desktop: the report puts the refused row first, highlighted, in
    words, and filters by status."""
    chromium_or_skip()
    settings.VAR_DIR = tmp_path
    base = live_server.url
    roster = tmp_path / "daftar-apbd-kota-malang.csv"
    with roster.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(TITLED_ROWS)
    seen: dict[str, Any] = {}
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as browser:
        for name, viewport in (
            ("phone", {"width": 390, "height": 844}),
            ("desktop", {"width": 1280, "height": 900}),
        ):
            context = browser.new_context(viewport=viewport, locale="id-ID")
            page = context.new_page()
            page.goto(f"{base}/login/")
            page.fill("input[name=username]", "apbd_malang")
            page.fill("input[name=password]", "pw-apbd")
            page.click("form.page-form button[type=submit]")
            page.wait_for_url(f"{base}/")
            page.goto(f"{base}/rosters/")
            page.set_input_files("input[name=file]", str(roster))
            page.screenshot(path=str(ARTIFACTS / f"roster-sponsor-upload-{name}.png"), full_page=True)
            page.click("form.page-form button[type=submit]")
            page.wait_for_selector("#counts")
            page.screenshot(path=str(ARTIFACTS / f"roster-sponsor-report-{name}.png"), full_page=True)
            first = page.locator("table.report-rows tbody tr").first
            seen[name] = {
                "counts": {
                    k: page.inner_text(f"#counts [data-count={k}]")
                    for k in ("rows", "rejected", "warning", "imported", "unchanged")
                },
                "first_class": first.get_attribute("class"),
                "first_status": first.locator(".badge").inner_text(),
                # Line boxes of the first NIK's text: 1 when it is not broken.
                "nik_lines": page.evaluate(
                    """() => { const td = document.querySelector('table.report-rows td.nowrap');
                        const range = document.createRange(); range.selectNodeContents(td);
                        return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size; }"""
                ),
                "fits": no_horizontal_overflow(page),
            }
            page.click("#counts a[href='?status=rejected']")
            page.wait_for_url("**status=rejected")
            seen[name]["filtered"] = page.locator("table.report-rows tbody tr").count()
            page.screenshot(path=str(ARTIFACTS / f"roster-sponsor-rejected-{name}.png"), full_page=True)
            context.close()

    # The phone uploaded first: 4 imported (one with a warning), 1 refused; the desktop's upload of the
    # same file changes nothing (a sponsor reads "imported" for every row written: NIKs are masked to it).
    assert seen["phone"]["counts"] == {
        "rows": "5",
        "rejected": "1",
        "warning": "1",
        "imported": "3",
        "unchanged": "0",
    }
    for name in ("phone", "desktop"):
        assert seen[name]["first_class"] == "row-rejected"
        assert seen[name]["first_status"] == "Ditolak"
        assert seen[name]["nik_lines"] <= 1, name
        assert seen[name]["fits"], name
        assert seen[name]["filtered"] == 1
    members = Membership.objects.filter(sponsor=sponsor_user.sponsor, status="active")
    assert members.count() == 4
    assert set(members.values_list("declared_income", flat=True)) == {1_000_000}
    assert set(members.values_list("person__address_region", flat=True)) == {"35.73"}
