"""S3, Kabupaten Bekasi (32.16), 2023: medical staff in clinics, formal and informal.

- 20 private clinics: 15 registered all staff, 3 only part of them, 2 nobody; staff are doctors
  (occupation medis), nurses, midwives and pharmacists (kesehatan) and support staff;
- informal medical staff (doctors, midwives, nurses, pharmacists working on their own account, recognisable
  by the title in front of their names) pay for themselves as BPU: JKK + JKM from Rp16,800 a month, about a
  third add JHT (from Rp20,000 a month at the minimum declared income of Rp1,000,000).
"""

from __future__ import annotations

import datetime as dt

from cakupan.registry.models import Employer

from . import figures as f
from .people import Population
from .staffing import CLINIC, facility, staff

# (name, district, staff at scale 1.0, share registered)
CLINICS = [
    ("Klinik Utama Contoh Cikarang", "Cikarang Utara", 55, 1.0),
    ("Klinik Utama Fiktif Lippo Cikarang", "Cikarang Selatan", 48, 1.0),
    ("Klinik Pratama Contoh Tambun", "Tambun Selatan", 32, 1.0),
    ("Klinik Pratama Fiktif Tambun Utara", "Tambun Utara", 21, 1.0),
    ("Klinik Pratama Contoh Cibitung", "Cibitung", 38, 1.0),
    ("Klinik Pratama Contoh Setu", "Setu", 17, 1.0),
    ("Klinik Utama Contoh Jababeka", "Cikarang Utara", 44, 1.0),
    ("Klinik Pratama Fiktif Cikarang Barat", "Cikarang Barat", 29, 1.0),
    ("Klinik Pratama Contoh Babelan", "Babelan", 19, 1.0),
    ("Klinik Pratama Contoh Tarumajaya", "Tarumajaya", 24, 1.0),
    ("Klinik Pratama Fiktif Cikarang Pusat", "Cikarang Pusat", 15, 1.0),
    ("Klinik Pratama Contoh Serang Baru", "Serang Baru", 22, 1.0),
    ("Klinik Pratama Contoh Cibarusah", "Cibarusah", 18, 1.0),
    ("Klinik Pratama Fiktif Karang Bahagia", "Karang Bahagia", 14, 1.0),
    ("Klinik Pratama Contoh Sukatani", "Sukatani", 16, 1.0),
    ("Klinik Pratama Fiktif Cikarang Timur", "Cikarang Timur", 26, 0.6),
    ("Klinik Pratama Contoh Kedung Waringin", "Kedung Waringin", 20, 0.5),
    ("Klinik Pratama Fiktif Pebayuran", "Pebayuran", 23, 0.65),
    ("Klinik Pratama Contoh Sukawangi", "Sukawangi", 12, 0.0),
    ("Klinik Pratama Fiktif Muaragembong", "Muaragembong", 13, 0.0),
]
INFORMAL_MEDICAL_STAFF = 600
_INFORMAL_TITLES = (("dr.", "L"), ("dr.", "P"), ("drg.", "P"), ("Bd.", "P"), ("Ns.", "P"), ("Ns.", "L"))


def build(pop: Population) -> None:
    for name, district, nominal, share in CLINICS:
        employer, headcount = facility(
            pop,
            name=name,
            regency=f.KAB_BEKASI,
            district=district,
            facility_type=Employer.FacilityType.KLINIK,
            kbli=f.KBLI_CLINIC_PRIVATE,
            legal_form=Employer.LegalForm.PT,
            nominal_headcount=nominal,
        )
        staff(
            pop,
            employer,
            regency=f.KAB_BEKASI,
            headcount=headcount,
            registered=round(headcount * share),
            mix=CLINIC,
        )
    for _ in range(pop.n(INFORMAL_MEDICAL_STAFF)):
        title, sex = pop.rng.choice(_INFORMAL_TITLES)
        person = pop.person(regency=f.KAB_BEKASI, sex=sex, age=(24, 60), title=title)
        pop.bpu(
            person,
            start=pop.month_start_between(dt.date(2019, 1, 1), dt.date(2025, 9, 30)),
            sector="other",
            jht=pop.chance(0.35),
        )
