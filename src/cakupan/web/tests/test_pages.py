"""Home pages, search, masking of NIKs for sponsors, language, and query counts of the lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cakupan.accounts.scope import mask_nik
from cakupan.core.models import AuditEvent
from cakupan.partners.models import PartnerAgency
from cakupan.regions.models import Region
from cakupan.registry import services
from cakupan.registry.nik import nik_compose


def test_home_shows_counts_from_the_scope(world: Any, as_user: Any) -> None:
    response = as_user(world.branch_malang).get(reverse("home"))
    # Employers, persons and active memberships in the Malang branch's regencies: the hospital; the nurse
    # and the driver; the nurse's PU and the driver's BPU membership.
    assert [c["value"] for c in response.context["counts"]] == [1, 2, 2]
    response = as_user(world.hr_factory).get(reverse("home"))
    # Its employer, its one worker (current), and no membership yet.
    assert [c["value"] for c in response.context["counts"]] == [1, 1, 1, 0]


def test_worker_home_lists_own_memberships(world: Any, as_user: Any) -> None:
    response = as_user(world.worker_user).get(reverse("home"))
    assert response.status_code == 200
    kpjs = [m.kpj for m in response.context["memberships"]]
    assert kpjs == list(world.nurse.memberships.values_list("kpj", flat=True))
    assert kpjs[0] in response.text
    assert world.driver_membership.kpj not in response.text


def test_search_finds_persons_by_nik_name_and_kpj_and_employers(world: Any, as_user: Any) -> None:
    client = as_user(world.branch_malang)
    url = reverse("search")
    by_nik = client.get(url, {"q": world.nurse.nik})
    assert list(by_nik.context["persons"]) == [world.nurse]
    by_kpj = client.get(url, {"q": world.driver_membership.kpj})
    assert list(by_kpj.context["persons"]) == [world.driver]
    # A name is found by its start, case ignored ("PENGEMUDI c", "ners"); a word inside it finds no one.
    for start, found in (("PENGEMUDI c", "Pengemudi Contoh"), ("ners", "Ners Contoh")):
        assert [p.full_name for p in client.get(url, {"q": start}).context["persons"]] == [found]
    by_name = client.get(url, {"q": "contoh"})
    assert list(by_name.context["persons"]) == []
    assert list(by_name.context["employers"]) == [world.hospital]  # not the factory in Bekasi
    # htmx asks for the results only.
    partial = client.get(url, {"q": "NPP00001"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.text
    assert "RS Contoh Sehat" in partial.text


def test_sponsor_sees_nik_masked_everywhere(world: Any, as_user: Any) -> None:
    client = as_user(world.sponsor_user)
    nik = world.driver.nik
    pages = [
        reverse("registry:person_list"),
        reverse("registry:person_detail", args=[world.driver.pk]),
        reverse("registry:membership_list"),
        reverse("registry:membership_detail", args=[world.driver_membership.pk]),
        reverse("search") + "?q=Pengemudi",
    ]
    for url in pages:
        html = client.get(url).text
        assert nik not in html, url
        assert mask_nik(nik) in html, url
    # Branch staff see it whole.
    assert nik in as_user(world.branch_malang).get(pages[1]).text


def test_list_filter_and_htmx_partial(world: Any, as_user: Any) -> None:
    client = as_user(world.admin)
    response = client.get(reverse("registry:employer_list"), {"q": "Pabrik"}, headers={"HX-Request": "true"})
    assert "<html" not in response.text
    assert "PT Pabrik Contoh" in response.text
    assert "RS Contoh Sehat" not in response.text
    response = client.get(reverse("registry:membership_list"), {"segment": "BPU", "status": "active"})
    assert [m.pk for m in response.context["page_obj"]] == [world.driver_membership.pk]


def test_lookups_fill_suggestions(world: Any, as_user: Any) -> None:
    client = as_user(world.branch_malang)
    klojen = Region.objects.get(name="Klojen", parent_id="35.73")
    regions = client.get(reverse("region_options"), {"address_region": "Klojen"}).text
    assert f'value="{klojen.code}"' in regions
    assert client.get(reverse("region_options"), {"region": "35."}).text.count("<option") == 15  # capped
    employers = client.get(reverse("employer_options"), {"employer": "Contoh"}).text
    assert 'value="NPP00001"' in employers
    assert "NPP00002" not in employers  # outside the Malang branch's scope


def test_indonesian_by_default_english_after_switching(world: Any, as_user: Any) -> None:
    client = as_user(world.branch_malang)
    # A browser that prefers English still gets Indonesian until the user switches.
    page = client.get(reverse("registry:employer_list"), headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="id">' in page.text
    assert "Pemberi kerja" in page.text
    switch = {"language": "en", "next": reverse("registry:employer_list")}
    response = client.post(reverse("set_language"), switch)
    assert response.status_code == 302
    page = client.get(reverse("registry:employer_list"))
    assert '<html lang="en">' in page.text
    assert "Employers" in page.text
    assert "Pemberi kerja" not in page.text


def _bulk_world(world: Any, n: int) -> None:
    """n more persons, each employed by the hospital and enrolled: rows on every list."""
    for i in range(n):
        born = dt.date(1980, 1, 1) + dt.timedelta(days=37 * i)
        person = services.person_register(
            actor=world.admin,
            nik=nik_compose(district_code="35.73.04", birth_date=born, sex="L", serial=100 + i),
            full_name=f"Pekerja {i:02d}",
            birth_date=born,
            sex="L",
            address_region="35.73.04",
        )
        employment = services.employment_start(
            actor=world.admin,
            person=person,
            employer=world.hospital,
            start_date=dt.date(2024, 1, 1),
            basic_wage=3_000_000,
        )
        services.membership_enrol(
            actor=world.admin,
            person=person,
            segment="PU",
            programs=["JKK", "JKM", "JHT"],
            start_date=dt.date(2024, 1, 1),
            payer_kind="employer",
            employer=world.hospital,
            employment=employment,
        )
        services.employer_register(
            actor=world.admin,
            npp=f"NPPX{i:04d}",
            name=f"Usaha {i:02d}",
            legal_form="CV",
            size_class="mikro",
            kbli="47111",
            risk_class=1,
            region="35.73.04",
        )


PAGES: list[tuple[str, Any, dict[str, str]]] = [
    ("registry:employer_list", None, {}),
    ("registry:person_list", None, {}),
    ("registry:employment_list", None, {}),
    ("registry:membership_list", None, {}),
    ("search", None, {"q": "a"}),
    ("registry:employer_detail", lambda w: [w.hospital.pk], {}),  # lists the hospital's workers
]


@pytest.mark.parametrize(("name", "args", "params"), PAGES)
def test_page_queries_do_not_grow_with_rows(
    world: Any, as_user: Any, django_assert_max_num_queries: Any, name: str, args: Any, params: Any
) -> None:
    client = as_user(world.branch_malang)
    url = reverse(name, args=args(world) if args else None)
    client.get(url, params)  # warm caches (session, region codes)
    with CaptureQueriesContext(connection) as few:
        small = client.get(url, params)
    _bulk_world(world, 29)
    with django_assert_max_num_queries(len(few.captured_queries)):
        big = client.get(url, params)
    assert small.status_code == big.status_code == 200
    assert len(big.content) > len(small.content)  # the 29 new rows are on the page


def test_api_keeps_accept_language(world: Any, client: Any) -> None:
    # Pages ignore the browser's language; API clients choose theirs with Accept-Language.
    page = client.get(reverse("login"), headers={"Accept-Language": "en"})
    assert page["Content-Language"] == "id"
    api = client.get("/api/v1/", headers={"Accept-Language": "en"})
    assert api["Content-Language"] == "en"
    assert client.get("/api/v1/")["Content-Language"] == "id"


def test_sign_in_and_out(world: Any, client: Any) -> None:
    response = client.post(reverse("login"), {"username": "staf_malang", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert 'class="errorlist nonfield"' in response.text
    response = client.post(reverse("login"), {"username": "staf_malang", "password": "pw-staf_malang"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # a link cannot sign anyone out
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_admin_changes_are_audited(world: Any, as_user: Any) -> None:
    world.admin.is_staff = True
    world.admin.save()
    data = {
        "name": "Dinas Kesehatan Kabupaten Malang",
        "kind": "dinkes",
        "region": "35.07",
        "sector": "health",
    }
    response = as_user(world.admin).post("/admin/partners/partneragency/add/", data)
    assert response.status_code == 302
    agency = PartnerAgency.objects.get(name=data["name"])
    event = AuditEvent.objects.get(action="admin_create", entity="partners.partneragency")
    assert (event.entity_id, event.actor) == (str(agency.pk), world.admin)
