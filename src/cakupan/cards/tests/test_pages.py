"""The card pages, the PDF, the public verify page and the command, through the test client."""

from __future__ import annotations

import json
import shutil
import subprocess
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from cakupan.cards.models import MembershipCard
from cakupan.cards.services import card_issue
from cakupan.registry.models import Membership

NOT_VERIFIED = "Kartu ini tidak dapat diverifikasi."


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_worker_issues_and_opens_their_card(world: Any) -> None:
    client = _client(world.worker_user)
    home = client.get("/")
    assert 'href="/cards/mine/"' in home.content.decode()

    empty = client.get("/cards/mine/")
    assert empty.status_code == 200
    assert 'value="issue"' in empty.content.decode()
    assert client.get("/cards/mine/card.pdf").status_code == 404  # no card yet

    issued = client.post("/cards/mine/", {"action": "issue"})
    assert issued.status_code == 302
    assert issued["Location"] == "/cards/mine/"
    page = client.get("/cards/mine/").content.decode()
    assert MembershipCard.objects.filter(person=world.nurse, revoked=False).count() == 1
    kpj = Membership.objects.get(person=world.nurse).kpj
    assert world.nurse.full_name in page
    assert kpj in page
    assert 'src="data:image/svg+xml' in page  # the QR code
    assert world.nurse.nik not in page  # the card never shows the NIK
    assert "http://127.0.0.1:8000/verify/" in page

    pdf = client.get("/cards/mine/card.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_staff_open_a_persons_card_from_the_person_page(world: Any) -> None:
    client = _client(world.branch_malang)
    person_page = client.get(f"/persons/{world.driver.pk}/").content.decode()
    assert f'href="/cards/person/{world.driver.pk}/"' in person_page
    assert 'href="/cards/mine/"' not in client.get("/").content.decode()  # staff have no card of their own

    assert client.post(f"/cards/person/{world.driver.pk}/", {"action": "issue"}).status_code == 302
    assert client.get(f"/cards/person/{world.driver.pk}/card.pdf").status_code == 200
    assert client.post(f"/cards/person/{world.driver.pk}/", {"action": "revoke"}).status_code == 302
    assert MembershipCard.objects.get(person=world.driver).revoked
    # A person without a membership: the page says so and offers no button; a hand-made POST is refused.
    operator_page = client.get(f"/cards/person/{world.operator.pk}/")
    assert operator_page.status_code == 404  # the factory worker lives in Bekasi: not Malang's


def test_pages_refuse_other_roles(world: Any) -> None:
    assert _client(world.sponsor_user).get(f"/cards/person/{world.driver.pk}/").status_code == 403
    assert _client(world.hr_hospital).get(f"/cards/person/{world.nurse.pk}/").status_code == 403
    assert _client(world.sponsor_user).get("/cards/mine/").status_code == 403
    assert _client(world.branch_malang).get("/cards/mine/").status_code == 403
    worker = _client(world.worker_user)
    assert worker.get(f"/cards/person/{world.driver.pk}/").status_code == 404
    assert worker.post(f"/cards/person/{world.driver.pk}/", {"action": "issue"}).status_code == 404
    assert worker.get(f"/cards/person/{world.driver.pk}/card.pdf").status_code == 404
    assert not MembershipCard.objects.exists()
    assert Client().get("/cards/mine/").status_code == 302  # to the login page


def test_verify_page_shows_initials_and_status_never_the_nik(world: Any) -> None:
    _card, token = card_issue(actor=world.admin, person_id=world.nurse.pk)
    response = Client().get(f"/verify/{token}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "N. C." in page
    assert Membership.objects.get(person=world.nurse).kpj in page
    assert "aktif" in page
    assert "jaminan pensiun (JP)" in page
    for private in (
        world.nurse.nik,
        world.nurse.full_name,
        "Ners",
        world.nurse.birth_date.strftime("%d-%m-%Y"),
        world.nurse.birth_date.isoformat(),
        "1990",
        world.nurse.address_region.name,
        world.hospital.name,
    ):
        assert private not in page, private
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_verify_page_says_lapsed_and_ended(world: Any) -> None:
    _card, token = card_issue(actor=world.admin, person_id=world.driver.pk)
    Membership.objects.filter(pk=world.driver_membership.pk).update(status=Membership.Status.INACTIVE)
    assert "tidak aktif hari ini" in Client().get(f"/verify/{token}").content.decode()
    Membership.objects.filter(pk=world.driver_membership.pk).update(
        status=Membership.Status.ENDED, end_date=timezone.localdate()
    )
    page = Client().get(f"/verify/{token}").content.decode()
    assert "kepesertaannya telah berakhir" in page


@pytest.mark.parametrize(
    "forged",
    [
        "",
        "garbage",
        "WzEsIjIwMjYxMjA3Il0:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "a/b/c",
        "%E2%9C%93",
        "x" * 3000,
        "..%2F..%2Fetc%2Fpasswd",
    ],
)
def test_forged_tokens_get_a_calm_page(world: Any, forged: str, django_assert_num_queries: Any) -> None:
    client = Client()
    with django_assert_num_queries(0):
        response = client.get(f"/verify/{forged}")
    assert response.status_code == 404
    page = response.content.decode()
    assert NOT_VERIFIED in page
    assert "Traceback" not in page


def test_altered_and_revoked_tokens_on_the_page(world: Any) -> None:
    _card, token = card_issue(actor=world.admin, person_id=world.nurse.pk)
    payload, signature = token.rsplit(":", 1)
    altered = payload[:-1] + ("A" if payload[-1] != "A" else "B") + ":" + signature
    assert Client().get(f"/verify/{altered}").status_code == 404
    card_issue(actor=world.admin, person_id=world.nurse.pk)
    revoked = Client().get(f"/verify/{token}")
    assert revoked.status_code == 410
    assert "telah dicabut" in revoked.content.decode()
    assert "N. C." not in revoked.content.decode()


def _run(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("cards", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_command_issues_a_card(world: Any, tmp_path: Path, settings: Any) -> None:
    settings.CAKUPAN_PUBLIC_URL = "https://cakupan.example.go.id/"
    pdf = tmp_path / "kartu.pdf"
    code, out = _run("issue", world.driver.nik, "--pdf", str(pdf), "--json")
    assert code == 0
    answer = json.loads(out)
    assert set(answer) == {"kpj", "verify_url", "status"}
    assert answer["kpj"] == world.driver_membership.kpj
    assert answer["status"] == "active"
    assert answer["verify_url"].startswith("https://cakupan.example.go.id/verify/")
    assert pdf.read_bytes().startswith(b"%PDF")
    token = answer["verify_url"].rsplit("/verify/", 1)[1]
    assert "B. C." not in Client().get(f"/verify/{token}").content.decode()  # P. C.: Pengemudi Contoh
    assert "P. C." in Client().get(f"/verify/{token}").content.decode()
    card = MembershipCard.objects.get(person=world.driver)
    assert card.issued_by is None  # SYSTEM; the audit event names the OS account instead

    code, out = _run("issue", world.driver.nik, "--user", world.branch_malang.username)
    assert code == 0
    assert "KPJ " in out
    assert (
        MembershipCard.objects.filter(person=world.driver, revoked=False).get().issued_by
        == world.branch_malang
    )


@pytest.mark.parametrize(
    ("args", "exit_code", "field"),
    [
        (["issue", "123", "--json"], 2, "nik"),
        (["issue", "3573015203900999", "--json"], 2, "nik"),  # well formed, nobody's
        (["issue", "{nik}", "--user", "nobody", "--json"], 2, "user"),
        (["issue", "{nik}", "--user", "csr_rs", "--json"], 3, "permission"),
        (["issue", "{nik}", "--pdf", "/no/such/folder/kartu.pdf", "--json"], 2, "pdf"),
    ],
)
def test_command_refusals(world: Any, args: list[str], exit_code: int, field: str) -> None:
    code, out = _run(*[a.replace("{nik}", world.driver.nik) for a in args])
    assert code == exit_code
    assert json.loads(out)["errors"][0]["field"] == field
    assert not MembershipCard.objects.exists()


def test_command_for_an_operator_without_a_membership(world: Any) -> None:
    code, out = _run("issue", world.operator.nik, "--json")
    assert code == 2
    assert json.loads(out)["errors"][0]["field"] == "person"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_pdf_reads_back_with_name_kpj_and_date_never_the_nik(world: Any, tmp_path: Path) -> None:
    card, _token = card_issue(actor=world.admin, person_id=world.nurse.pk)
    path = tmp_path / "kartu.pdf"
    path.write_bytes(_client(world.worker_user).get("/cards/mine/card.pdf").content)
    tool = shutil.which("pdftotext") or "pdftotext"
    out = subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, check=True, text=True)  # noqa: S603
    text = " ".join(out.stdout.split())
    assert world.nurse.full_name in text
    assert Membership.objects.get(person=world.nurse).kpj in text
    assert date_format(timezone.localdate(card.issued_at), "j F Y") in text  # e.g. 7 Desember 2026
    assert "Kartu Peserta Digital" in text  # in Bahasa Indonesia, as letters are
    assert world.nurse.nik not in text
    assert "Status hari ini" not in text


def test_verify_logs_no_personal_data(world: Any, caplog: Any) -> None:
    """Django logs every 4xx with its path: the token's path names a card id and a date, nobody."""
    _card, token = card_issue(actor=world.admin, person_id=world.nurse.pk)
    card_issue(actor=world.admin, person_id=world.nurse.pk)  # the first card is now revoked: a 410
    with caplog.at_level("DEBUG"):
        assert Client().get(f"/verify/{token}").status_code == 410
        assert Client().get(f"/verify/{token[:-2]}").status_code == 404
    logged = caplog.text
    assert "/verify/" in logged  # the 4xx were logged, so the check below looked at something
    for private in (
        world.nurse.nik,
        world.nurse.full_name,
        "N. C.",
        Membership.objects.get(person=world.nurse).kpj,
    ):
        assert private not in logged


def test_verify_page_in_english_after_switching(world: Any) -> None:
    _card, token = card_issue(actor=world.admin, person_id=world.nurse.pk)
    client = Client()
    assert (
        "Kartu ini asli dan kepesertaannya aktif hari ini." in client.get(f"/verify/{token}").content.decode()
    )
    client.post("/i18n/setlang/", {"language": "en", "next": f"/verify/{token}"})
    page = client.get(f"/verify/{token}").content.decode()
    assert "This card is genuine and the membership is active today." in page
    assert "work accident (JKK)" in page
    assert "This card could not be verified." in client.get("/verify/nothing").content.decode()
