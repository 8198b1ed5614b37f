"""Agreement documents: a PDF by its type and its first bytes, within the size limit, stored outside the
web root by a random name (mode 0600), served only to the agreement's parties and office."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from conftest import make_user
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cakupan.core.errors import Forbidden, InvalidInput
from cakupan.demo.s7_agreements import _pdf
from cakupan.partners.models import AgreementDocument, PartnerAgency
from cakupan.partners.services.documents import document_path, document_upload
from cakupan.partners.tests.factories import agency_of, agreement

pytestmark = pytest.mark.django_db
PDF = _pdf("PKS uji")


def upload(name: str = "pks.pdf", content: bytes = PDF, content_type: str = "application/pdf") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def stored(world: Any, tmp_path: Path, settings: Any) -> Any:
    settings.VAR_DIR = tmp_path
    found = agreement(world.branch_malang, agencies=(agency_of(world.agency_health_malang),))
    return document_upload(actor=world.branch_malang, agreement=found.pk, upload=upload(), title="Naskah")


def test_a_pdf_is_stored_outside_the_web_root_and_served_to_the_parties(world: Any, stored: Any) -> None:
    path = document_path(stored)
    assert path.read_bytes() == PDF
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Path(settings.STATIC_ROOT) not in path.parents
    assert stored.file_name == "pks.pdf"
    assert stored.stored_name not in ("pks.pdf", "")
    for user in (world.branch_malang, world.agency_health_malang, world.admin):
        client = Client()
        client.force_login(user)
        answer = client.get(reverse("partners:document", args=[stored.pk]))
        assert answer.status_code == 200, user
        assert answer["Content-Type"] == "application/pdf"
        assert answer.getvalue() == PDF


def test_no_one_else_gets_the_document(world: Any, stored: Any) -> None:
    other_agency = PartnerAgency.objects.create(
        name="Dinkes Lain", kind="dinkes", region_id="35.73", sector="health"
    )
    outsiders = [
        world.branch_bekasi,
        world.agency_labour_bekasi,
        make_user("dinkes_lain", "agency", agency=other_agency),
    ]
    for user in outsiders:
        client = Client()
        client.force_login(user)
        assert client.get(reverse("partners:document", args=[stored.pk])).status_code == 404, user
    for user in (world.hr_hospital, world.sponsor_user, world.worker_user):
        client = Client()
        client.force_login(user)
        assert client.get(reverse("partners:document", args=[stored.pk])).status_code == 403, user
    assert Client().get(reverse("partners:document", args=[stored.pk])).status_code == 302  # to sign in
    assert not str(settings.STATIC_URL).startswith("/agreements")


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("pks.pdf", b"MZ not a pdf", "application/pdf"),  # says PDF, is not one
        ("pks.exe", PDF, "application/octet-stream"),  # is a PDF, says it is not
        ("pks.pdf", PDF, "text/html"),
        ("pks.html", PDF, "application/pdf"),
    ],
)
def test_anything_but_a_pdf_is_refused_and_nothing_stored(
    world: Any, tmp_path: Path, settings: Any, name: str, content: bytes, content_type: str
) -> None:
    settings.VAR_DIR = tmp_path
    found = agreement(world.branch_malang)
    with pytest.raises(InvalidInput) as refused:
        document_upload(
            actor=world.branch_malang, agreement=found.pk, upload=upload(name, content, content_type)
        )
    assert [e.field for e in refused.value.errors] == ["file"]
    assert AgreementDocument.objects.count() == 0
    assert not any((tmp_path / "private" / "agreements").glob("*"))


def test_a_file_over_the_limit_is_refused(world: Any, tmp_path: Path, settings: Any) -> None:
    settings.VAR_DIR = tmp_path
    settings.CAKUPAN_AGREEMENT_DOC_MAX_BYTES = 100
    found = agreement(world.branch_malang)
    assert len(PDF) > 100
    with pytest.raises(InvalidInput, match="file"):
        document_upload(actor=world.branch_malang, agreement=found.pk, upload=upload())
    assert AgreementDocument.objects.count() == 0


def test_the_upload_page_and_api_answer_400_for_a_bad_file_and_403_for_an_agency(
    world: Any, tmp_path: Path, settings: Any
) -> None:
    settings.VAR_DIR = tmp_path
    found = agreement(world.branch_malang, agencies=(agency_of(world.agency_health_malang),))
    client = Client()
    client.force_login(world.branch_malang)
    bad = client.post(reverse("partners:document_add", args=[found.pk]), {"file": upload("x.pdf", b"hello")})
    assert bad.status_code == 400
    good = client.post(reverse("partners:document_add", args=[found.pk]), {"file": upload(), "title": "PKS"})
    assert good.status_code == 302, good.content.decode()[-3000:]
    api = client.post(f"/api/v1/agreements/{found.number}/documents/", {"file": upload("y.pdf", b"%PDx")})
    assert api.status_code == 400
    assert api.json()["errors"][0]["field"] == "file"
    agency = Client()
    agency.force_login(world.agency_health_malang)
    assert agency.post(f"/api/v1/agreements/{found.number}/documents/", {"file": upload()}).status_code == 403
    with pytest.raises(Forbidden):
        document_upload(actor=world.agency_health_malang, agreement=found.pk, upload=upload())
    assert AgreementDocument.objects.count() == 1
