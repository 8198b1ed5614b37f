"""A real browser (with axe-core on every page) on the sponsor's pages (issue 15), on a desktop and a 390 px
phone, as Kota Malang's APBD sponsor and as the Malang branch staff, on the demo (small scale): the home's
runway, the sponsor's page (runway, funded periods, members ending soon, retention, the member export link,
the candidate lists), the endings of a month, the planner, the village arrears page and a village's page.
Every page is in Indonesian (no English word of the pages' own, no raw code), writes Rupiah, dates and
percentages one way, and fits the phone. Screenshots: test-artifacts/sponsor/<login>-<page>-<size>.png.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from cakupan.demo.s6_sponsorship import VILLAGE_REGENCY
from cakupan.demo.services import demo_load
from cakupan.regions.models import Region
from cakupan.regions.services import regions_load
from tests.browser.test_homes import sign_in
from tests.browser.test_journey import chromium, chromium_or_skip, fits

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "sponsor"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# English words of our own pages' wording (names in the data, like "RS Hermina", are not checked; "sponsor"
# is Indonesian too).
ENGLISH = re.compile(
    r"\b(the|members?|months?|remaining|funded|period|sponsored|ends?|cover|none|true|false|"
    r"village|arrears|outstanding|letter|decline|accept|budget|export|retention|active|ended|inactive)\b",
    re.IGNORECASE,
)
RAW = re.compile(r"\b[a-z]+_[a-z_]+\b|\b\d{4}-\d{2}(-\d{2})?\b")  # a code, an ISO month or date
RUPIAH_OTHER = re.compile(r"Rp\s|IDR|Rp\d{1,3}(,\d{3})+\b")  # "Rp 1.000", IDR, or English grouping
PERCENT_OTHER = re.compile(r"\d%")  # Indonesian: a no-break space before "%"


@pytest.fixture
def demo(transactional_db: Any) -> None:
    if not Region.objects.filter(pk="35.73.01").exists():
        regions_load()
    demo_load(scale=0.01)


def _pages(sponsor: int, village: int, month: str, csr: int, staff: bool) -> dict[str, str]:
    pages = {
        "home": "/",
        "sponsor": f"/sponsorship/{sponsor}/",
        "endings": f"/sponsorship/{sponsor}/endings/{month}/",
        "planner": "/coverage/planner/",
    }
    if staff:
        pages["list"] = "/sponsorship/"
        pages["handover"] = f"/sponsorship/{csr}/"  # the CSR hands members over to the city
        pages["villages"] = f"/sponsorship/villages/{VILLAGE_REGENCY}/"
        pages["village"] = f"/sponsorship/{village}/"
    return pages


def _problems(text: str) -> list[str]:
    found = []
    for name, pattern in (("english", ENGLISH), ("raw", RAW), ("rupiah", RUPIAH_OTHER), ("%", PERCENT_OTHER)):
        found += [f"{name}: {m.group(0)!r}" for m in pattern.finditer(text)]
    return found


def test_the_sponsors_pages_as_sponsor_and_staff_on_phone_and_desktop(live_server: Any, demo: None) -> None:
    chromium_or_skip()
    from cakupan.registry.models import Sponsor
    from cakupan.rules.period import Period
    from cakupan.sponsorship.models import CoverEnding, FundedPeriod, SponsorVillage

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    apbd = Sponsor.objects.get(name="APBD Kota Malang")
    village = SponsorVillage.objects.filter(regency=VILLAGE_REGENCY).order_by("code").first()
    assert village is not None
    csr = CoverEnding.objects.filter(to_sponsor=apbd).values_list("sponsor_id", flat=True).first()
    assert csr is not None
    this = str(Period.of(timezone.localdate()))
    month = FundedPeriod.objects.get(sponsor=apbd, first_month__lte=this, last_month__gte=this).last_month
    seen: dict[str, Any] = {"status": {}, "problems": {}, "overflow": [], "text": {}}
    with chromium() as browser:
        for login, staff in (("sponsor_apbd", False), ("staf_malang", True)):
            for size, viewport in SIZES.items():
                context = browser.new_context(viewport=viewport, locale="id-ID")
                page = context.new_page()
                sign_in(page, live_server.url, login)
                for name, path in _pages(apbd.pk, village.sponsor_id, month, csr, staff).items():
                    response = page.goto(live_server.url + path)
                    key = f"{login}-{name}-{size}"
                    seen["status"][key] = response.status if response else 0
                    page.screenshot(path=str(ARTIFACTS / f"{key}.png"), full_page=True)
                    if not fits(page):
                        seen["overflow"].append(key)
                    text = page.inner_text("main")
                    seen["text"][key] = text
                    problems = _problems(text)
                    if problems:
                        seen["problems"][key] = problems
                    if name == "home" and not staff:  # the runway's amounts each on one line, inside
                        seen[f"runway-{size}"] = page.evaluate(
                            "[...document.querySelectorAll('#runway .card .num')].map(e => "
                            "e.scrollWidth <= e.clientWidth && e.getClientRects()[0].height < 50)"
                        )
                    if name == "sponsor" and size == "desktop":
                        seen[f"{login}-export"] = page.get_attribute("#members-export", "href")
                context.close()
    (ARTIFACTS / "seen.json").write_text(json.dumps(seen, ensure_ascii=False, indent=1))
    assert {k: v for k, v in seen["status"].items() if v != 200} == {}
    assert seen["overflow"] == []
    assert seen["problems"] == {}
    # The sponsor sees its own runway, capped when the money outlasts ten years, and its export link.
    assert "Dana cukup untuk" in seen["text"]["sponsor_apbd-home-desktop"]
    assert seen["runway-phone"] == seen["runway-desktop"] == [True, True]
    assert seen["sponsor_apbd-export"] == f"/sponsorship/{apbd.pk}/members.xlsx"
    assert "Periode pendanaan" in seen["text"]["sponsor_apbd-sponsor-desktop"]
    assert "Daftar calon" in seen["text"]["sponsor_apbd-sponsor-desktop"]
    # The cohort ending with the funded period, to decide for, and members handed over, to accept.
    assert "Terima" in seen["text"]["sponsor_apbd-sponsor-desktop"]
    assert "Putuskan" in seen["text"]["staf_malang-endings-desktop"]
    assert "0 peserta belum diputuskan" not in seen["text"]["staf_malang-endings-desktop"]
    # The staff see the regency's villages, a page at a time, and a village's own page.
    assert village.name in seen["text"]["staf_malang-villages-desktop"]
    assert "Tunggakan menurut lama" in seen["text"]["staf_malang-villages-desktop"]
