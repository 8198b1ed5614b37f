"""The scope keys stored on the rows stay what the rules derive, whatever wrote the rows: every write path
is driven here and the keys compared, row for row, with a fresh derivation and with the rules of
accounts.scope (scope_oracle.py). Also: refresh is set-based, and `cakupan scope check` reports drift."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from conftest import World, person_data
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cakupan.accounts.models import User
from cakupan.contributions.models import PayerAccountAudience
from cakupan.contributions.selectors_payments import payer_accounts
from cakupan.contributions.services.billing_write import GOVERNMENT, accounts_ensure
from cakupan.contributions.tests.payment_fixtures import account_make
from cakupan.core.errors import NotInScope
from cakupan.core.pagination import BoundedCount, bounded_count, keyset_page
from cakupan.enrolment.services import roster_import
from cakupan.enrolment.tests.test_paths import _scenario
from cakupan.regions.services import branch_office_upsert
from cakupan.registry import selectors, services
from cakupan.registry.models import Employment, Membership, Person, PersonAudience
from cakupan.registry.services.scope_keys import (
    scope_keys_differences,
    scope_keys_rebuild,
    scope_keys_refresh,
)
from cakupan.registry.tests.scope_oracle import assert_scope_keys_consistent


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _persons_seen(user: Any) -> set[str]:
    return set(selectors.person_list(user=user).values_list("full_name", flat=True))


def test_the_world_built_through_the_services_has_its_keys(world: World) -> None:
    assert_scope_keys_consistent()
    assert PersonAudience.objects.filter(key=f"b:{world.malang.pk}").count() == 2  # nurse, driver
    job = Employment.objects.get(person=world.nurse)
    assert (job.person_regency, job.employer_regency) == ("35.73", "35.73")


def test_registry_services_keep_the_keys(world: World) -> None:
    admin = world.admin
    # A person moves from Kota Malang to Kabupaten Bekasi: Bekasi's office sees the driver, Malang's not.
    services.person_update(actor=admin, person=world.driver, address_region="32.16.01")
    assert_scope_keys_consistent()
    assert world.driver.full_name in _persons_seen(world.branch_bekasi)
    assert world.driver.full_name not in _persons_seen(world.branch_malang)
    # A new person, a job at the factory, then a PU membership through it.
    newcomer = services.person_register(
        actor=admin, **person_data("35.07.01", dt.date(1991, 2, 3), "L", 9, "Pendatang Baru")
    )
    assert_scope_keys_consistent()
    job = services.employment_start(
        actor=admin,
        person=newcomer,
        employer=world.factory,
        start_date=dt.date(2024, 1, 1),
        basic_wage=5_000_000,
    )
    services.membership_enrol(
        actor=admin,
        person=newcomer,
        segment="PU",
        programs=["JKK", "JKM", "JHT"],
        start_date=dt.date(2024, 1, 1),
        payer_kind="employer",
        employer=world.factory,
        employment=job,
    )
    assert_scope_keys_consistent()
    assert newcomer.full_name in _persons_seen(world.hr_factory)
    services.employment_update(actor=admin, employment=job, end_date=dt.date(2024, 6, 30))
    membership = Membership.objects.get(person=newcomer)
    services.membership_end(actor=admin, membership=membership, end_date=dt.date(2024, 6, 30))
    assert_scope_keys_consistent()
    # The factory moves to Kota Malang and is filed under the Malang office; the hospital stops being a
    # health facility: the Malang health agency no longer sees the nurse.
    services.employer_update(
        actor=admin, employer=world.factory, region="35.73.02", branch_office=world.malang.pk
    )
    assert_scope_keys_consistent()
    assert world.operator.full_name in _persons_seen(world.branch_malang)
    services.employer_update(actor=admin, employer=world.hospital, facility_type="")
    assert_scope_keys_consistent()
    assert world.nurse.full_name not in _persons_seen(world.agency_health_malang)
    # worker_register: a person and a job in one step.
    services.worker_register(
        actor=admin,
        person=person_data("32.16.01", dt.date(1985, 5, 6), "P", 8, "Pekerja Sekaligus"),
        employer=world.hospital,
        employment={"start_date": dt.date(2024, 2, 1), "basic_wage": 4_000_000},
    )
    assert_scope_keys_consistent()


def test_an_office_serving_other_regions_rebuilds_the_keys(world: World) -> None:
    branch_office_upsert(code="MLG", name="Kantor Cabang Malang", seat="35.73", regions=["35.07", "32.16"])
    assert_scope_keys_consistent()
    assert world.operator.full_name in _persons_seen(world.branch_malang)  # lives in 32.16


class _Undo(Exception):  # noqa: N818 - a control-flow signal to roll the savepoint back
    pass


@pytest.mark.parametrize("kind", ["employer", "agency", "sponsor"])
def test_roster_imports_keep_the_keys_on_both_merge_paths(
    world: World, tmp_path: Path, settings: Any, kind: str
) -> None:
    paths = ["portable", "auto"] if connection.vendor == "postgresql" else ["portable"]
    for name in paths:
        settings.ROSTER_MERGE = name
        case = _scenario(world, tmp_path, kind)
        try:
            with transaction.atomic():  # rolled back: each path starts from the same registry
                for path in case["files"]:
                    roster_import(actor=case["actor"], path_or_file=path, as_=case["as_"])
                    assert_scope_keys_consistent()
                assert Person.objects.count() > 3
                raise _Undo
        except _Undo:
            pass


def test_refresh_is_set_based(world: World) -> None:
    """The same number of statements for one person as for all of them, given as ids or a queryset: four
    for the registry's keys, two for the payer accounts' that follow them."""
    counts = []
    for ids in (
        [world.nurse.pk],
        list(Person.objects.values_list("pk", flat=True)),
        Person.objects.values("pk"),
    ):
        with CaptureQueriesContext(connection) as queries:
            scope_keys_refresh(ids)
        counts.append(len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]))
    assert counts[0] == counts[1] == counts[2] == 6
    assert_scope_keys_consistent()


def test_drift_is_found_and_the_command_reports_it(world: World) -> None:
    out = StringIO()
    call_command("scope", "check", stdout=out)
    assert "consistent" in out.getvalue()
    account = account_make(va="8800100", employer=world.hospital)
    # Manual SQL: a stale column, a lost person key and a lost payer-account key.
    Employment.objects.filter(person=world.nurse).update(employer_regency="32.16")
    PersonAudience.objects.filter(person=world.driver, key=f"b:{world.malang.pk}").delete()
    PayerAccountAudience.objects.filter(account=account, key=f"b:{world.malang.pk}").delete()
    found = scope_keys_differences()
    assert {d.table for d in found} == {
        Employment._meta.db_table,
        PersonAudience._meta.db_table,
        PayerAccountAudience._meta.db_table,
    }
    with pytest.raises(SystemExit) as exit_info:
        call_command("scope", "check", stdout=StringIO(), stderr=(err := StringIO()))
    assert exit_info.value.code == 1
    assert f"b:{world.malang.pk} {world.driver.pk}" in err.getvalue()
    assert f"b:{world.malang.pk} {account.pk}: stored -, derived employer" in err.getvalue()
    scope_keys_rebuild()
    assert_scope_keys_consistent()


def _keys_of(*tables: str) -> dict[str, dict[str, Any]]:
    """Every index and constraint of `tables` as the database reports it (name: columns, kind)."""
    with connection.cursor() as cursor:
        return {
            f"{t}.{name}": {k: info[k] for k in ("columns", "primary_key", "unique", "foreign_key", "index")}
            for t in tables
            for name, info in connection.introspection.get_constraints(cursor, t).items()
        }


def test_a_bulk_rebuild_repairs_drift_and_puts_every_index_and_key_back(world: World) -> None:
    """`cakupan scope rebuild` (bulk: on PostgreSQL the key tables emptied, their indexes and keys set
    aside and built again after) inside a transaction that already wrote keys (the world's services: their
    foreign-key checks still pending), and `--online`, which keeps them."""
    tables = (PersonAudience._meta.db_table, PayerAccountAudience._meta.db_table)
    before = _keys_of(*tables)
    assert any(info["primary_key"] for info in before.values())
    assert any(info["foreign_key"] for info in before.values())
    account = account_make(va="8800100", employer=world.hospital)
    Employment.objects.filter(person=world.nurse).update(employer_regency="32.16")
    PersonAudience.objects.filter(person=world.driver).delete()
    PayerAccountAudience.objects.filter(account=account).delete()
    PersonAudience.objects.create(key="b:999999", person=world.nurse)
    assert scope_keys_differences()
    call_command("scope", "rebuild", stdout=StringIO())
    assert_scope_keys_consistent()
    assert _keys_of(*tables) == before
    PersonAudience.objects.filter(person=world.driver).delete()
    call_command("scope", "rebuild", "--online", stdout=StringIO())
    assert_scope_keys_consistent()
    assert _keys_of(*tables) == before


def test_person_count_reads_the_keys(world: World) -> None:
    for user in (world.admin, world.branch_malang, world.agency_health_malang, world.hr_hospital):
        assert selectors.person_count(user=user) == selectors.person_list(user=user).count()
    assert selectors.person_count(user=world.branch_malang) == 2


def test_an_unfiltered_scoped_list_counts_its_key_alone(world: World) -> None:
    """The bounded count of a one-key person list reads the key's rows, not each counted row's person;
    once filtered, the list's own rows are counted."""
    person_table = Person._meta.db_table
    for user in (world.branch_malang, world.hr_hospital):
        rows = selectors.person_list(user=user)
        with CaptureQueriesContext(connection) as counted:
            count = bounded_count(rows)
        assert count == BoundedCount(rows.count(), True)
        assert len(counted) == 1
        assert person_table not in counted[0]["sql"].replace(PersonAudience._meta.db_table, "")
        named = rows.filter(full_name__startswith=world.driver.full_name[:3])
        with CaptureQueriesContext(connection) as counted:
            assert bounded_count(named) == BoundedCount(named.count(), True)
        assert person_table in counted[0]["sql"].replace(PersonAudience._meta.db_table, "")
    assert bounded_count(selectors.person_list(user=world.branch_malang)).value == 2
    driver_only = selectors.person_list(user=world.branch_malang).filter(pk=world.driver.pk)
    assert bounded_count(driver_only).value == 1


