"""Branch offices, partner agencies and the demo logins (one user per role at least)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from cakupan.accounts.models import Role, User
from cakupan.partners.models import PartnerAgency
from cakupan.regions.models import BranchOffice
from cakupan.regions.services import branch_office_upsert
from cakupan.registry.models import Employer, Person, Sponsor

from . import figures as f
from .s2_batang import COMPANY_NAME
from .s4_kota_malang import APBD_NAME, CSR_NAME, HOSPITAL_NAME

# (code, name, seat, regencies served)
OFFICES = [
    ("MLG", "Kantor Cabang Malang", f.KOTA_MALANG, [f.KAB_MALANG, f.KOTA_MALANG, f.KOTA_BATU]),
    ("PKL", "Kantor Cabang Pekalongan", f.KOTA_PEKALONGAN, [f.BATANG, f.KAB_PEKALONGAN, f.KOTA_PEKALONGAN]),
    ("BKC", "Kantor Cabang Bekasi Cikarang", f.KAB_BEKASI, [f.KAB_BEKASI]),
    ("LSM", "Kantor Cabang Lhokseumawe", f.LHOKSEUMAWE, [f.LHOKSEUMAWE, f.ACEH_UTARA]),
]
_HEALTH, _ALL = PartnerAgency.Sector.HEALTH, PartnerAgency.Sector.ALL
_DINKES, _DISNAKER, _PEMDA = (
    PartnerAgency.Kind.HEALTH,
    PartnerAgency.Kind.LABOUR,
    PartnerAgency.Kind.GOVERNMENT,
)
# (name, kind, region, sector)
AGENCIES = [
    ("Dinas Kesehatan Kota Lhokseumawe", _DINKES, f.LHOKSEUMAWE, _HEALTH),
    ("Dinas Ketenagakerjaan Kabupaten Batang", _DISNAKER, f.BATANG, _ALL),
    ("Dinas Kesehatan Kabupaten Bekasi", _DINKES, f.KAB_BEKASI, _HEALTH),
    ("Dinas Ketenagakerjaan Kabupaten Bekasi", _DISNAKER, f.KAB_BEKASI, _ALL),
    ("Pemerintah Kota Malang", _PEMDA, f.KOTA_MALANG, _ALL),
    ("Dinas Ketenagakerjaan Kabupaten Malang", _DISNAKER, f.KAB_MALANG, _ALL),
]


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    scope: str  # what the login is scoped to: an office code, an agency, employer or sponsor name, a person
    password: str = f.PASSWORD


# The worker logins are scoped to persons chosen by the S4 builder (see `users_create`).
DRIVER, NURSE = "a CSR-sponsored ojol driver in Kota Malang", "a nurse of RS Hermina Contoh"
LOGINS = [
    Login("admin", Role.NATIONAL_ADMIN, "everything"),
    Login("staf_malang", Role.BRANCH_STAFF, "MLG"),
    Login("staf_pekalongan", Role.BRANCH_STAFF, "PKL"),
    Login("staf_bekasi", Role.BRANCH_STAFF, "BKC"),
    Login("staf_lhokseumawe", Role.BRANCH_STAFF, "LSM"),
    Login("dinkes_lhokseumawe", Role.AGENCY, AGENCIES[0][0]),
    Login("disnaker_batang", Role.AGENCY, AGENCIES[1][0]),
    Login("dinkes_bekasi", Role.AGENCY, AGENCIES[2][0]),
    Login("disnaker_bekasi", Role.AGENCY, AGENCIES[3][0]),
    Login("pemkot_malang", Role.AGENCY, AGENCIES[4][0]),
    Login("disnaker_malang", Role.AGENCY, AGENCIES[5][0]),
    Login("hr_hermina", Role.EMPLOYER_HR, HOSPITAL_NAME),
    Login("hr_batang", Role.EMPLOYER_HR, COMPANY_NAME),
    Login("sponsor_apbd", Role.SPONSOR, APBD_NAME),
    Login("sponsor_hermina", Role.SPONSOR, CSR_NAME),
    Login("pekerja", Role.WORKER, DRIVER),
    Login("perawat", Role.WORKER, NURSE),
]
USERNAMES = [login.username for login in LOGINS]


def offices_upsert() -> dict[str, BranchOffice]:
    """The four branch offices, keyed by each regency they serve."""
    by_regency: dict[str, BranchOffice] = {}
    for code, name, seat, regions in OFFICES:
        office = branch_office_upsert(code=code, name=name, seat=seat, regions=regions)
        by_regency.update(dict.fromkeys(regions, office))
    return by_regency


def agencies_ensure() -> dict[str, PartnerAgency]:
    agencies = {}
    for name, kind, region, sector in AGENCIES:
        agency, _ = PartnerAgency.objects.update_or_create(
            name=name, region_id=region, defaults={"kind": kind, "sector": sector}
        )
        agencies[name] = agency
    return agencies


def users_create(
    *,
    offices: dict[str, BranchOffice],
    agencies: dict[str, PartnerAgency],
    employers: dict[str, Employer],
    sponsors: dict[str, Sponsor],
    persons: dict[str, Person],
) -> list[User]:
    """One bulk insert. All logins share one password hash: hashing is deliberately slow (PBKDF2), and a
    shared, documented demo password gains nothing from a salt per user."""
    password = make_password(f.PASSWORD)
    office_by_code = {office.code: office for office in offices.values()}
    users = []
    for login in LOGINS:
        user = User(username=login.username, password=password, role=login.role)
        if login.role == Role.NATIONAL_ADMIN:
            user.is_staff = user.is_superuser = True
        elif login.role == Role.BRANCH_STAFF:
            user.branch_office = office_by_code[login.scope]
        elif login.role == Role.AGENCY:
            user.agency = agencies[login.scope]
        elif login.role == Role.EMPLOYER_HR:
            user.employer = employers[login.scope]
        elif login.role == Role.SPONSOR:
            user.sponsor = sponsors[login.scope]
        else:
            user.person = persons[login.scope]
        users.append(user)
    return User.objects.bulk_create(users)
