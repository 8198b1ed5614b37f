"""Database helpers shared by the bulk services."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection


def deferred_checks_now() -> None:
    """Check the deferred foreign keys of the rows this transaction wrote so far, now rather than at COMMIT:
    a violation then fails inside the service that wrote them, and a bulk write's checks (seconds for a
    million rows) can be timed as a phase of their own. PostgreSQL only: SQLite checks them at COMMIT."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def secondary_keys_dropped(tables: Sequence[str], *, primary: bool = False) -> list[str]:
    """Drops the indexes, unique and foreign keys of `tables` (and their primary keys when `primary`);
    returns the statements that put them back, in a restore's order (primary keys, indexes, unique keys,
    foreign keys), so that each is built once over all the rows instead of kept up row by row during a
    bulk load. PostgreSQL only (nothing is dropped on SQLite). Takes an exclusive lock on the tables until
    the transaction ends. A primary key only when nothing refers to it (an audience table, not persons)."""
    if connection.vendor != "postgresql" or not tables:
        return []
    kinds = ["u", "f", *(["p"] if primary else [])]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c WHERE c.conrelid::regclass::text = ANY(%s) AND c.contype = ANY(%s)",
            [list(tables), kinds],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        order = {"p": 0, "u": 2, "f": 3}
        restore = [(order[k], f'ALTER TABLE "{t}" ADD CONSTRAINT "{n}" {d}') for t, n, k, d in constraints]
        restore += [(1, definition) for _name, definition in indexes]
        for table, name, _kind, _definition in sorted(constraints, key=lambda row: -order[row[2]]):
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    return [statement for _rank, statement in sorted(restore, key=lambda row: row[0])]


def secondary_keys_restored(statements: Sequence[str]) -> None:
    """Puts back what `secondary_keys_dropped` returned, with memory enough to sort a big index at once."""
    if not statements:
        return
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for statement in statements:
            cursor.execute(statement)