def test_an_office_changed_in_the_admin_rebuilds_the_keys(world: World, client: Any) -> None:
    world.admin.is_staff = True
    world.admin.save(update_fields=["is_staff"])
    client.force_login(world.admin)
    office = world.bekasi
    response = client.post(
        f"/admin/regions/branchoffice/{office.pk}/change/",
        {"code": office.code, "name": office.name, "region": "32.16", "regions": ["32.16", "35.73"]},
    )
    assert response.status_code == 302, response.content[:2000]
    assert_scope_keys_consistent()
    assert world.nurse.full_name in _persons_seen(world.branch_bekasi)  # lives in 35.73


def test_employer_and_sponsor_keys_list_their_persons_in_name_order(world: World) -> None:
    """HR and sponsors read their own key (`e:`, `s:`): the list is the key's rows, in (name, id) order,
    paged by keyset over the name copied on the rows; a renamed person moves in the list at once."""
    admin = world.admin
    for serial, name in enumerate(["Budi", "Ani", "Citra", "Ani"], start=20):
        services.worker_register(
            actor=admin,
            person=person_data("35.73.01", dt.date(1990, 1, 2), "L", serial, name),
            employer=world.hospital,
            employment={"start_date": dt.date(2024, 2, 1), "basic_wage": 4_000_000},
        )
    assert_scope_keys_consistent()
    assert PersonAudience.objects.filter(key=f"e:{world.hospital.pk}").count() == 5  # and the nurse
    assert set(
        PersonAudience.objects.filter(key=f"s:{world.sponsor.pk}").values_list("person", flat=True)
    ) == {world.driver.pk}
    listed = selectors.person_list(user=world.hr_hospital)
    names = [p.full_name for p in listed]
    assert names == ["Ani", "Ani", "Budi", "Citra", "Ners Contoh"]
    pages, cursor = [], None
    while True:
        page = keyset_page(listed, cursor=cursor, per_page=2)
        pages.append([p.full_name for p in page])
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert pages == [["Ani", "Ani"], ["Budi", "Citra"], ["Ners Contoh"]]
    services.person_update(actor=admin, person=world.nurse, full_name="Aaron Contoh")
    assert_scope_keys_consistent()
    assert next(p.full_name for p in selectors.person_list(user=world.hr_hospital)) == "Aaron Contoh"
    assert [p.full_name for p in selectors.person_list(user=world.sponsor_user)] == ["Pengemudi Contoh"]
    assert selectors.person_count(user=world.hr_hospital) == 5


