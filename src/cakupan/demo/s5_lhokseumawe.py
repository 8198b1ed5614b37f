"""S5, Kota Lhokseumawe (11.73), October 2025: the health agency's agreement (PKS) with branch Lhokseumawe.

Every health worker under the Dinas Kesehatan is to join JKK, JKM and JHT: staff of the city hospital and
community health centres (civil servants, ASN, and others), of private hospitals and clinics, of
independent practices, midwives and pharmacies. Most are enrolled, some not yet (employment without
membership): the agreement's progress. A quarter of them live in neighbouring Aceh Utara (11.08), which
the same branch office serves.
"""

from __future__ import annotations

from cakupan.registry.models import Employer

from . import figures as f
from .people import Population
from .staffing import CLINIC, HOSPITAL, MIDWIFE, PHARMACY, PRACTICE, Mix, facility, staff

_FT, _LF = Employer.FacilityType, Employer.LegalForm

# (kind, name, KBLI, legal form, staff at scale 1.0, share enrolled)
_Row = tuple[str, str, str, str, int, float]
FACILITIES: list[_Row] = [
    (_FT.RUMAH_SAKIT, "RSUD Contoh Kota Lhokseumawe", f.KBLI_HOSPITAL_GOVERNMENT, _LF.INSTANSI, 420, 0.85),
    (_FT.RUMAH_SAKIT, "RS Fiktif Bunda Lhokseumawe", f.KBLI_HOSPITAL_PRIVATE, _LF.PT, 180, 0.9),
    (_FT.RUMAH_SAKIT, "RS Contoh Medika Banda Sakti", f.KBLI_HOSPITAL_PRIVATE, _LF.YAYASAN, 120, 0.75),
    *[
        (_FT.PUSKESMAS, f"Puskesmas Contoh {place}", f.KBLI_PUSKESMAS, _LF.INSTANSI, staff, 0.8)
        for place, staff in [
            ("Banda Sakti", 60),
            ("Muara Dua", 52),
            ("Blang Mangat", 41),
            ("Muara Satu", 45),
            ("Kandang", 35),
            ("Mon Geudong", 38),
        ]
    ],
    *[
        (_FT.KLINIK, f"Klinik Pratama Contoh {place}", f.KBLI_CLINIC_PRIVATE, _LF.CV, staff, 0.7)
        for place, staff in [
            ("Cunda", 22),
            ("Hagu", 15),
            ("Simpang Empat", 35),
            ("Kampung Jawa", 18),
            ("Ujong Blang", 12),
            ("Batuphat", 27),
            ("Keude Aceh", 20),
            ("Paloh", 14),
        ]
    ],
    *[
        (
            _FT.PRAKTIK_MANDIRI,
            f"Praktik Dokter Fiktif {n}",
            f.KBLI_DOCTOR_PRACTICE,
            _LF.PERORANGAN,
            staff,
            0.5,
        )
        for n, staff in enumerate([3, 2, 4, 5, 3, 2, 3, 4, 2, 3, 5, 3], start=1)
    ],
    *[
        (_FT.BIDAN, f"Praktik Bidan Contoh {n}", f.KBLI_OTHER_HEALTH_PRACTICE, _LF.PERORANGAN, staff, 0.5)
        for n, staff in enumerate([2, 1, 3, 2, 4, 2, 1, 3, 2, 2], start=1)
    ],
    *[
        (_FT.APOTEK, f"Apotek Contoh {place}", f.KBLI_PHARMACY, _LF.CV, staff, 0.6)
        for place, staff in [
            ("Sehat", 4),
            ("Waras", 3),
            ("Pase", 6),
            ("Samudera", 5),
            ("Cunda", 2),
            ("Merdeka", 4),
            ("Pusong", 3),
            ("Meuraksa", 2),
            ("Kuta Blang", 5),
            ("Tumpok Teungoh", 3),
        ]
    ],
]
_MIX: dict[str, Mix] = {
    _FT.RUMAH_SAKIT: HOSPITAL,
    _FT.PUSKESMAS: CLINIC,
    _FT.KLINIK: CLINIC,
    _FT.PRAKTIK_MANDIRI: PRACTICE,
    _FT.BIDAN: MIDWIFE,
    _FT.APOTEK: PHARMACY,
}
_RESIDENCES = ((f.ACEH_UTARA, 0.25),)


def build(pop: Population) -> None:
    for kind, name, kbli, form, nominal, share in FACILITIES:
        employer, headcount = facility(
            pop,
            name=name,
            regency=f.LHOKSEUMAWE,
            facility_type=kind,
            kbli=kbli,
            legal_form=form,
            nominal_headcount=nominal,
            risk_class=1 if kind == _FT.APOTEK else 2,
        )
        staff(
            pop,
            employer,
            regency=f.LHOKSEUMAWE,
            headcount=headcount,
            registered=round(headcount * share),
            mix=_MIX[kind],
            residences=_RESIDENCES,
            asn_share=0.55 if form == _LF.INSTANSI else 0.0,
            # The agreement: JKK, JKM and JHT for every health worker, micro practices included.
            jht=True,
        )
