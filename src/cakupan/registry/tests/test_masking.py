"""Masking that holds (issue 12, Deliver 3): for every role that sees NIKs masked, gather everything it can
read about its persons, rebuild each NIK from it as an attacker would, and confirm the guesses through every
filter and search it has. None may be rebuilt.

A NIK is PP RR DD DDMMYY SSSS (day + 40 for women); the mask keeps PPRR and SSSS. The attacker takes any
district code of the right regency it can read (else every district of the regency), any date it can read
(else every day of the age band), any sex it can read (else both), and counts a NIK rebuilt when the true
one is among few enough candidates to try, or when some filter answers differently for a registered NIK
than for an unregistered one (then any candidate list can be walked)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cakupan.accounts.models import Role
from cakupan.accounts.scope import Scope, mask_nik
from cakupan.enrolment.services import report_path, roster_import
from cakupan.regions.codes import region_codes
from cakupan.registry import services
from cakupan.registry.models import Person
from cakupan.registry.nik import nik_compose

pytestmark = pytest.mark.django_db

MASKING_ROLES = sorted(r for r in Role.values if Scope(role=r).masks_nik)
# The world's user of each masking role: a role that starts masking must be given one here.
USERS: dict[str, str] = {Role.SPONSOR: "sponsor_user"}
N = 12
FEW = 50  # candidates an attacker would simply try one by one
V1 = "/api/v1"
DATE_PATTERNS = (
    (re.compile(r"\b(\d{2})[-/.](\d{2})[-/.](\d{4})\b"), lambda m: (int(m[3]), int(m[2]), int(m[1]))),
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), lambda m: (int(m[1]), int(m[2]), int(m[3]))),
)
CSRF = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')
DISTRICT = re.compile(r"\b(\d{2}\.\d{2}\.\d{2})\b")
SEX_WORDS = {
    "L": ('"sex": "L"', "Laki-laki", ">male<", ">L<"),
    "P": ('"sex": "P"', "Perempuan", ">female<", ">P<"),
}
MALANG_DISTRICTS = ["35.73.01", "35.73.02", "35.73.03", "35.73.04", "35.73.05"]


def test_every_masking_role_has_a_user_here() -> None:
    assert MASKING_ROLES, "no role masks NIKs: the test below would prove nothing"
    assert set(MASKING_ROLES) <= set(USERS)


@dataclass
class Known:
    person: Person
    nik: str
    district: str
    birth: dt.date
    sex: str
    texts: list[str] = field(default_factory=list)


def _population(world: Any) -> list[Known]:
    """N persons sponsored by the world's sponsor, living in the district their NIK was issued in (the
    worst case: the address gives the NIK's district away), one with a NIK warning."""
    rnd = random.Random(12)
    out = []
    for i in range(N):
        district = rnd.choice(MALANG_DISTRICTS)
        born = dt.date(1960, 1, 1) + dt.timedelta(days=rnd.randrange(365 * 45))
        sex = rnd.choice("LP")
        nik = nik_compose(district_code=district, birth_date=born, sex=sex, serial=100 + i)
        recorded = born + dt.timedelta(days=1) if i == 0 else born  # NIK warning with the digits in it
        person = services.person_register(
            actor=world.admin,
            nik=nik,
            full_name=f"Peserta Uji {chr(65 + i)}",
            birth_date=recorded,
            sex=sex,
            address_region=district,
            phone=f"0812{i:06d}",
        )
        services.membership_enrol(
            actor=world.admin,
            person=person,
            segment="BPU",
            programs=["JKK", "JKM"],
            start_date=dt.date(2025, 1, 1),
            payer_kind="sponsor",
            sponsor=world.sponsor,
            declared_income=1_000_000,
            bpu_sector="other",
        )
        out.append(Known(person, nik, district, born, sex))
    return out


def _html_row(html: str, name: str) -> str:
    return " ".join(row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if name in row)


def _gather(api: APIClient, page: Client, known: Known) -> None:
    """Everything the role reads about the person: API list and detail, memberships, pages, search."""
    pk, name = known.person.pk, known.person.full_name
    listed = api.get(f"{V1}/persons/", {"page_size": 200}).json()["results"]
    known.texts += [json.dumps(r) for r in listed if r["id"] == pk]
    for url in (f"{V1}/persons/{pk}/", f"{V1}/persons/{pk}/memberships/", f"{V1}/memberships/?person={pk}"):
        response = api.get(url)
        assert response.status_code == 200, url
        known.texts.append(json.dumps(response.json()))
    for membership in api.get(f"{V1}/memberships/", {"person": pk}).json()["results"]:
        known.texts.append(json.dumps(api.get(f"{V1}/memberships/{membership['id']}/").json()))
        known.texts.append(page.get(f"/memberships/{membership['id']}/").text)
    known.texts.append(page.get(f"/persons/{pk}/").text)
    for url in ("/persons/", "/memberships/", f"/search/?q={name}", f"/persons/?q={name}"):
        listed_page = page.get(url)
        if listed_page.status_code == 200:
            known.texts.append(_html_row(listed_page.text, name))


def _answers(api: APIClient, page: Client, nik: str, district: str) -> list[str]:
    """What every filter and search the role has answers for a NIK (and a district), the NIK itself
    blanked out where a page echoes the query back."""
    calls = [
        (api, f"{V1}/persons/", {"nik": nik}),
        (api, f"{V1}/persons/", {"q": nik}),
        (api, f"{V1}/persons/", {"region": district}),
        (api, f"{V1}/memberships/", {"q": nik}),
        (page, "/persons/", {"q": nik}),
        (page, "/search/", {"q": nik}),
        (page, "/memberships/", {"q": nik}),
        (page, "/persons/", {"region": district}),
    ]
    out = []
    for client, url, params in calls:
        response = client.get(url, params)
        body = response.content.decode()
        body = CSRF.sub("", body).replace(nik, "?").replace(district, "?")
        out.append(f"{url} {sorted(params)} {response.status_code} {body}")
    return out


