"""A real browser through an agreement as the partner agency: the list, the agreement (parties, KPIs,
obligations, documents) and its scorecard with the chart, on a desktop and a 390 px phone (nothing wider
than the screen), every page checked by axe-core (chromium())."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cakupan.accounts.permissions import SYSTEM
from cakupan.partners.kpis import catalogue as k
from cakupan.partners.kpis.compute import agreement_kpis_compute
from cakupan.partners.models import Agreement
from cakupan.partners.services.agreements import agreement_kpi_add, obligation_mark
from cakupan.partners.tests.factories import agency_of, agreement
from tests.browser.test_journey import ARTIFACTS, chromium, chromium_or_skip, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def measured(regions_back_after_module: Any, regions_in_transactional_db: Any, world: Any) -> Agreement:
    found = agreement(
        world.branch_malang,
        number="05/PKS/MLG/2025",
        agencies=(agency_of(world.agency_health_malang),),
        valid_from=dt.date(2025, 6, 1),
        signed_on=dt.date(2025, 6, 1),
    )
    Agreement.objects.filter(pk=found.pk).update(status="active")
    agreement_kpi_add(
        actor=world.branch_malang, agreement=found.pk, key=k.HEALTH_WORKERS, baseline=60, target=100
    )
    agreement_kpi_add(
        actor=world.branch_malang,
        agreement=found.pk,
        key=k.SPONSORED_COHORT,
        sponsor=world.sponsor.pk,
        baseline=0,
        target=103,
    )
    for obligation in found.obligations.all():
        obligation_mark(
            actor=world.branch_malang, obligation=obligation, period="2025-09", done=True, note="lengkap"
        )
    for month in ("2025-07", "2025-08", "2025-09", "2025-10"):
        agreement_kpis_compute(actor=SYSTEM, period=month)
    return found


def test_the_agency_follows_its_agreement_on_a_phone(live_server: Any, measured: Agreement) -> None:
    chromium_or_skip()
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
            page.goto(f"{base}/login/")
            page.fill("input[name=username]", "dinkes_malang")
            page.fill("input[name=password]", "pw-dinkes_malang")
            page.click("form.page-form button[type=submit]")
            page.wait_for_url(f"{base}/")
            page.goto(f"{base}/agreements/")
            page.click(f"text={measured.number}")
            page.wait_for_url(f"**/agreements/{measured.pk}/")
            assert "tenaga kesehatan yang terlindungi" in page.inner_text("#kpis")
            assert "lengkap" in page.inner_text("#obligations")
            page.screenshot(path=str(ARTIFACTS / f"agreement-{name}.png"), full_page=True)
            if not fits(page):
                wide.append(f"{name} agreement")
            page.click("text=Kartu capaian >> nth=0")
            page.wait_for_url(f"**/agreements/{measured.pk}/scorecard/")
            assert page.locator("svg.chart circle").count() == 8  # 4 months x 2 KPIs
            page.screenshot(path=str(ARTIFACTS / f"agreement-scorecard-{name}.png"), full_page=True)
            if not fits(page):
                wide.append(f"{name} scorecard")
            context.close()
    assert wide == []
