"""What an uploader sees of a person it linked (issue 12, Deliver 2): what it may know from its own link,
never the registered contact details or the person's other links; and an error about an existing NIK
names the person only to a user who may see them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cakupan.accounts.scope import scope_for
from cakupan.core.errors import Forbidden
from cakupan.enrolment.services import roster_import
from cakupan.enrolment.tests.conftest import write_csv
from cakupan.registry import services
from cakupan.registry.models import Person
from cakupan.registry.person_view import age_band, person_shown

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def _link_operator(world: Any, tmp_path: Path, settings: Any) -> Person:
    """The hospital's HR puts the factory's operator on its roster, with the registry's own details."""
    settings.VAR_DIR = tmp_path
    op = world.operator
    Person.objects.filter(pk=op.pk).update(phone="0819999000")
    row = [op.nik, op.full_name, f"{op.birth_date:%d/%m/%Y}", op.sex, "35.73.01", "", "4000000", ""]
    record = roster_import(
        actor=world.hr_hospital,
        path_or_file=write_csv(tmp_path / "r.csv", [row]),
        as_=("employer", "NPP00001"),
    )
    assert record.imported == 1
    return op


def test_linked_person_without_contact_details_or_other_links(
    world: Any, tmp_path: Path, settings: Any
) -> None:
    op = _link_operator(world, tmp_path, settings)
    api = APIClient()
    api.force_authenticate(world.hr_hospital)
    body = api.get(f"{V1}/persons/{op.pk}/").json()
    assert (body["phone"], body["address_region"]) == (None, "32.16")  # no phone, the regency only
    assert body["nik"] == op.nik  # HR sees NIKs in full: birth date and sex are in it anyway
    # A district filter answers as for the regency: it would tell the district the role does not see.
    here, there = (
        {p["id"] for p in api.get(f"{V1}/persons/", {"region": d}).json()["results"]}
        for d in ("32.16.01", "32.16.02")
    )
    assert here == there == {op.pk}
    jobs = api.get(f"{V1}/persons/{op.pk}/employments/").json()["results"]
    assert [j["employer"] for j in jobs] == [world.hospital.pk]  # not the factory's employment
    page = Client()
    page.force_login(world.hr_hospital)
    html = page.get(f"/persons/{op.pk}/").text
    assert "0819999000" not in html
    assert "32.16.01" not in html
    assert world.factory.name not in html
    form = page.get(f"/persons/{op.pk}/edit/")
    assert "0819999000" not in form.text
    assert "phone" not in form.context["form"].initial
    # Branch staff of the operator's region see the registry's details.
    office = APIClient()
    office.force_authenticate(world.branch_bekasi)
    assert office.get(f"{V1}/persons/{op.pk}/").json()["phone"] == "0819999000"


def test_edit_without_contact_details_keeps_them(world: Any) -> None:
    page = Client()
    page.force_login(world.hr_hospital)
    nurse = world.nurse
    Person.objects.filter(pk=nurse.pk).update(phone="0811")
    url = f"/persons/{nurse.pk}/edit/"
    post = {
        **page.get(url).context["form"].initial,
        "birth_date": nurse.birth_date.isoformat(),
        "full_name": "Ners",  # identity fields are shown disabled: a posted change is ignored
        "phone": "",
    }
    assert page.post(url, post).status_code == 302
    nurse.refresh_from_db()
    assert (nurse.full_name, nurse.phone, nurse.address_region_id) == (
        world.nurse.full_name,
        "0811",
        "35.73.01",
    )


@pytest.mark.parametrize(
    "change",
    [
        {"full_name": "Orang Lain"},
        {"birth_date": dt.date(1970, 1, 1)},
        {"sex": "L"},
        {"citizenship": "WNA"},
        {"nik": "3573015001900099"},
    ],
)
def test_only_the_office_rewrites_who_a_person_is(world: Any, change: dict[str, Any]) -> None:
    """A person linked by an employer's roster is the same record for every employer and sponsor: the HR
    of one may change the phone, never the identity (issue 12)."""
    with pytest.raises(Forbidden):
        services.person_update(actor=world.hr_hospital, person=world.nurse, **change)
    same = {key: getattr(world.nurse, key) for key in change}
    services.person_update(actor=world.hr_hospital, person=world.nurse, phone="0822", **same)
    world.nurse.refresh_from_db()
    assert world.nurse.phone == "0822"
    services.person_update(actor=world.branch_malang, person=world.nurse, **change)
    world.nurse.refresh_from_db()
    assert all(getattr(world.nurse, key) == value for key, value in change.items())


def test_duplicate_nik_names_the_person_only_to_who_may_see_them(world: Any) -> None:
    data = {
        "nik": world.operator.nik,
        "full_name": "Siapa Saja",
        "birth_date": "1985-07-20",
        "sex": "L",
        "address_region": "35.73.01",
        "employer": world.hospital.pk,
        "start_date": "2025-01-01",
        "basic_wage": 4_000_000,
    }
    hr = APIClient()
    hr.force_authenticate(world.hr_hospital)
    answer = hr.post(f"{V1}/workers/", data, format="json")
    assert answer.status_code == 400
    messages = " ".join(e["message"] for e in answer.json()["errors"])
    assert "sudah terdaftar" in messages  # the default language: Bahasa Indonesia
    assert f"#{world.operator.pk}" not in messages
    admin = APIClient()
    admin.force_authenticate(world.admin)
    person_keys = ("nik", "full_name", "birth_date", "sex", "address_region")
    answer = admin.post(f"{V1}/persons/", {k: data[k] for k in person_keys}, format="json")
    messages = " ".join(e["message"] for e in answer.json()["errors"])
    assert f"#{world.operator.pk}" in messages


def test_age_band_and_fail_closed() -> None:
    assert age_band(dt.date(1990, 6, 2), dt.date(2026, 6, 1)) == "30–39"
    assert age_band(dt.date(1990, 6, 1), dt.date(2030, 6, 1)) == "40–49"


def test_no_scope_shows_the_least(world: Any) -> None:
    shown = person_shown(scope=None, person=world.driver)
    assert (shown.birth_date, shown.sex, shown.phone, shown.region_code) == (None, None, None, "35.73")
    assert "*" in shown.nik
    full = person_shown(scope=scope_for(world.admin), person=world.driver)
    assert (full.nik, full.region_code) == (world.driver.nik, "35.73.02")