def _roster_answer(
    world: Any, user: Any, tmp_path: Path, known: Known, nik: str, born: dt.date, sex: str
) -> Any:
    """A dry-run roster naming the person under a candidate NIK: the report's status and reasons."""
    path = tmp_path / f"guess-{nik}.csv"
    path.write_text(
        "NIK,Nama,Tanggal Lahir,JK,Kode Wilayah,Penghasilan\n"
        f"{nik},{known.person.full_name},{born:%d/%m/%Y},{sex},35.73,1000000\n",
        encoding="utf-8",
    )
    record = roster_import(actor=user, path_or_file=path, as_=("sponsor", world.sponsor.pk), dry_run=True)
    report = report_path(record, "csv").read_text(encoding="utf-8-sig")
    first = report.splitlines()[1].split(",")
    return (record.counts(), record.held, first[1:5])


def _candidates(known: Known, text: str) -> tuple[list[str], list[dt.date], list[dt.date], list[str]]:
    """Districts, the dates read (a short list to try), every day the age band allows (a long list to
    walk with a confirming filter), and sexes."""
    regency = known.nik[:2] + "." + known.nik[2:4]
    districts = sorted({d for d in DISTRICT.findall(text) if d.startswith(regency + ".")})
    if not districts:
        districts = [c for c in region_codes().names if c.startswith(regency + ".") and c.count(".") == 2]
    dates: set[dt.date] = set()
    for pattern, parts in DATE_PATTERNS:
        for m in pattern.finditer(text):
            with contextlib.suppress(ValueError):
                dates.add(dt.date(*parts(m)))
    band = re.search(r"\b(\d{1,2})–(\d{1,2})\b", text)
    today = dt.date.today()
    low, high = (int(band[1]), int(band[2])) if band else (0, 100)
    first = dt.date(today.year - high - 1, 1, 1)
    wide = {first + dt.timedelta(days=d) for d in range(((high - low) + 2) * 366)} | dates
    sexes = [s for s, words in SEX_WORDS.items() if any(w in text for w in words)] or ["L", "P"]
    return districts, sorted(dates), sorted(wide), sexes


@pytest.mark.parametrize("role", MASKING_ROLES)
def test_no_masked_nik_is_rebuilt(world: Any, tmp_path: Path, settings: Any, role: str) -> None:
    settings.VAR_DIR = tmp_path
    user = getattr(world, USERS[role])
    population = _population(world)
    api, page = APIClient(), Client()
    api.force_authenticate(user)
    page.force_login(user)
    unregistered = nik_compose(district_code="35.73.01", birth_date=dt.date(1970, 1, 1), sex="L", serial=9999)
    assert not Person.objects.filter(nik=unregistered).exists()

    rebuilt = []
    for known in population:
        _gather(api, page, known)
        text = "\n".join(known.texts)
        assert mask_nik(known.nik) in text, "the role should see the masked NIK"
        assert known.nik not in text
        districts, dates, wide, sexes = _candidates(known, text)
        place = known.district in districts and known.sex in sexes
        # Strategy 1: try the few candidates the dates read give; 2: walk the age band with a filter.
        guessed = place and known.birth in dates and len(districts) * len(dates) * len(sexes) <= FEW
        walkable = place and known.birth in wide
        # Confirmation: every filter must answer alike for this person's NIK and an unregistered one...
        confirms = _answers(api, page, known.nik, known.district) != _answers(
            api, page, unregistered, next(d for d in MALANG_DISTRICTS if d != known.district)
        )
        # ...and so must a dry-run roster naming the person under the true NIK or a wrong one.
        wrong = nik_compose(
            district_code=known.district,
            birth_date=known.birth,
            sex=known.sex,
            serial=9000 + known.person.pk % 900,
        )
        confirms |= _roster_answer(
            world, user, tmp_path, known, known.nik, known.birth, known.sex
        ) != _roster_answer(world, user, tmp_path, known, wrong, known.birth, known.sex)
        if guessed or (walkable and confirms):
            rebuilt.append((known.nik, guessed, confirms))
    assert rebuilt == [], f"{len(rebuilt)} of {N} NIKs rebuilt by a {role}"


def test_a_role_that_sees_nik_in_full_reads_birth_date_and_district(world: Any) -> None:
    """The control: the same gathering rebuilds every NIK for employer HR, which sees NIKs in full, so the
    attacker above is not blind by construction."""
    known = Known(world.nurse, world.nurse.nik, "35.73.01", world.nurse.birth_date, world.nurse.sex)
    api = APIClient()
    api.force_authenticate(world.hr_hospital)
    body = api.get(f"{V1}/persons/{known.person.pk}/").json()
    _districts, dates, _wide, sexes = _candidates(known, json.dumps(body))
    assert (known.birth in dates, known.sex in sexes) == (True, True)
    assert len(dates) * len(sexes) <= FEW


def test_masking_hides_the_fields_and_keeps_the_rest(world: Any) -> None:
    api = APIClient()
    api.force_authenticate(world.sponsor_user)
    body = api.get(f"{V1}/persons/{world.driver.pk}/").json()
    assert body["nik"] == mask_nik(world.driver.nik)
    assert (body["birth_date"], body["sex"], body["phone"], body["nik_warnings"]) == (None, None, None, [])
    assert (body["address_region"], body["full_name"]) == ("35.73", "Pengemudi Contoh")
    assert re.fullmatch(r"\d{2}–\d{2}", body["age_band"])
