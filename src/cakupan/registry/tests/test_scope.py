"""What each role sees and may change: a matrix over the world fixture (accounts.scope, registry.selectors).

Every role is checked for every kind of object: exactly the visible ones are listed, `*_get` finds those and
raises NotInScope for all others, and writes outside the role's scope are refused with nothing written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from conftest import World
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cakupan.accounts.permissions import Perm, may
from cakupan.accounts.scope import scope_for
from cakupan.core.errors import Forbidden, InvalidInput, NotInScope
from cakupan.core.models import AuditEvent
from cakupan.registry import selectors, services
from cakupan.registry.models import Employer, Employment, Membership, Person, Sponsor
from cakupan.registry.nik import nik_compose


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # The world's users cost seconds of PBKDF2 per test; password hashing is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


ROLES = [
    "admin",
    "branch_malang",
    "branch_bekasi",
    "agency_health_malang",
    "agency_labour_bekasi",
    "hr_hospital",
    "hr_factory",
    "sponsor_user",
    "worker_user",
]

# The world: the nurse works at the hospital (Kota Malang) with a PU membership through it; the operator
# works at the factory (Kab. Bekasi), not yet enrolled; the driver lives in Kota Malang, BPU, paid by the
# hospital's CSR sponsor (region 35.73).
ALL = {
    "persons": {"nurse", "operator", "driver"},
    "employers": {"hospital", "factory"},
    "employments": {"nurse@hospital", "operator@factory"},
    "memberships": {"nurse:PU", "driver:BPU"},
    "sponsors": {"csr"},
}

SEES: dict[str, dict[str, set[str]]] = {
    "admin": ALL,
    "branch_malang": {  # serves 35.07 and 35.73
        "persons": {"nurse", "driver"},
        "employers": {"hospital"},
        "employments": {"nurse@hospital"},
        "memberships": {"nurse:PU", "driver:BPU"},
        "sponsors": {"csr"},
    },
    "branch_bekasi": {  # serves 32.16
        "persons": {"operator"},
        "employers": {"factory"},
        "employments": {"operator@factory"},
        "memberships": set(),
        "sponsors": set(),
    },
    "agency_health_malang": {  # Dinkes Kota Malang: health facilities and their workers only
        "persons": {"nurse"},
        "employers": {"hospital"},
        "employments": {"nurse@hospital"},
        "memberships": {"nurse:PU"},
        "sponsors": {"csr"},
    },
    "agency_labour_bekasi": {  # Disnaker Kab. Bekasi, all sectors
        "persons": {"operator"},
        "employers": {"factory"},
        "employments": {"operator@factory"},
        "memberships": set(),
        "sponsors": set(),
    },
    "hr_hospital": {
        "persons": {"nurse"},
        "employers": {"hospital"},
        "employments": {"nurse@hospital"},
        "memberships": {"nurse:PU"},
        "sponsors": set(),
    },
    "hr_factory": {
        "persons": {"operator"},
        "employers": {"factory"},
        "employments": {"operator@factory"},
        "memberships": set(),
        "sponsors": set(),
    },
    "sponsor_user": {  # the cohort it pays for
        "persons": {"driver"},
        "employers": set(),
        "employments": set(),
        "memberships": {"driver:BPU"},
        "sponsors": {"csr"},
    },
    "worker_user": {  # the nurse's own record
        "persons": {"nurse"},
        "employers": set(),
        "employments": {"nurse@hospital"},
        "memberships": {"nurse:PU"},
        "sponsors": set(),
    },
}

LISTS: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "persons": (selectors.person_list, selectors.person_get),
    "employers": (selectors.employer_list, selectors.employer_get),
    "employments": (selectors.employment_list, selectors.employment_get),
    "memberships": (selectors.membership_list, selectors.membership_get),
    "sponsors": (selectors.sponsor_list, selectors.sponsor_get),
}


def name_of(world: World, obj: Any) -> str:
    names = {
        world.nurse.pk: "nurse",
        world.operator.pk: "operator",
        world.driver.pk: "driver",
    }
    if isinstance(obj, Person):
        return names[obj.pk]
    if isinstance(obj, Employer):
        return {world.hospital.pk: "hospital", world.factory.pk: "factory"}[obj.pk]
    if isinstance(obj, Employment):
        return f"{names[obj.person_id]}@{name_of(world, obj.employer)}"
    if isinstance(obj, Membership):
        return f"{names[obj.person_id]}:{obj.segment}"
    assert isinstance(obj, Sponsor)
    return {world.sponsor.pk: "csr"}[obj.pk]


def every(world: World, kind: str) -> dict[str, Any]:
    model: type[Any] = {
        "persons": Person,
        "employers": Employer,
        "employments": Employment,
        "memberships": Membership,
        "sponsors": Sponsor,
    }[kind]
    return {name_of(world, obj): obj for obj in model.objects.all()}


def test_the_matrix_covers_the_whole_world(world: World) -> None:
    for kind, names in ALL.items():
        assert set(every(world, kind)) == names


@pytest.mark.parametrize("kind", list(LISTS))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_exactly_its_scope(world: World, role: str, kind: str) -> None:
    user = getattr(world, role)
    listed, _get = LISTS[kind]
    rows = list(listed(user=user))
    assert sorted(name_of(world, row) for row in rows) == sorted(SEES[role][kind])  # no duplicates either


@pytest.mark.parametrize("kind", list(LISTS))
@pytest.mark.parametrize("role", ROLES)
def test_get_finds_the_scope_and_nothing_else(world: World, role: str, kind: str) -> None:
    user = getattr(world, role)
    _listed, get = LISTS[kind]
    for name, obj in every(world, kind).items():
        if name in SEES[role][kind]:
            assert get(user=user, pk=obj.pk) == obj
        else:
            with pytest.raises(NotInScope):
                get(user=user, pk=obj.pk)


@pytest.mark.parametrize("pk", [999_999, "abc", None, "1; drop table"])
def test_get_of_nonsense_is_not_in_scope(world: World, pk: Any) -> None:
    with pytest.raises(NotInScope):
        selectors.person_get(user=world.admin, pk=pk)


@pytest.mark.parametrize("kind", list(LISTS))
def test_anonymous_and_inactive_users_see_nothing(world: World, kind: str) -> None:
    listed, _get = LISTS[kind]
    world.branch_malang.is_active = False
    assert list(listed(user=world.branch_malang)) == []
    assert list(listed(user=AnonymousUser())) == []


def test_an_agency_does_not_see_its_workers_other_jobs_elsewhere(world: World) -> None:
    services.employment_start(
        actor=world.admin,
        person=world.nurse,
        employer=world.factory,
        start_date=dt.date(2024, 1, 1),
        basic_wage=2_000_000,
    )
    seen = {
        role: {name_of(world, e) for e in selectors.employment_list(user=getattr(world, role))}
        for role in ("agency_health_malang", "agency_labour_bekasi", "branch_malang", "hr_factory")
    }
    assert seen["agency_health_malang"] == {"nurse@hospital"}  # not the factory job in Bekasi
    assert seen["agency_labour_bekasi"] == {"operator@factory", "nurse@factory"}  # not the hospital job
    assert seen["branch_malang"] == {"nurse@hospital", "nurse@factory"}  # the nurse lives in Kota Malang
    assert seen["hr_factory"] == {"operator@factory", "nurse@factory"}


# --- the NIK as each role sees it ----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_the_sponsor_sees_the_nik_masked(world: World, role: str) -> None:
    user = getattr(world, role)
    scope = scope_for(user)
    for person in selectors.person_list(user=user, scope=scope):
        shown = selectors.nik_for_display(scope=scope, nik=person.nik)
        if role == "sponsor_user":
            assert shown == person.nik[:4] + "********" + person.nik[-4:]
            assert person.nik[4:12] not in shown  # district and birth date are hidden
        else:
            assert shown == person.nik


# --- writes --------------------------------------------------------------------------------------


def _person(world: World, district: str = "35.73.01") -> dict[str, Any]:
    born = dt.date(1992, 2, 2)
    return {
        "nik": nik_compose(district_code=district, birth_date=born, sex="L", serial=77),
        "full_name": "Orang Baru",
        "birth_date": born,
        "sex": "L",
        "address_region": district,
    }


def _employer(world: World, region: str, office: Any) -> dict[str, Any]:
    return {
        "npp": "NPPNEW01",
        "name": "Usaha Baru",
        "legal_form": "CV",
        "size_class": "mikro",
        "kbli": "47111",
        "risk_class": 1,
        "region": region,
        "branch_office": office.pk,
    }


def _bpu(person: Person, **more: Any) -> dict[str, Any]:
    return {
        "person": person,
        "segment": "BPU",
        "programs": ["JKK", "JKM"],
        "start_date": dt.date(2025, 1, 1),
        "payer_kind": "self",
        "declared_income": 1_000_000,
        "bpu_sector": "other",
        **more,
    }


WRITES: dict[str, Callable[[World, Any], Any]] = {
    "person_register": lambda w, u: services.person_register(actor=u, **_person(w)),
    "person_update": lambda w, u: services.person_update(actor=u, person=w.nurse, phone="0811"),
    "employer_register": lambda w, u: services.employer_register(
        actor=u, **_employer(w, "35.73.02", w.malang)
    ),
    "employer_update": lambda w, u: services.employer_update(actor=u, employer=w.hospital, risk_class=3),
    "employment_start": lambda w, u: services.employment_start(
        actor=u, person=w.driver, employer=w.hospital, start_date=dt.date(2025, 1, 1), basic_wage=1
    ),
    "employment_update": lambda w, u: services.employment_update(
        actor=u, employment=Employment.objects.get(person=w.nurse), basic_wage=4_100_000
    ),
    "membership_enrol": lambda w, u: services.membership_enrol(actor=u, **_bpu(w.operator)),
    "membership_end": lambda w, u: services.membership_end(
        actor=u, membership=w.driver_membership, end_date=dt.date(2025, 12, 31)
    ),
    "sponsor_register": lambda w, u: services.sponsor_register(
        actor=u, name="APBD Kota Malang", kind="apbd", region="35.73"
    ),
}

# The roles refused each write above, on the world's objects: None when refused as a whole (may not write
# at all, or the object is outside the scope), else the fields named. Unlisted roles succeed.
MAY_WRITE: dict[str, dict[str, str | None]] = {
    "person_register": {
        "agency_health_malang": None,
        "agency_labour_bekasi": None,
        "sponsor_user": None,
        "worker_user": None,
    },
    "person_update": {  # the nurse
        "branch_bekasi": None,
        "agency_health_malang": None,
        "agency_labour_bekasi": None,
        "hr_factory": None,
        "sponsor_user": None,
        "worker_user": None,
    },
    "employer_register": {  # in Kota Malang, under the Malang office
        "branch_bekasi": "region,branch_office",
        "agency_health_malang": None,
        "agency_labour_bekasi": None,
        "hr_hospital": None,
        "hr_factory": None,
        "sponsor_user": None,
        "worker_user": None,
    },
    "employer_update": {  # the hospital
        "branch_bekasi": None,
        "agency_health_malang": None,
        "agency_labour_bekasi": None,
        "hr_hospital": None,  # employers change their own master data through the branch office
        "hr_factory": None,
        "sponsor_user": None,
        "worker_user": None,
    },
    "employment_start": {  # the driver at the hospital
        "branch_bekasi": "employer",
        "agency_health_malang": None,
        "agency_labour_bekasi": None,
        "hr_factory": "employer",
        "sponsor_user": None,
        "worker_user": None,
    },
    "employment_update": {  # the nurse at the hospital
        "branch_bekasi": None,
        "agency_health_malang": None,
        "agency_labour_bekasi": None,
        "hr_factory": None,
        "sponsor_user": None,
        "worker_user": None,
    },
    "membership_enrol": {  # BPU, self-paid, for the operator who lives in Kab. Bekasi
        "branch_malang": "person",
        "agency_health_malang": None,
        "agency_labour_bekasi": None,
        "hr_hospital": "employer,person",  # not through itself, and someone it does not employ
        "hr_factory": "employer",  # an employer enrols through itself, not informal workers
        "sponsor_user": None,
        "worker_user": None,
    },
    "membership_end": {  # the driver's BPU membership
        "branch_bekasi": None,
        "agency_health_malang": None,
        "agency_labour_bekasi": None,
        "hr_hospital": None,
        "hr_factory": None,
        "sponsor_user": None,
        "worker_user": None,
    },
    "sponsor_register": {  # APBD Kota Malang
        "branch_bekasi": "region",
        "agency_health_malang": None,
        "agency_labour_bekasi": None,
        "hr_hospital": None,
        "hr_factory": None,
        "sponsor_user": None,
        "worker_user": None,
    },
}

# The permission each write needs: a role without it is refused as a whole (Forbidden, a 403), before any
# field is looked at; a role with it may still be refused on these objects (InvalidInput).
PERMISSION = {
    "employer_register": Perm.EMPLOYER_WRITE,
    "employer_update": Perm.EMPLOYER_WRITE,
    "sponsor_register": Perm.SPONSOR_WRITE,
}

MODELS = (Person, Employer, Employment, Membership, Sponsor, AuditEvent)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(WRITES))
def test_writes_by_role(world: World, action: str, role: str) -> None:
    user = getattr(world, role)
    before = counts()
    if role not in MAY_WRITE[action]:
        WRITES[action](world, user)
        assert counts()["AuditEvent"] == before["AuditEvent"] + 1
        return
    if not may(user, PERMISSION.get(action, Perm.REGISTRY_WRITE)):
        assert MAY_WRITE[action][role] is None
        with pytest.raises(Forbidden):
            WRITES[action](world, user)
        assert counts() == before
        return
    refused_fields = MAY_WRITE[action][role]
    if refused_fields is None:
        # The role may write, but not this object: out of its scope, as if it did not exist (404).
        with pytest.raises(NotInScope):
            WRITES[action](world, user)
        assert counts() == before
        return
    fields = refused_fields.split(",")
    with pytest.raises(InvalidInput) as caught:
        WRITES[action](world, user)
    assert [e.field for e in caught.value.errors] == fields
    assert counts() == before


def test_branch_staff_file_employers_under_their_own_office_only(world: World) -> None:
    data = _employer(world, "32.16.02", world.malang)
    with pytest.raises(InvalidInput) as caught:
        services.employer_register(actor=world.branch_bekasi, **data)
    assert [e.field for e in caught.value.errors] == ["branch_office"]
    del data["branch_office"]  # defaults to the staff's own office
    assert services.employer_register(actor=world.branch_bekasi, **data).branch_office_id == world.bekasi.pk


def test_branch_staff_cannot_move_an_employer_out_of_their_area(world: World) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.employer_update(actor=world.branch_malang, employer=world.hospital, region="32.16.01")
    assert [e.field for e in caught.value.errors] == ["region"]


def test_a_sponsor_or_company_outside_the_scope_cannot_be_named(world: World) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.membership_enrol(
            actor=world.branch_bekasi, **_bpu(world.operator, payer_kind="sponsor", sponsor=world.sponsor)
        )
    assert [e.field for e in caught.value.errors] == ["sponsor"]
    with pytest.raises(InvalidInput) as caught:
        services.sponsor_register(
            actor=world.branch_bekasi, name="CSR Baru", kind="csr", region="32.16", employer=world.hospital.pk
        )
    assert [e.field for e in caught.value.errors] == ["employer"]


def test_hr_enrols_its_own_new_worker(world: World) -> None:
    employment = services.worker_register(
        actor=world.hr_factory,
        person=_person(world, "32.16.01"),
        employer=world.factory.pk,
        employment={"start_date": dt.date(2025, 2, 1), "basic_wage": 5_200_000},
    )
    membership = services.membership_enrol(
        actor=world.hr_factory,
        person=employment.person,
        segment="PU",
        programs=["JKK", "JKM", "JHT", "JP"],
        start_date=dt.date(2025, 2, 1),
        payer_kind="employer",
        employer=world.factory.pk,
        employment=employment,
    )
    assert selectors.membership_get(user=world.hr_factory, pk=membership.pk) == membership
    with pytest.raises(NotInScope):
        selectors.membership_get(user=world.hr_hospital, pk=membership.pk)


# --- query counts do not grow with the number of rows --------------------------------------------

TOUCH: dict[str, Callable[[Any], Any]] = {
    "persons": lambda p: p.address_region.name,
    "employers": lambda e: (e.region.name, e.branch_office.name),
    "employments": lambda e: (e.person.full_name, e.employer.name),
    "memberships": lambda m: (
        m.person.full_name,
        m.employer and m.employer.name,
        m.sponsor and m.sponsor.name,
    ),
    "sponsors": lambda s: (s.region.name, s.employer and s.employer.name),
}


def _grow(world: World, first: int, count: int) -> None:
    """`count` more workers of the hospital living in Kota Malang, PU through it and BPU through its CSR."""
    for serial in range(first, first + count):
        born = dt.date(1980, 1, 1) + dt.timedelta(days=serial * 97)
        person = services.person_register(
            actor=world.admin,
            nik=nik_compose(district_code="35.73.03", birth_date=born, sex="P", serial=serial),
            full_name=f"Pekerja {serial}",
            birth_date=born,
            sex="P",
            address_region="35.73.03",
        )
        services.employment_start(
            actor=world.admin,
            person=person,
            employer=world.hospital,
            start_date=dt.date(2024, 1, 1),
            basic_wage=1,
        )
        services.membership_enrol(
            actor=world.admin,
            person=person,
            segment="PU",
            programs=["JKK", "JKM"],
            start_date=dt.date(2024, 1, 1),
            payer_kind="employer",
            employer=world.hospital,
        )
        services.membership_enrol(
            actor=world.admin, **_bpu(person, payer_kind="sponsor", sponsor=world.sponsor)
        )
        services.sponsor_register(actor=world.admin, name=f"Donor {serial}", kind="donor", region="35.73.03")
        services.employer_register(
            actor=world.admin, **{**_employer(world, "35.73.03", world.malang), "npp": f"NPPQ{serial}"}
        )


def _queries(user: Any, kind: str) -> tuple[int, int]:
    """(queries, rows) to list `kind` for `user` and read what a list page shows of each row."""
    listed, _get = LISTS[kind]
    with CaptureQueriesContext(connection) as captured:
        rows = list(listed(user=user))
        for row in rows:
            TOUCH[kind](row)
    return len(captured), len(rows)


# Which lists the new rows of _grow reach, per role (the new employers are no health facilities).
GROWING = {
    "admin": set(LISTS),
    "branch_malang": set(LISTS),
    "agency_health_malang": {"persons", "employments", "memberships", "sponsors"},
    "hr_hospital": {"persons", "employments", "memberships"},
    "sponsor_user": {"persons", "memberships"},
}


@pytest.mark.parametrize("role", GROWING)
def test_list_selectors_use_a_constant_number_of_queries(world: World, role: str) -> None:
    _grow(world, 100, 1)
    user = getattr(world, role)
    small = {kind: _queries(user, kind) for kind in LISTS}
    _grow(world, 101, 19)
    large = {kind: _queries(user, kind) for kind in LISTS}
    for kind in LISTS:
        assert large[kind][0] == small[kind][0], (kind, small[kind], large[kind])
        assert large[kind][0] <= 3, kind  # the scope (a user's office or agency) and the list itself
    grown = {kind for kind in LISTS if large[kind][1] >= small[kind][1] + 19}
    assert grown == GROWING[role]  # the counts above were taken over real rows
