"""Issue 16's journey: the office prints an event's QR poster; the QR code read back from the PDF (rendered
with pdfium, decoded with ZXing, as a phone's camera would) opens the public sign-up on a 390 px phone;
a trader fills it in; the office turns the sign-up into a membership and the trader is a BPU member.

Same rules as test_journey.py: Debian's Chromium through Playwright's sync API, the database touched only
before and after the browser. Screenshots in test-artifacts/: outreach-poster.png (the rendered PDF),
outreach-signup-390.png, outreach-signup-errors-390.png, outreach-done-390.png, outreach-converted.png.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pypdfium2
import pytest
import zxingcpp

from cakupan.outreach.models import SignUp
from cakupan.outreach.services.events import event_create
from cakupan.registry.models import Membership
from cakupan.registry.nik import nik_compose
from tests.browser.test_journey import ARTIFACTS, chromium, chromium_or_skip, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_390 = {"width": 390, "height": 844}
BORN = dt.date(1978, 4, 9)
NIK = nik_compose(district_code="35.07.01", birth_date=BORN, sex="P", serial=321)


@pytest.fixture
def world(regions_in_transactional_db: Any, world: Any) -> Any:
    return world


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"pw-{username}")
    page.click("form.page-form button[type=submit]")
    page.wait_for_url(f"{base}/")


def _qr_target(pdf: bytes) -> str:
    """The text of the QR code on the poster's first page, read from the rendered page."""
    document = pypdfium2.PdfDocument(pdf)
    image = document[0].render(scale=2).to_pil()
    image.save(ARTIFACTS / "outreach-poster.png")
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1, found
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode
    return str(found[0].text)


def test_poster_qr_to_phone_sign_up_to_membership(live_server: Any, world: Any) -> None:
    chromium_or_skip()
    ARTIFACTS.mkdir(exist_ok=True)
    event = event_create(
        actor=world.branch_malang,
        name="Sosialisasi Pasar Kepanjen",
        place="Pasar Induk Kepanjen",
        region="35.07.01",
        date=dt.date(2026, 5, 20),
        audience="market_traders",
        status="held",
    )
    base = live_server.url
    with chromium() as browser:
        office = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
        staff = office.new_page()
        _sign_in(staff, base, "staf_malang")
        poster = staff.request.get(f"{base}/outreach/{event.code}/poster.pdf")
        assert poster.ok
        assert poster.headers["content-type"] == "application/pdf"
        target = _qr_target(poster.body())

        phone = browser.new_context(
            locale="id-ID", viewport=PHONE_390, is_mobile=True, has_touch=True, device_scale_factor=2
        )
        page = phone.new_page()
        page.goto(target)
        assert "Sosialisasi Pasar Kepanjen" in page.inner_text("main")
        page.screenshot(path=str(ARTIFACTS / "outreach-signup-390.png"), full_page=True)
        signup_fits = fits(page)
        page.fill("input[name=nik]", NIK)
        page.fill("input[name=full_name]", "Siti Pedagang Contoh")
        page.fill("input[name=birth_date]", BORN.isoformat())
        page.check("input[name=sex][value=L]")  # a slip: the NIK says female
        page.fill("input[name=phone]", "081234567890")
        page.fill("input[name=occupation]", "pedagang sayur")
        page.click("form.page-form button[type=submit]")
        page.wait_for_selector(".field.has-error")
        errors = page.inner_text("form.page-form")
        page.screenshot(path=str(ARTIFACTS / "outreach-signup-errors-390.png"), full_page=True)
        errors_fit = fits(page)
        page.check("input[name=sex][value=P]")
        page.check("input[name=consent]")
        page.click("form.page-form button[type=submit]")
        page.wait_for_selector("#signup-reference")
        reference = page.inner_text("#signup-reference").strip()
        page.screenshot(path=str(ARTIFACTS / "outreach-done-390.png"), full_page=True)
        done_fits = fits(page)
        phone.close()

        staff.goto(f"{base}/outreach/{event.code}/")
        staff.click("#convert-form button[type=submit]")
        staff.wait_for_selector("#convert-result")
        result = staff.inner_text("#convert-result")
        staff.screenshot(path=str(ARTIFACTS / "outreach-converted.png"), full_page=True)
        office.close()

    assert target == f"{base}/daftar/{event.code}/"
    assert (signup_fits, errors_fit, done_fits) == (True, True, True)
    assert "jenis kelamin yang tersimpan di NIK berbeda" in errors.lower() or "NIK" in errors
    assert "Centang kotak persetujuan" in errors
    assert reference.startswith("DFT-")
    assert "Kepesertaan baru" in result
    signup = SignUp.objects.select_related("membership", "person").get(reference=reference)
    assert signup.person is not None
    assert signup.person.nik == NIK
    assert signup.membership is not None
    member = Membership.objects.get(pk=signup.membership.pk)
    assert (member.segment, member.payer_kind, member.status) == ("BPU", "self", "active")
