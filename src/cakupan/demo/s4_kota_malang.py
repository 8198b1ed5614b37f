"""S4, Kota Malang (35.73), 2025: sponsors paying for vulnerable workers.

- Sponsor "APBD Kota Malang" (kind apbd): 26,500 vulnerable workers as BPU, sector other, Rp1,000,000
  declared income, JKK + JKM (Rp16,800 a month each; scaled: `figures.APBD_COHORT`). The article names
  RT/RW heads, community protection (Linmas) members and Koran teachers; the registry has no column for
  such categories, so they are not in the rows;
- Sponsor "CSR RS Hermina Contoh" (kind csr) of the hospital "RS Hermina Contoh Tangkuban Perahu":
  exactly 103 online motorbike-taxi (ojol) drivers as BPU, sector transport (FIXED);
- the hospital's own staff, all registered (PU);
- vulnerable workers paying for themselves, a quarter of whom stopped paying (membership non-active).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cakupan.registry.models import Employer, Person, Sponsor

from . import figures as f
from .people import Population
from .staffing import HOSPITAL, facility, staff

HOSPITAL_NAME = "RS Hermina Contoh Tangkuban Perahu"
APBD_NAME = "APBD Kota Malang"
CSR_NAME = "CSR RS Hermina Contoh"
SELF_PAYING = 800
# The CSR cohort's cards were handed over in mid 2025 (article S4).
CSR_START = dt.date(2025, 6, 1)


@dataclass(frozen=True)
class KotaMalang:
    hospital: Employer
    apbd: Sponsor
    csr: Sponsor
    driver: Person  # one of the CSR drivers (a demo worker login)
    nurse: Person  # a nurse of the hospital (a demo worker login)


def build(pop: Population) -> KotaMalang:
    hospital, headcount = facility(
        pop,
        name=HOSPITAL_NAME,
        regency=f.KOTA_MALANG,
        district="Klojen",
        facility_type=Employer.FacilityType.RUMAH_SAKIT,
        kbli=f.KBLI_HOSPITAL_PRIVATE,
        legal_form=Employer.LegalForm.PT,
        nominal_headcount=320,
    )
    staff(
        pop,
        hospital,
        regency=f.KOTA_MALANG,
        headcount=headcount,
        registered=headcount,
        mix=HOSPITAL,
        hired=(dt.date(2012, 1, 1), f.AS_OF),
        residences=((f.KAB_MALANG, 0.3),),
    )
    nurse = pop.person(regency=f.KOTA_MALANG, sex="P", age=(27, 35), title="Ns.")
    hired = (dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    pop.pu(pop.employ(nurse, hospital, regency=f.KOTA_MALANG, hired=hired, occupation="kesehatan"))

    csr = pop.sponsor(name=CSR_NAME, kind=Sponsor.Kind.CSR, regency=f.KOTA_MALANG, employer=hospital)
    drivers = []
    for _ in range(f.CSR_DRIVERS):
        driver = pop.person(regency=f.KOTA_MALANG, sex="L" if pop.chance(0.9) else "P", age=(21, 50))
        pop.bpu(
            driver, start=CSR_START, sector="transport", payer_kind="sponsor", sponsor=csr, income=1_000_000
        )
        drivers.append(driver)

    apbd = pop.sponsor(name=APBD_NAME, kind=Sponsor.Kind.APBD, regency=f.KOTA_MALANG)
    for _ in range(pop.n(f.APBD_COHORT)):
        person = pop.person(regency=f.KOTA_MALANG, age=(25, 65))
        pop.bpu(
            person,
            start=pop.month_start_between(dt.date(2021, 1, 1), dt.date(2025, 7, 31)),
            sector="other",
            payer_kind="sponsor",
            sponsor=apbd,
            income=1_000_000,
        )

    for _ in range(pop.n(SELF_PAYING)):
        person = pop.person(regency=f.KOTA_MALANG, age=(20, 60))
        pop.bpu(
            person,
            start=pop.month_start_between(dt.date(2018, 1, 1), dt.date(2025, 9, 30)),
            sector="transport" if pop.chance(0.35) else "other",
            jht=pop.chance(0.15),
            status="inactive" if pop.chance(0.25) else "active",
        )
    return KotaMalang(hospital=hospital, apbd=apbd, csr=csr, driver=drivers[0], nurse=nurse)