def _accounts_seen(user: Any) -> set[int]:
    return set(payer_accounts(user=user).values_list("pk", flat=True))


def test_payer_accounts_keys_follow_the_registry(world: World) -> None:
    """Accounts made as billing makes them carry their keys; a self-paying person's move, an employer's
    move and an office's regions changing carry over to the accounts' keys."""
    self_payer = services.person_register(
        actor=world.admin, **person_data("35.73.02", dt.date(1992, 4, 4), "P", 30, "Mandiri Contoh")
    )
    made = accounts_ensure(
        [
            ("employer", world.hospital.pk),
            ("employer", world.factory.pk),
            ("sponsor", world.sponsor.pk),
            ("self", self_payer.pk),
            GOVERNMENT,
        ]
    )
    assert_scope_keys_consistent()
    hospital, factory, sponsor, own = (
        made[k]
        for k in (
            ("employer", world.hospital.pk),
            ("employer", world.factory.pk),
            ("sponsor", world.sponsor.pk),
            ("self", self_payer.pk),
        )
    )
    assert _accounts_seen(world.branch_malang) == {hospital, sponsor, own}
    assert _accounts_seen(world.agency_health_malang) == {hospital}
    assert _accounts_seen(world.branch_bekasi) == {factory}
    assert [a.kind for a in payer_accounts(user=world.branch_malang)] == ["employer", "self", "sponsor"]
    services.person_update(actor=world.admin, person=self_payer, address_region="32.16.01")
    assert_scope_keys_consistent()
    assert _accounts_seen(world.branch_bekasi) == {factory, own}
    services.employer_update(
        actor=world.admin, employer=world.factory, region="35.73.02", branch_office=world.malang.pk
    )
    assert_scope_keys_consistent()
    assert _accounts_seen(world.branch_malang) == {hospital, factory, sponsor}
    branch_office_upsert(code="MLG", name="Kantor Cabang Malang", seat="35.73", regions=["35.07", "32.16"])
    assert_scope_keys_consistent()
    assert own in _accounts_seen(world.branch_malang)


