"""Empty twins of the product's tables for the benchmarks' floors: same columns, indexes, checks and foreign
keys, in a schema "floor" of their own."""

from __future__ import annotations

import io
from typing import Any


def twins_create(cursor: Any, tables: list[str]) -> None:
    """Schema "floor" made anew with a twin of each table. A foreign key between two of `tables` points to
    the twin; the others to the product's table."""
    cursor.execute("DROP SCHEMA IF EXISTS floor CASCADE")
    cursor.execute("CREATE SCHEMA floor")
    for table in tables:
        cursor.execute(f"CREATE TABLE floor.{table} (LIKE public.{table} INCLUDING ALL)")
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [f"public.{table}"],
        )
        for name, definition in cursor.fetchall():
            for twin in tables:
                definition = definition.replace(f"REFERENCES {twin}(", f"REFERENCES floor.{twin}(")
            cursor.execute(f"ALTER TABLE floor.{table} ADD CONSTRAINT {name} {definition}")


def copy_out(cursor: Any, source: str) -> bytes:
    """COPY of a table or a (query) as the text COPY FROM reads."""
    out = io.BytesIO()
    with cursor.copy(f"COPY {source} TO STDOUT") as copy:
        for block in copy:
            out.write(block)
    return out.getvalue()
