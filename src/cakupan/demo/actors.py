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
    name: str = ""  # the person behind the login, greeted by name (a worker: their own record's name)
    password: str = f.PASSWORD


# The worker logins are scoped to persons chosen by the S4 builder (see `users_create`).
DRIVER, NURSE = "a CSR-sponsored ojol driver in Kota Malang", "a nurse of RS Hermina Contoh"
LOGINS = [
    Login("admin", Role.NATIONAL_ADMIN, "everything", "Hadi Kusuma"),
    Login("staf_malang", Role.BRANCH_STAFF, "MLG", "Rina Wulandari"),
    Login("staf_pekalongan", Role.BRANCH_STAFF, "PKL", "Agus Setiawan"),
    Login("staf_bekasi", Role.BRANCH_STAFF, "BKC", "Dewi Lestari"),
    Login("staf_lhokseumawe", Role.BRANCH_STAFF, "LSM", "Teuku Iskandar"),
    Login("dinkes_lhokseumawe", Role.AGENCY, AGENCIES[0][0], "Cut Nyak Fitri"),
    Login("disnaker_batang", Role.AGENCY, AGENCIES[1][0], "Bambang Supriyadi"),
    Login("dinkes_bekasi", Role.AGENCY, AGENCIES[2][0], "Yuni Rahmawati"),
    Login("disnaker_bekasi", Role.AGENCY, AGENCIES[3][0], "Hendra Gunawan"),
    Login("pemkot_malang", Role.AGENCY, AGENCIES[4][0], "Sri Handayani"),
    Login("disnaker_malang", Role.AGENCY, AGENCIES[5][0], "Joko Prasetyo"),
    Login("hr_hermina", Role.EMPLOYER_HR, HOSPITAL_NAME, "Maya Anggraini"),
    Login("hr_batang", Role.EMPLOYER_HR, COMPANY_NAME, "Budi Santoso"),
    Login("sponsor_apbd", Role.SPONSOR, APBD_NAME, "Lina Marlina"),
    Login("sponsor_hermina", Role.SPONSOR, CSR_NAME, "Andi Wijaya"),
    Login("pekerja", Role.WORKER, DRIVER),
    Login("perawat", Role.WORKER, NURSE),
    # Field agents of Kantor Cabang Malang in Kab. Malang (s9_field.py).
    Login("agen_malang", Role.AGENT, "MLG", "Andi Prasetyo"),
    Login("agen_kepanjen", Role.AGENT, "MLG", "Rudi Hartono"),
    Login("agen_dampit", Role.AGENT, "MLG", "Wati Susanti"),
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
        first, _space, last = login.name.partition(" ")
        user = User(
            username=login.username, password=password, role=login.role, first_name=first, last_name=last
        )
        if login.role == Role.NATIONAL_ADMIN:
            user.is_staff = user.is_superuser = True
        elif login.role in (Role.BRANCH_STAFF, Role.AGENT):
            user.branch_office = office_by_code[login.scope]
        elif login.role == Role.AGENCY:
            user.agency = agencies[login.scope]
        elif login.role == Role.EMPLOYER_HR:
            user.employer = employers[login.scope]
        elif login.role == Role.SPONSOR:
            user.sponsor = sponsors[login.scope]
        else:
            person = persons[login.scope]
            user.person = person
            user.first_name, _space, user.last_name = person.full_name.partition(" ")
        users.append(user)
    return User.objects.bulk_create(users)
