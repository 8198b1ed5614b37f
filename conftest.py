"""Shared fixtures: the official regions loaded once per test database, and a small world with a user of
every role (built through the services, so the real invariants run)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from cakupan.accounts.models import Role, User
from cakupan.partners.models import PartnerAgency
from cakupan.regions.models import BranchOffice
from cakupan.regions.services import branch_office_upsert, regions_load
from cakupan.registry import services
from cakupan.registry.models import Employer, Membership, Person, Sponsor
from cakupan.registry.nik import nik_compose


def pytest_configure(config: Any) -> None:
    from django.conf import settings

    # Full-strength password hashing costs about half a second per user; tests build many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def language_of_a_new_process() -> Any:
    """Each test starts in the product's default language, as a new process (a command, a worker) does:
    a request with `Accept-Language: en` leaves English active in the thread after it (Django's
    LocaleMiddleware does not restore it), and a later test's command would then answer in English."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        regions_load()


@pytest.fixture(scope="module")
def regions_back_after_module(django_db_blocker: Any) -> Any:
    """For a module of transactional tests: their flush empties every table, regions included, and the
    tests after them expect the regions; load them back once the module is done."""
    yield
    with django_db_blocker.unblock():
        regions_load()


@pytest.fixture
def regions_in_transactional_db(transactional_db: Any) -> None:
    """The regions, in a transactional test that may follow another one's flush."""
    from cakupan.regions.models import Region

    if not Region.objects.filter(pk="35.73.01").exists():
        regions_load()


@dataclass
class World:
    malang: BranchOffice
    bekasi: BranchOffice
    admin: User
    branch_malang: User
    branch_bekasi: User
    agency_health_malang: User
    agency_labour_bekasi: User
    hr_hospital: User
    hr_factory: User
    sponsor_user: User
    worker_user: User
    hospital: Employer  # Kota Malang, health facility
    factory: Employer  # Kabupaten Bekasi
    sponsor: Sponsor
    nurse: Person  # employed by the hospital, lives in Kota Malang
    operator: Person  # employed by the factory, lives in Kabupaten Bekasi
    driver: Person  # BPU, sponsored by the hospital's CSR, lives in Kota Malang
    driver_membership: Membership


def make_user(username: str, role: str, **scope: Any) -> User:
    return User.objects.create_user(username=username, password="pw-" + username, role=role, **scope)


def person_data(district: str, born: dt.date, sex: str, serial: int, name: str) -> dict[str, Any]:
    nik = nik_compose(district_code=district, birth_date=born, sex=sex, serial=serial)
    return {"nik": nik, "full_name": name, "birth_date": born, "sex": sex, "address_region": district}


@pytest.fixture
def world(db: Any) -> World:
    malang = branch_office_upsert(
        code="MLG", name="Kantor Cabang Malang", seat="35.73", regions=["35.07", "35.73"]
    )
    bekasi = branch_office_upsert(
        code="BKC", name="Kantor Cabang Bekasi Cikarang", seat="32.16", regions=["32.16"]
    )
    admin = make_user("admin", Role.NATIONAL_ADMIN)
    hospital = services.employer_register(
        actor=admin,
        npp="NPP00001",
        name="RS Contoh Sehat",
        legal_form="PT",
        size_class="menengah",
        kbli="86101",
        risk_class=2,
        region="35.73.01",
        branch_office=malang.pk,
        facility_type="rumah_sakit",
    )
    factory = services.employer_register(
        actor=admin,
        npp="NPP00002",
        name="PT Pabrik Contoh",
        legal_form="PT",
        size_class="besar",
        kbli="10750",
        risk_class=3,
        region="32.16.01",
        branch_office=bekasi.pk,
    )
    sponsor = services.sponsor_register(
        actor=admin, name="CSR RS Contoh Sehat", kind="csr", region="35.73", employer=hospital.pk
    )
    nurse = services.person_register(
        actor=admin, **person_data("35.73.01", dt.date(1990, 3, 5), "P", 1, "Ners Contoh")
    )
    services.employment_start(
        actor=admin,
        person=nurse,
        employer=hospital,
        start_date=dt.date(2020, 1, 1),
        basic_wage=4_000_000,
        fixed_allowance=500_000,
        occupation="kesehatan",
    )
    services.membership_enrol(
        actor=admin,
        person=nurse,
        segment="PU",
        programs=["JKK", "JKM", "JHT", "JP", "JKP"],
        start_date=dt.date(2020, 1, 1),
        payer_kind="employer",
        employer=hospital,
    )
    operator = services.person_register(
        actor=admin, **person_data("32.16.01", dt.date(1985, 7, 20), "L", 2, "Operator Contoh")
    )
    services.employment_start(
        actor=admin, person=operator, employer=factory, start_date=dt.date(2018, 5, 1), basic_wage=5_500_000
    )
    driver = services.person_register(
        actor=admin, **person_data("35.73.02", dt.date(1995, 11, 12), "L", 3, "Pengemudi Contoh")
    )
    driver_membership = services.membership_enrol(
        actor=admin,
        person=driver,
        segment="BPU",
        programs=["JKK", "JKM"],
        start_date=dt.date(2025, 5, 1),
        payer_kind="sponsor",
        sponsor=sponsor,
        declared_income=1_000_000,
        bpu_sector="transport",
    )
    health_agency = PartnerAgency.objects.create(
        name="Dinas Kesehatan Kota Malang", kind="dinkes", region_id="35.73", sector="health"
    )
    labour_agency = PartnerAgency.objects.create(
        name="Disnaker Kabupaten Bekasi", kind="disnaker", region_id="32.16", sector="all"
    )
    return World(
        malang=malang,
        bekasi=bekasi,
        admin=admin,
        branch_malang=make_user("staf_malang", Role.BRANCH_STAFF, branch_office=malang),
        branch_bekasi=make_user("staf_bekasi", Role.BRANCH_STAFF, branch_office=bekasi),
        agency_health_malang=make_user("dinkes_malang", Role.AGENCY, agency=health_agency),
        agency_labour_bekasi=make_user("disnaker_bekasi", Role.AGENCY, agency=labour_agency),
        hr_hospital=make_user("hr_rs", Role.EMPLOYER_HR, employer=hospital),
        hr_factory=make_user("hr_pabrik", Role.EMPLOYER_HR, employer=factory),
        sponsor_user=make_user("csr_rs", Role.SPONSOR, sponsor=sponsor),
        worker_user=make_user("pekerja", Role.WORKER, person=nurse),
        hospital=hospital,
        factory=factory,
        sponsor=sponsor,
        nurse=nurse,
        operator=operator,
        driver=driver,
        driver_membership=driver_membership,
    )
