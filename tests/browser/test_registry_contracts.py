"""The registry fields billing prices by, in a real browser at a 390 px phone's width and on a desktop, in
Indonesian (issue 18): a PMI membership's contract length, JHT amount and placement route, shown only for
the PMI segment; a changed wage's start month; the employer's PP 49/2020 JP-deferral mark. Screenshots in
test-artifacts/regs/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cakupan.accounts.models import Role, User
from cakupan.regions.models import Region
from cakupan.regions.services import branch_office_upsert, regions_load
from cakupan.registry import services
from cakupan.registry.models import Employer, Employment, Membership, Person, WageHistory
from cakupan.registry.nik import nik_compose
from tests.browser.test_journey import ARTIFACTS, chromium, chromium_or_skip, fits, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE_390 = {"width": 390, "height": 844}
SHOTS = ARTIFACTS / "regs"


@pytest.fixture
def registry_world(transactional_db: Any) -> dict[str, int]:
    if not Region.objects.filter(pk="35.73.01").exists():
        regions_load()
    office = branch_office_upsert(code="MLG", name="Kantor Cabang Malang", seat="35.73", regions=["35.73"])
    admin = User.objects.create_user(username="admin", password="pw-admin", role=Role.NATIONAL_ADMIN)
    User.objects.create_user(
        username="staf", password="pw-staf", role=Role.BRANCH_STAFF, branch_office=office, first_name="Sari"
    )
    employer = services.employer_register(
        actor=admin,
        npp="NPP77001",
        name="PT Konstruksi Arema",
        legal_form="PT",
        size_class="menengah",
        kbli="41011",
        risk_class=4,
        region="35.73.01",
        branch_office=office.pk,
    )
    born = dt.date(1990, 3, 4)
    worker = services.person_register(
        actor=admin,
        nik=nik_compose(district_code="35.73.01", birth_date=born, sex="L", serial=71),
        full_name="Agus Prasetyo",
        birth_date=born,
        sex="L",
        address_region="35.73.01",
    )
    job = services.employment_start(
        actor=admin, person=worker, employer=employer, start_date=dt.date(2024, 1, 1), basic_wage=4_200_000
    )
    migrant = services.person_register(
        actor=admin,
        nik=nik_compose(district_code="35.73.01", birth_date=born, sex="P", serial=72),
        full_name="Siti Rahayu",
        birth_date=born,
        sex="P",
        address_region="35.73.01",
    )
    return {"employer": employer.pk, "job": job.pk, "migrant": migrant.pk}


def _pmi_membership(page: Any, base: str, migrant: int) -> None:
    page.goto(f"{base}/persons/{migrant}/memberships/new/")
    page.select_option("select[name=segment]", "BPU")
    assert not page.is_visible("input[name=contract_months]")  # PMI's fields only for PMI
    page.select_option("select[name=segment]", "PMI")
    assert page.is_visible("input[name=contract_months]")
    assert not page.is_visible("input[name=contract_value]")  # Jakon's only
    page.check("input[name=programs][value=JHT]")
    page.fill("input[name=start_date]", "2025-06-02")
    page.select_option("select[name=payer_kind]", "self")
    page.fill("input[name=contract_months]", "12")
    page.select_option("select[name=pmi_jht_amount]", "100000")
    page.check("input[name=pmi_individual]")


def _shoot(page: Any, name: str) -> bool:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)
    return fits(page)


def test_contract_wage_month_and_deferral_fields_on_a_phone_and_a_desktop(
    live_server: Any, registry_world: dict[str, int]
) -> None:
    chromium_or_skip()
    base, ids = live_server.url, registry_world
    overflow: list[str] = []
    with chromium() as browser:
        phone = browser.new_context(
            viewport=PHONE_390, is_mobile=True, has_touch=True, device_scale_factor=2, locale="id-ID"
        )
        page = phone.new_page()
        sign_in(page, base)

        # A PMI membership: a bad contract length is refused on its field, in Indonesian; then enrolled.
        _pmi_membership(page, base, ids["migrant"])
        page.fill("input[name=contract_months]", "0")
        page.click("form.page-form button[type=submit]")
        assert "Lama kontrak dalam bulan (PMI)" in page.inner_text("form.page-form")
        assert page.locator(".errorlist").count() >= 1
        _pmi_membership(page, base, ids["migrant"])
        if not _shoot(page, "membership-pmi-form-390.png"):
            overflow.append("membership form")
        page.click("form.page-form button[type=submit]")
        page.wait_for_url("**/memberships/*/")
        facts = page.inner_text("dl.facts")
        for text in ("12 bulan", "Rp100.000", "perseorangan (tanpa pelaksana penempatan)"):
            assert text in facts
        if not _shoot(page, "membership-pmi-detail-390.png"):
            overflow.append("membership detail")

        # A changed wage from a month: the month input, then the wage history on the employment page.
        page.goto(f"{base}/employment/{ids['job']}/edit/")
        page.fill("input[name=basic_wage]", "4.600.000")
        page.fill("input[name=wage_from]", "2025-03")
        if not _shoot(page, "employment-wage-month-390.png"):
            overflow.append("employment form")
        page.click("form.page-form button[type=submit]")
        page.wait_for_url(f"**/employment/{ids['job']}/")
        history = page.inner_text("main")
        assert "Riwayat upah" in history
        assert "Rp4.600.000" in history
        if not _shoot(page, "employment-wage-history-390.png"):
            overflow.append("employment detail")

        # The PP 49/2020 JP-deferral mark on the employer's form and page.
        page.goto(f"{base}/employers/{ids['employer']}/edit/")
        page.check("input[name=jp_deferral_pp49]")
        if not _shoot(page, "employer-jp-deferral-390.png"):
            overflow.append("employer form")
        page.click("form.page-form button[type=submit]")
        page.wait_for_url(f"**/employers/{ids['employer']}/")
        assert "memenuhi syarat" in page.inner_text("dl.facts")
        if not _shoot(page, "employer-detail-390.png"):
            overflow.append("employer detail")
        phone.close()

        desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
        page = desktop.new_page()
        sign_in(page, base)
        page.goto(f"{base}/employers/{ids['employer']}/edit/")
        _shoot(page, "employer-jp-deferral-desktop.png")
        _pmi_membership(page, base, ids["migrant"])
        _shoot(page, "membership-pmi-form-desktop.png")
        desktop.close()
    assert overflow == []

    membership = Membership.objects.get(person_id=ids["migrant"])
    assert (membership.contract_months, membership.pmi_jht_amount, membership.pmi_individual) == (
        12,
        100_000,
        True,
    )
    assert WageHistory.objects.filter(employment_id=ids["job"], start_month=dt.date(2025, 3, 1)).exists()
    assert Employment.objects.get(pk=ids["job"]).basic_wage == 4_600_000
    assert Employer.objects.get(pk=ids["employer"]).jp_deferral_pp49
    assert Person.objects.filter(pk=ids["migrant"]).exists()
