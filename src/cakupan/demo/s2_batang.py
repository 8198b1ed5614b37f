"""S2, Kabupaten Batang (33.25), September 2022: partial registration and companies that registered nobody.

- "PT Contoh Batang Industri" in the Batang industrial estate (Gringsing): 1,500 open employments of which
  exactly 1,000 hold an active PU membership; the 500 missing are mostly recent hires (FIXED figures:
  a PDS case, perusahaan daftar sebagian);
- "CV Contoh Mebel Batang" and "PT Fiktif Batang Plastik": employees, no memberships at all;
- "PT Contoh Batang Logistik": fully registered, with former employees whose employment and membership
  ended (the workforce changes and the registry follows);
- "PT Contoh Olahan Ikan Batang": every worker registered, but on a lower wage than it pays (the labour
  agency's report shows the wage paid: `s2_compliance`, PDS wages);
- "CV Contoh Batik Batang": registered as a small business (JKK, JKM, JHT) and grown into a medium one
  without adding JP (PDS programmes once its report states its size).
Some workers live across the border in Kabupaten Pekalongan, which the same branch office serves.
"""

from __future__ import annotations

import datetime as dt

from cakupan.registry.models import Employer

from . import figures as f
from .people import Population
from .staffing import size_class, staff

COMPANY_NAME = "PT Contoh Batang Industri"
NOT_REGISTERING = ("CV Contoh Mebel Batang", "PT Fiktif Batang Plastik")
LOGISTICS_NAME = "PT Contoh Batang Logistik"
UNDERWAGED_NAME = "PT Contoh Olahan Ikan Batang"
GROWN_NAME = "CV Contoh Batik Batang"
GROWN_SIZE = Employer.SizeClass.MENENGAH  # its size today (35 workers at scale 1); the registry says small
_RESIDENCES = ((f.KAB_PEKALONGAN, 0.15),)


def build(pop: Population) -> Employer:
    """Returns the partially registering company (its HR gets a demo login)."""
    company = pop.employer(
        name=COMPANY_NAME,
        regency=f.BATANG,
        district="Gringsing",
        legal_form=Employer.LegalForm.PT,
        size_class=Employer.SizeClass.BESAR,
        kbli=f.KBLI_GARMENT,
        risk_class=3,
    )
    staff(
        pop,
        company,
        regency=f.BATANG,
        headcount=f.BATANG_COMPANY_EMPLOYEES,
        registered=f.BATANG_COMPANY_REGISTERED,
        hired=(dt.date(2019, 1, 1), dt.date(2024, 6, 30)),
        unregistered_hired=(dt.date(2022, 7, 1), dt.date(2025, 9, 30)),
        residences=_RESIDENCES,
    )
    for name, kbli, nominal, form in (
        (NOT_REGISTERING[0], f.KBLI_WOOD_FURNITURE, 45, Employer.LegalForm.CV),
        (NOT_REGISTERING[1], f.KBLI_PLASTIC_PACKAGING, 160, Employer.LegalForm.PT),
    ):
        employer = pop.employer(
            name=name,
            regency=f.BATANG,
            legal_form=form,
            size_class=size_class(nominal),
            kbli=kbli,
            risk_class=3,
        )
        headcount = pop.n(nominal, floor=3)
        staff(pop, employer, regency=f.BATANG, headcount=headcount, registered=0, residences=_RESIDENCES)

    logistics = pop.employer(
        name=LOGISTICS_NAME,
        regency=f.BATANG,
        district="Batang",
        legal_form=Employer.LegalForm.PT,
        size_class=size_class(120),
        kbli=f.KBLI_WAREHOUSING,
        risk_class=2,
    )
    headcount = pop.n(120, floor=3)
    staff(pop, logistics, regency=f.BATANG, headcount=headcount, registered=headcount, residences=_RESIDENCES)
    for _ in range(pop.n(12)):
        person = pop.person(regency=f.BATANG)
        left = pop.date_between(dt.date(2023, 1, 1), dt.date(2025, 9, 30))
        employment = pop.employ(
            person,
            logistics,
            regency=f.BATANG,
            hired=(dt.date(2016, 1, 1), dt.date(2022, 12, 31)),
            end_date=left,
        )
        pop.pu(employment, ended=True)

    for name, kbli, nominal, form, size, risk in (
        (UNDERWAGED_NAME, f.KBLI_FISH_FREEZING, 80, Employer.LegalForm.PT, size_class(80), 2),
        (GROWN_NAME, f.KBLI_BATIK, 35, Employer.LegalForm.CV, Employer.SizeClass.KECIL, 1),
    ):
        employer = pop.employer(
            name=name, regency=f.BATANG, legal_form=form, size_class=size, kbli=kbli, risk_class=risk
        )
        headcount = pop.n(nominal, floor=3)
        staff(
            pop, employer, regency=f.BATANG, headcount=headcount, registered=headcount, residences=_RESIDENCES
        )
    return company
