"""S1, Kabupaten Malang (35.07), February 2020: branch office Malang and the inpatient clinics and hospitals.

- 22 clinics and hospitals that registered all their staff (FIXED count), 6 clinics that registered nobody;
- 27,000 informal (BPU) members paying for themselves, all registered before the February 2020 event
  (scaled: `figures.KAB_MALANG_BPU`); the 2020 targets (234,000 covered, 45,000 BPU) are article
  figures recorded with the load, not rows.
"""

from __future__ import annotations

import datetime as dt

from cakupan.registry.models import Employer

from . import figures as f
from .people import Population
from .staffing import CLINIC, HOSPITAL, facility, staff

_RS, _KLINIK = Employer.FacilityType.RUMAH_SAKIT, Employer.FacilityType.KLINIK
_PT, _YAYASAN, _INSTANSI = Employer.LegalForm.PT, Employer.LegalForm.YAYASAN, Employer.LegalForm.INSTANSI

# (name, district, facility type, KBLI, legal form, staff at scale 1.0)
REGISTERED = [
    ("RSUD Contoh Kanjuruhan", "Kepanjen", _RS, f.KBLI_HOSPITAL_GOVERNMENT, _INSTANSI, 260),
    ("RS Contoh Husada Kepanjen", "Kepanjen", _RS, f.KBLI_HOSPITAL_PRIVATE, _PT, 180),
    ("RS Fiktif Medika Lawang", "Lawang", _RS, f.KBLI_HOSPITAL_PRIVATE, _PT, 150),
    ("RS Contoh Mitra Singosari", "Singosari", _RS, f.KBLI_HOSPITAL_PRIVATE, _PT, 210),
    ("RS Contoh Bunda Turen", "Turen", _RS, f.KBLI_HOSPITAL_PRIVATE, _YAYASAN, 130),
    ("RS Fiktif Islam Gondanglegi", "Gondanglegi", _RS, f.KBLI_HOSPITAL_PRIVATE, _YAYASAN, 120),
    *[
        (f"Klinik Rawat Inap Contoh {district}", district, _KLINIK, f.KBLI_CLINIC_PRIVATE, form, staff)
        for district, form, staff in [
            ("Bululawang", _PT, 34),
            ("Dampit", _YAYASAN, 52),
            ("Dau", _PT, 27),
            ("Jabung", _YAYASAN, 19),
            ("Karangploso", _PT, 41),
            ("Ngantang", _YAYASAN, 23),
            ("Pagak", _PT, 18),
            ("Pakisaji", _PT, 36),
            ("Pujon", _YAYASAN, 25),
            ("Sumberpucung", _PT, 30),
            ("Tajinan", _YAYASAN, 21),
            ("Tumpang", _PT, 44),
            ("Wagir", _PT, 26),
            ("Wajak", _YAYASAN, 33),
            ("Pakis", _PT, 58),
            ("Sumbermanjing Wetan", _YAYASAN, 22),
        ]
    ],
]
NOT_REGISTERED = [
    ("Klinik Pratama Fiktif Poncokusumo", "Poncokusumo", 14),
    ("Klinik Pratama Contoh Donomulyo", "Donomulyo", 11),
    ("Klinik Pratama Fiktif Kalipare", "Kalipare", 16),
    ("Klinik Pratama Contoh Kromengan", "Kromengan", 12),
    ("Klinik Pratama Fiktif Tirtoyudo", "Tirtoyudo", 18),
    ("Klinik Pratama Contoh Bantur", "Bantur", 24),
]
assert len(REGISTERED) == f.KAB_MALANG_REGISTERED_FACILITIES

_RESIDENCES = ((f.KOTA_MALANG, 0.15),)


def build(pop: Population) -> None:
    for name, district, kind, kbli, form, nominal in REGISTERED:
        employer, headcount = facility(
            pop,
            name=name,
            regency=f.KAB_MALANG,
            district=district,
            facility_type=kind,
            kbli=kbli,
            legal_form=form,
            nominal_headcount=nominal,
        )
        staff(
            pop,
            employer,
            regency=f.KAB_MALANG,
            headcount=headcount,
            registered=headcount,
            mix=HOSPITAL if kind == _RS else CLINIC,
            residences=_RESIDENCES,
            asn_share=0.5 if form == _INSTANSI else 0.0,
        )
    for name, district, nominal in NOT_REGISTERED:
        employer, headcount = facility(
            pop,
            name=name,
            regency=f.KAB_MALANG,
            district=district,
            facility_type=_KLINIK,
            kbli=f.KBLI_CLINIC_PRIVATE,
            legal_form=Employer.LegalForm.CV,
            nominal_headcount=nominal,
        )
        staff(pop, employer, regency=f.KAB_MALANG, headcount=headcount, registered=0, mix=CLINIC)
    for _ in range(pop.n(f.KAB_MALANG_BPU)):
        person = pop.person(regency=f.KAB_MALANG, age=(20, 60))
        pop.bpu(
            person,
            start=pop.month_start_between(dt.date(2016, 1, 1), dt.date(2020, 1, 31)),
            sector="transport" if pop.chance(0.12) else "other",
            jht=pop.chance(0.25),
        )
