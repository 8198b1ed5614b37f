"""Staffing an employer: its workers, their employment and, for those it registered, PU memberships."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cakupan.registry.models import Employer, Employment

from . import figures as f
from .people import Population

# Titles written in front of a health worker's name (dr., drg.; Ns. nurse, Bd. midwife, apt. pharmacist).
_TITLES_MEDIS = ("dr.", "dr.", "drg.")
_TITLES_KESEHATAN = {"P": ("Ns.", "Bd.", "apt.", ""), "L": ("Ns.", "apt.", "")}


@dataclass(frozen=True)
class Mix:
    """Shares of medical staff and other health workers among a facility's staff; the rest is 'other'."""

    medis: float = 0.0
    kesehatan: float = 0.0


HOSPITAL = Mix(medis=0.12, kesehatan=0.55)
CLINIC = Mix(medis=0.2, kesehatan=0.5)
PRACTICE = Mix(medis=0.35, kesehatan=0.45)
MIDWIFE = Mix(kesehatan=0.8)
PHARMACY = Mix(kesehatan=0.7)
NOT_HEALTH = Mix()


def size_class(headcount: int) -> str:
    """BPS head-count classes: micro 1-4, small 5-19, medium 20-99, large 100 or more."""
    if headcount >= 100:
        return Employer.SizeClass.BESAR
    if headcount >= 20:
        return Employer.SizeClass.MENENGAH
    if headcount >= 5:
        return Employer.SizeClass.KECIL
    return Employer.SizeClass.MIKRO


def occupation_of(pop: Population, mix: Mix) -> str:
    draw = pop.rng.random()
    if draw < mix.medis:
        return Employment.Occupation.MEDIS
    if draw < mix.medis + mix.kesehatan:
        return Employment.Occupation.KESEHATAN
    return Employment.Occupation.OTHER


def title_of(pop: Population, occupation: str, sex: str) -> str:
    if occupation == Employment.Occupation.MEDIS:
        return pop.rng.choice(_TITLES_MEDIS)
    if occupation == Employment.Occupation.KESEHATAN:
        return pop.rng.choice(_TITLES_KESEHATAN[sex])
    return ""


def staff(
    pop: Population,
    employer: Employer,
    *,
    regency: str,
    headcount: int,
    registered: int,
    mix: Mix = NOT_HEALTH,
    hired: tuple[dt.date, dt.date] = (dt.date(2010, 1, 1), f.AS_OF),
    unregistered_hired: tuple[dt.date, dt.date] | None = None,
    residences: tuple[tuple[str, float], ...] = (),
    asn_share: float = 0.0,
    jht: bool = False,
) -> list[Employment]:
    """`headcount` open employments at `employer`; exactly `registered` of them hold an active PU membership.

    `residences`: other regencies where a share of the staff lives (the rest lives in `regency`).
    `unregistered_hired`: when the staff not registered were hired, if unlike the others (new hires).
    `jht`: register JHT even where the business size does not require it.
    """
    assert 0 <= registered <= headcount
    employments = []
    for index in range(headcount):
        is_registered = index < registered
        home = regency
        draw = pop.rng.random()
        for other, share in residences:
            if draw < share:
                home = other
                break
            draw -= share
        occupation = occupation_of(pop, mix)
        sex = pop.rng.choice("LP")
        if occupation != Employment.Occupation.OTHER and pop.chance(0.3):
            sex = "P"  # nursing and midwifery are mostly women's work in Indonesia
        person = pop.person(regency=home, sex=sex, title=title_of(pop, occupation, sex))
        civil_service = "ASN" if pop.chance(asn_share) else "NON_ASN"
        window = hired if is_registered or unregistered_hired is None else unregistered_hired
        employment = pop.employ(
            person,
            employer,
            regency=regency,
            hired=window,
            occupation=occupation,
            civil_service=civil_service,
        )
        if is_registered:
            pop.pu(employment, jht=jht)
        employments.append(employment)
    return employments


def facility(
    pop: Population,
    *,
    name: str,
    regency: str,
    facility_type: str,
    kbli: str,
    legal_form: str,
    nominal_headcount: int,
    risk_class: int = 2,
    district: str = "",
) -> tuple[Employer, int]:
    """A health facility; its size class follows its head count at scale 1.0, the staff follows the scale."""
    employer = pop.employer(
        name=name,
        regency=regency,
        legal_form=legal_form,
        size_class=size_class(nominal_headcount),
        kbli=kbli,
        risk_class=risk_class,
        facility_type=facility_type,
        district=district,
    )
    return employer, pop.n(nominal_headcount, floor=1)
