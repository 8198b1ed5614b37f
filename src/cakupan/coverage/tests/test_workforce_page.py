"""The workforce import page: same service as `cakupan workforce import`, office staff only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cakupan.coverage.models import WorkforceStat

URL = "/coverage/workforce/"
HEADER = "region_code,year,survey_month,employed,formal,informal,source\n"


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def upload(text: str, name: str = "w.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.mark.parametrize("who", ["admin", "branch_malang"])
def test_good_file_imports(world: Any, who: str) -> None:
    c = client_for(getattr(world, who))
    body = HEADER + "35.73,2024,8,436742,200000,236742,BPS Kota Malang\n35.07,2024,8,1500000,,,\n"
    page = c.post(URL, {"file": upload(body), "source": "synthetic demo"})
    assert page.status_code == 302
    stats = {s.region_id: (s.employed, s.informal, s.source) for s in WorkforceStat.objects.all()}
    assert stats == {
        "35.73": (436742, 236742, "BPS Kota Malang"),
        "35.07": (1500000, None, "synthetic demo"),
    }
    listing = c.get(URL).content.decode()
    assert "BPS Kota Malang" in listing
    assert "436,742" in listing or "436.742" in listing


def test_bad_file_shows_errors_and_writes_nothing(world: Any) -> None:
    body = HEADER + "35.73,2024,8,1000,600,400,ok\n99.99,2024,5,12x,,,src\n"
    page = client_for(world.admin).post(URL, {"file": upload(body)})
    html = page.content.decode()
    assert page.status_code == 400
    for field in ("row 2.region_code", "row 2.survey_month", "row 2.employed"):
        assert field in html
    assert not WorkforceStat.objects.exists()


def test_unreadable_xlsx_is_a_field_error(world: Any) -> None:
    page = client_for(world.admin).post(URL, {"file": upload("not a workbook", "w.xlsx")})
    assert page.status_code == 400
    assert "file:" in page.content.decode()
    assert not WorkforceStat.objects.exists()


@pytest.mark.parametrize("who", ["agency_health_malang", "hr_hospital", "worker_user"])
def test_other_roles_get_403(world: Any, who: str) -> None:
    c = client_for(getattr(world, who))
    assert c.get(URL).status_code == 403
    assert c.post(URL, {"file": upload(HEADER + "35.73,2024,8,10,5,5,x\n")}).status_code == 403
    assert not WorkforceStat.objects.exists()


def test_dashboard_links_the_page_for_office_staff_only(world: Any) -> None:
    assert 'id="workforce-link"' in client_for(world.branch_malang).get("/coverage/").content.decode()
    assert (
        'id="workforce-link"' not in client_for(world.agency_health_malang).get("/coverage/").content.decode()
    )