def test_whoever_sees_an_employer_sees_all_its_jobs(world: World) -> None:
    """employer_jobs lists an employer's jobs and memberships without a scope test per row: for every role
    and employer it sees, exactly what the scoped lists give for that employer."""
    services.membership_enrol(
        actor=world.admin,
        person=world.operator,
        segment="PU",
        programs=["JKK", "JKM"],
        start_date=dt.date(2018, 5, 1),
        payer_kind="employer",
        employer=world.factory,
    )
    users = [getattr(world, f) for f in World.__dataclass_fields__ if isinstance(getattr(world, f), User)]
    checked = 0
    for user in users:
        for employer in selectors.employer_list(user=user):
            _, jobs, members = selectors.employer_jobs(user=user, pk=employer.pk)
            scoped_jobs = selectors.employment_list(user=user).filter(employer=employer)
            scoped_members = selectors.membership_list(user=user).filter(employer=employer)
            assert set(jobs.values_list("pk", flat=True)) == set(scoped_jobs.values_list("pk", flat=True))
            assert set(members.values_list("pk", flat=True)) == set(
                scoped_members.values_list("pk", flat=True)
            )
            checked += 1
    assert checked >= 6
    with pytest.raises(NotInScope):
        selectors.employer_jobs(user=world.hr_factory, pk=world.hospital.pk)
