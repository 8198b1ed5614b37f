"""Row builders for the demo: fictitious persons with synthetic NIKs, employers, employment, memberships.

Everything is built in memory from one seeded `random.Random`, so a seed always gives the same rows; the
rows are written later in bulk (`cakupan.demo.services`). Each builder applies the rule the matching
registry service enforces (valid NIK and its warnings, programmes open to the segment, who may pay), so
bulk rows are indistinguishable from rows entered one by one.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from cakupan.regions.codes import region_codes
from cakupan.regions.models import BranchOffice
from cakupan.registry.models import (
    PROGRAMS_BY_SEGMENT,
    Employer,
    Employment,
    Membership,
    Person,
    Segment,
    Sponsor,
)
from cakupan.registry.nik import nik_check, nik_compose

from . import figures as f

_GIVEN_MALE = (
    "Agus", "Ahmad", "Andi", "Arif", "Bambang", "Budi", "Dedi", "Dimas", "Eko", "Fajar", "Hendra", "Heru",
    "Iwan", "Joko", "Kurniawan", "Lukman", "Muhammad", "Nanang", "Rizki", "Slamet", "Sugeng", "Teguh",
    "Wahyu", "Yusuf", "Asep", "Dadang", "Ujang", "Cecep", "Teuku", "Munawar", "Zulfikar", "Razali",
    "Rahmat", "Samsul", "Taufik", "Irfan", "Sutrisno", "Gilang", "Hadi", "Bayu",
)  # fmt: skip
_GIVEN_FEMALE = (
    "Ani", "Dewi", "Endang", "Fitri", "Indah", "Lestari", "Mega", "Nur", "Putri", "Rina", "Sari", "Siti",
    "Sri", "Tri", "Wulan", "Yuni", "Ayu", "Dian", "Eka", "Ratna", "Neneng", "Euis", "Cut", "Nurul",
    "Rahmah", "Safitri", "Aminah", "Kartika", "Melati", "Nia", "Rosita", "Titin", "Umi", "Vina", "Wahyuni",
    "Yanti", "Zahra", "Marlina", "Suryani", "Intan",
)  # fmt: skip

# Professional titles in front of a health worker's name, as Indonesians write them.
TITLES = {"medis": ("dr.", "dr.", "drg."), "kesehatan": ("Ns.", "Bd.", "apt.", "")}

# JKP started with PP 37/2021 (February 2021); a participant must be under 54 when enrolled in it
# (rules.md §1.5), so for older memberships the age on that date decides.
JKP_FROM = dt.date(2021, 2, 2)
JKP_MAX_AGE = 54


@dataclass
class Rows:
    employers: list[Employer] = field(default_factory=list)
    sponsors: list[Sponsor] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    employments: list[Employment] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class Population:
    """Builds rows; holds the random generator and the allocators that keep NIK, KPJ, NPP, NIB unique."""

    def __init__(
        self,
        *,
        seed: int,
        scale: float,
        districts: dict[str, list[str]],
        offices: dict[str, BranchOffice],
    ) -> None:
        self.rng = random.Random(seed)
        self.scale = scale
        self.districts = districts  # regency code -> its district codes
        self.offices = offices  # regency code -> the branch office serving it
        self.rows = Rows()
        self.codes = region_codes()
        self._serials: dict[tuple[str, dt.date, str], int] = {}
        self._kpjs: set[str] = set()
        self._nibs: set[str] = set()
        self._npp_seq = 0

    # --- counts and random values --------------------------------------------------------------

    def n(self, count: int, floor: int = 1) -> int:
        return f.scaled(count, self.scale, floor)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def date_between(self, lo: dt.date, hi: dt.date) -> dt.date:
        if hi <= lo:
            return lo
        return lo + dt.timedelta(days=self.rng.randrange((hi - lo).days + 1))

    def month_start_between(self, lo: dt.date, hi: dt.date) -> dt.date:
        return self.date_between(lo, hi).replace(day=1)

    def district(self, regency: str) -> str:
        return self.rng.choice(self.districts[regency])

    def district_named(self, regency: str, name: str) -> str:
        found = [c for c in self.districts[regency] if self.codes.names.get(c) == name]
        assert found, f"no district {name!r} in {regency}"
        return found[0]

    # --- employers and sponsors ----------------------------------------------------------------

    def employer(
        self,
        *,
        name: str,
        regency: str,
        legal_form: str,
        size_class: str,
        kbli: str,
        risk_class: int,
        facility_type: str = "",
        district: str = "",
    ) -> Employer:
        """`district`: the name of the district where it stands (a random one of the regency if empty)."""
        self._npp_seq += 1
        nib = "" if legal_form == Employer.LegalForm.INSTANSI else self.new_nib()
        employer = Employer(
            npp=f"{f.NPP_PREFIX}{self._npp_seq:04d}",
            nib=nib,
            name=name,
            legal_form=legal_form,
            size_class=size_class,
            kbli=kbli,
            risk_class=risk_class,
            region_id=self.district_named(regency, district) if district else self.district(regency),
            branch_office=self.offices[regency],
            facility_type=facility_type,
        )
        self.rows.employers.append(employer)
        return employer

    def sponsor(self, *, name: str, kind: str, regency: str, employer: Employer | None = None) -> Sponsor:
        sponsor = Sponsor(name=name, kind=kind, region_id=regency, employer=employer)
        self.rows.sponsors.append(sponsor)
        return sponsor

    def new_nib(self) -> str:
        while True:
            nib = f"{self.rng.randrange(10**12, 10**13)}"
            if nib not in self._nibs:
                self._nibs.add(nib)
                return nib

    # --- persons -------------------------------------------------------------------------------

    def name(self, sex: str, title: str = "") -> str:
        given = self.rng.choice(_GIVEN_FEMALE if sex == "P" else _GIVEN_MALE)
        parts = [title, given]
        if self.chance(0.5):
            parts.append(self.rng.choice(_GIVEN_FEMALE if sex == "P" else _GIVEN_MALE))
        parts.append(self.rng.choice(f.SURNAMES))
        return " ".join(p for p in parts if p)

    def person(
        self,
        *,
        regency: str,
        sex: str | None = None,
        age: tuple[int, int] = (20, 58),
        title: str = "",
    ) -> Person:
        sex = sex or self.rng.choice("LP")
        youngest, oldest = age
        birth = self.date_between(
            f.AS_OF.replace(year=f.AS_OF.year - oldest - 1) + dt.timedelta(days=1),
            f.AS_OF.replace(year=f.AS_OF.year - youngest),
        )
        district = self.district(regency)
        # A few NIKs carry 31 December instead of the real birth date (issued when the date was not
        # known): Dukcapil keeps such NIKs, so the registry stores them with a warning (rules.md §11.1).
        nik_birth = birth.replace(month=12, day=31) if self.chance(0.003) else birth
        nik = self.new_nik(district, nik_birth, sex)
        check = nik_check(nik, birth_date=birth, sex=sex, codes=self.codes)
        assert check.valid, (nik, check.errors)
        person = Person(
            nik=nik,
            full_name=self.name(sex, title),
            birth_date=birth,
            sex=sex,
            phone=f"08{self.rng.randrange(10**9, 10**10)}" if self.chance(0.7) else "",
            address_region_id=district,
            citizenship="WNI",
            nik_warnings=[w.as_dict() for w in check.warnings],
        )
        self.rows.persons.append(person)
        return person

    def new_nik(self, district: str, birth: dt.date, sex: str) -> str:
        key = (district, birth, sex)
        serial = self._serials.get(key, 0) + 1
        self._serials[key] = serial
        return nik_compose(district_code=district, birth_date=birth, sex=sex, serial=serial)

    def renumber_nik(self, person: Person) -> None:
        """Give `person` the next free serial (its NIK is already taken in the database)."""
        old = person.nik
        district = f"{old[0:2]}.{old[2:4]}.{old[4:6]}"
        day = int(old[6:8]) - (40 if person.sex == "P" else 0)
        nik_birth = dt.date(person.birth_date.year, int(old[8:10]), day)
        person.nik = self.new_nik(district, nik_birth, person.sex)

    # --- employment ----------------------------------------------------------------------------

    def wage(self, regency: str, occupation: str) -> tuple[int, int]:
        """Basic wage and fixed allowances in whole Rupiah, their sum within Rp2.5-15 million."""
        floor = f.WAGE_FLOOR[regency]
        if occupation == Employment.Occupation.MEDIS:
            total = self.rng.uniform(8_000_000, 15_000_000)
        elif occupation == Employment.Occupation.KESEHATAN:
            total = floor * self.rng.uniform(1.0, 1.9)
        else:
            total = floor * self.rng.uniform(1.0, 1.35)
        whole = min(f.WAGE_MAX, max(f.WAGE_MIN, round(total, -3)))
        basic = round(whole * self.rng.uniform(0.8, 1.0), -3)
        return int(basic), int(whole - basic)

    def employ(
        self,
        person: Person,
        employer: Employer,
        *,
        regency: str,
        hired: tuple[dt.date, dt.date],
        occupation: str = "other",
        civil_service: str = "NON_ASN",
        end_date: dt.date | None = None,
    ) -> Employment:
        adult = person.birth_date.replace(
            year=person.birth_date.year + 18, day=min(person.birth_date.day, 28)
        )
        start = self.date_between(max(hired[0], adult), hired[1])
        basic, allowance = self.wage(regency, occupation)
        employment = Employment(
            person=person,
            employer=employer,
            start_date=start,
            end_date=end_date if end_date is None else max(end_date, start),
            basic_wage=basic,
            fixed_allowance=allowance,
            occupation=occupation,
            civil_service=civil_service,
        )
        self.rows.employments.append(employment)
        return employment

    # --- memberships ---------------------------------------------------------------------------

    def new_kpj(self) -> str:
        while True:
            kpj = f"{self.rng.randrange(10**10, 10**11)}"
            if kpj not in self._kpjs:
                self._kpjs.add(kpj)
                return kpj

    def pu_programs(self, employer: Employer, person: Person, start: dt.date) -> set[str]:
        """Programmes an employer registers, by business size (Perpres 109/2013 Pasal 6; rules.md §1.1).

        Government health facilities register JKK, JKM and JHT: the scope of the Lhokseumawe agreement.
        """
        if employer.legal_form == Employer.LegalForm.INSTANSI:
            return {"JKK", "JKM", "JHT"}
        if employer.size_class in (Employer.SizeClass.BESAR, Employer.SizeClass.MENENGAH):
            programs = {"JKK", "JKM", "JHT", "JP"}
            if age_on(person.birth_date, max(start, JKP_FROM)) < JKP_MAX_AGE:
                programs.add("JKP")
            return programs
        if employer.size_class == Employer.SizeClass.KECIL:
            return {"JKK", "JKM", "JHT"}
        return {"JKK", "JKM"}

    def pu(self, employment: Employment, *, ended: bool = False, jht: bool = False) -> Membership:
        """A wage earner registered by the employer from the first day of work (paid by the employer).

        `jht`: JHT even where the business size does not require it (an agreement asks for it).
        """
        person, employer = employment.person, employment.employer
        programs = self.pu_programs(employer, person, employment.start_date) | ({"JHT"} if jht else set())
        return self._membership(
            person,
            segment=Segment.PU,
            programs=programs,
            start=employment.start_date,
            status=Membership.Status.ENDED if ended else Membership.Status.ACTIVE,
            end_date=employment.end_date if ended else None,
            payer_kind=Membership.PayerKind.EMPLOYER,
            employer=employer,
            employment=employment,
        )

    def bpu(
        self,
        person: Person,
        *,
        start: dt.date,
        sector: str,
        payer_kind: str = "self",
        sponsor: Sponsor | None = None,
        income: int | None = None,
        jht: bool = False,
        status: str = "active",
    ) -> Membership:
        """An informal worker: JKK + JKM at least, JHT by choice, never JP or JKP (rules.md §1.2)."""
        if income is None:
            income = self.rng.choices(f.BPU_INCOMES, weights=f.BPU_INCOME_WEIGHTS)[0]
        return self._membership(
            person,
            segment=Segment.BPU,
            programs={"JKK", "JKM", "JHT"} if jht else {"JKK", "JKM"},
            start=start,
            status=status,
            payer_kind=payer_kind,
            sponsor=sponsor,
            declared_income=income,
            bpu_sector=sector,
        )

    def _membership(
        self,
        person: Person,
        *,
        segment: str,
        programs: set[str],
        start: dt.date,
        payer_kind: str,
        status: str = "active",
        end_date: dt.date | None = None,
        employer: Employer | None = None,
        employment: Employment | None = None,
        sponsor: Sponsor | None = None,
        declared_income: int | None = None,
        bpu_sector: str = "",
    ) -> Membership:
        # The rules membership_enrol applies (registry/services.py), checked here for every bulk row.
        assert programs <= set(PROGRAMS_BY_SEGMENT[segment])
        assert {"JKK", "JKM"} <= programs
        assert "JKP" not in programs or "JHT" in programs
        assert segment != Segment.PU or (payer_kind == "employer" and employer is not None)
        assert segment != Segment.BPU or (payer_kind != "employer" and employer is None)
        assert segment != Segment.BPU or (declared_income and bpu_sector)
        assert (payer_kind == "sponsor") == (sponsor is not None)
        assert start >= person.birth_date
        membership = Membership(
            person=person,
            kpj=self.new_kpj(),
            segment=segment,
            **{name: name.upper() in programs for name in Membership.PROGRAM_FIELDS},
            start_date=start,
            end_date=end_date,
            status=status,
            payer_kind=payer_kind,
            employer=employer,
            employment=employment,
            sponsor=sponsor,
            declared_income=declared_income,
            bpu_sector=bpu_sector,
        )
        self.rows.memberships.append(membership)
        return membership
