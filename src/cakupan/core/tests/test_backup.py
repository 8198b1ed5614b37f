"""Backup and restore as the README's "Operations" section says, run for real: a registry with memberships and
a billing run is dumped (PostgreSQL: pg_dump -Fc; SQLite: the backup API), restored into a fresh database
(pg_restore; the backup API again), and the copy has the same rows in every table and the same bill totals.

Transactional: pg_dump sees committed rows only. The flush after each test empties every table, so the
regions the other tests read are loaded again after the module."""

from __future__ import annotations

import glob
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection

from cakupan.contributions.models import Bill, BillLine
from cakupan.contributions.services.billing import billing_run
from cakupan.contributions.tests.factories import pu_member_make
from cakupan.regions.models import Region

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("regions_back_after_module")]

Query = Callable[[str], Any]


@pytest.fixture
def world(regions_in_transactional_db: Any, world: Any) -> Any:
    return world


@pytest.fixture
def billed(world: Any) -> None:
    for serial in range(5):
        pu_member_make(world.admin, world.factory, serial, wage=4_000_000 + 10_000 * serial)
    billing_run(period="2025-04")
    assert Bill.objects.exists()


def figures(query: Query) -> dict[str, Any]:
    """Rows in every table of the product, and the bills' totals, as one database answers them."""
    counts = {
        table: query(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - the product's own table names
        for table in connection.introspection.table_names()
    }
    bills, lines = Bill._meta.db_table, BillLine._meta.db_table
    return {
        "rows": counts,
        "bills": query(f'SELECT count(*), sum(amount_due), sum(members) FROM "{bills}"'),  # noqa: S608
        "lines": query(f'SELECT count(*), sum(amount), sum(employer_share) FROM "{lines}"'),  # noqa: S608
    }


def live(sql: str) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def pg_tool(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))), None)
    if not found:
        pytest.skip(f"{name} is not installed")
    return found


def run(*args: str) -> None:
    result = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)  # noqa: S603
    assert result.returncode == 0, result.stderr


@pytest.fixture
def restored_pg() -> Iterator[str]:
    """The name of a fresh database for the restore, dropped afterwards (only this one)."""
    s = connection.settings_dict
    name = f"{s['NAME']}_restored"
    server = ["--host", s["HOST"] or "127.0.0.1", "--port", str(s["PORT"] or 5432), "--username", s["USER"]]
    run(pg_tool("dropdb"), *server, "--if-exists", name)
    run(pg_tool("createdb"), *server, name)
    yield name
    run(pg_tool("dropdb"), *server, "--if-exists", name)


def url(name: str) -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgresql://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def test_pg_dump_and_pg_restore_give_the_same_registry(
    billed: None, restored_pg: str, tmp_path: Path
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump is PostgreSQL's (SQLite: the next test)")
    dump = tmp_path / "cakupan.dump"
    run(
        pg_tool("pg_dump"),
        "--format=custom",
        "--no-owner",
        f"--file={dump}",
        url(connection.settings_dict["NAME"]),
    )
    run(pg_tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={url(restored_pg)}", str(dump))
    with psycopg.connect(url(restored_pg)) as copy:

        def restored(sql: str) -> Any:
            return tuple(copy.execute(sql).fetchone() or ())

        expected, got = figures(live), figures(restored)
    assert got == expected
    assert expected["bills"][0] > 0
    assert expected["rows"][Region._meta.db_table][0] > 0


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the backup API is SQLite's (PostgreSQL: the other test)"
)
def test_sqlite_backup_and_restore_give_the_same_registry(billed: None, tmp_path: Path) -> None:
    backup, restored = tmp_path / "backup.sqlite3", tmp_path / "restored.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(backup) as target:
        connection.connection.backup(target)  # online: the server may keep writing meanwhile
    source, copy = sqlite3.connect(backup), sqlite3.connect(restored)
    try:
        source.backup(copy)  # restoring is the same copy the other way, into a fresh file
    finally:
        source.close()

    def from_copy(sql: str) -> Any:
        return tuple(copy.execute(sql).fetchone())

    try:
        expected, got = figures(live), figures(from_copy)
    finally:
        copy.close()
    assert got == expected
    assert expected["bills"][0] > 0
    assert expected["rows"][Region._meta.db_table][0] > 0
