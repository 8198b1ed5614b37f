"""How the roster merge moves rows in and out of the database, and the few SQL spellings that differ.

The merge's decisions are one set of statements (merge.py). What differs is only the transport:

- **COPY** (PostgreSQL): the valid rows go into the staging table with one COPY, the outcome comes back with
  one COPY; a million rows take seconds.
- **VALUES** (SQLite, or PostgreSQL with `settings.ROSTER_MERGE = "portable"`, which the tests use to
  compare the two): one `INSERT … VALUES` statement run for every row (executemany), one SELECT back.

and three spellings of the database (`Dialect`): drawing the ids of new rows (a sequence on PostgreSQL,
where imports may run at the same time; the next ids after the table's on SQLite, which writes one
transaction at a time), drawing a random KPJ, and keeping a subquery whole (computed once, not inlined).
"""
# ruff: noqa: S608 - SQL text built from table names and fixed column lists, values are parameters

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.conf import settings
from django.db import DatabaseError, connection, transaction

# The digits a KPJ is drawn from: 11 digits, the first not 0. Tests narrow it to force collisions.
KPJ_FIRST, KPJ_SPAN = 10_000_000_000, 90_000_000_000


def merge_path(vendor: str) -> str:
    """Which loader runs: "copy" on PostgreSQL, else "portable" (VALUES). settings.ROSTER_MERGE =
    "portable" forces VALUES anywhere (tests compare the two on PostgreSQL)."""
    if getattr(settings, "ROSTER_MERGE", "auto") == "portable" or vendor != "postgresql":
        return "portable"
    return "copy"


@dataclass(frozen=True)
class Dialect:
    postgres: bool
    copy: bool  # the loader: COPY, else VALUES

    @property
    def json(self) -> str:
        return "jsonb" if self.postgres else "TEXT"

    @property
    def whole(self) -> str:
        """Keeps a subquery whole (the planner neither inlines nor repeats it)."""
        return "OFFSET 0" if self.postgres else "LIMIT -1 OFFSET 0"

    def kpj_draw(self) -> str:
        """A random KPJ; the text goes into statements run with parameters (so "%%" is one "%")."""
        if self.postgres:
            return f"CAST(CAST({KPJ_FIRST} + floor(random() * {KPJ_SPAN}) AS BIGINT) AS TEXT)"
        return f"CAST({KPJ_FIRST} + abs(random() %% {KPJ_SPAN}) AS TEXT)"

    def new_ids(self, cursor: Any, table: str, when: str) -> str:
        """An expression giving each staged row for which `when` holds a new id of `table`."""
        if self.postgres:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0].replace("'", "''")
            return f"CASE WHEN {when} THEN nextval('{sequence}'::regclass) END"
        # AUTOINCREMENT never reuses an id, even one deleted: start after the highest ever given.
        cursor.execute(
            f"""SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0),
                coalesce((SELECT max(id) FROM {table}), 0))""",
            [table],
        )
        base = int(cursor.fetchone()[0])
        return (
            f"CASE WHEN {when} THEN {base} + sum(CASE WHEN {when} THEN 1 ELSE 0 END) "
            "OVER (ORDER BY number ROWS UNBOUNDED PRECEDING) END"
        )

    def prepare(self, cursor: Any) -> None:
        """Memory for this transaction's big set operations (PostgreSQL). Sorts and hashes over a million
        rows get 256 MB instead of spilling to files at the default 4 MB. The staging tables get room in
        memory (at the default 8 MB building them is a third slower): allocated only as used, and
        settable only before the session's first temporary table, otherwise that setting stays."""
        if not self.postgres:
            return
        cursor.execute("SET LOCAL work_mem = '256MB'")
        try:
            with transaction.atomic():
                cursor.execute("SET LOCAL temp_buffers = '1GB'")
        except DatabaseError:
            pass

    def analyze(self, cursor: Any, table: str) -> None:
        if self.postgres:
            cursor.execute(f"ANALYZE {table}")

    def load(self, cursor: Any, table: str, frame: pl.DataFrame) -> None:
        """The frame's rows into `table` (same column names)."""
        columns = ", ".join(frame.columns)
        if self.copy:
            buffer = io.BytesIO()
            frame.write_csv(buffer, include_header=False, null_value="\\N")
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv, NULL '\\N')") as copy:
                copy.write(buffer.getvalue())
            return
        if frame.height == 0:
            return
        marks = ", ".join(["%s"] * frame.width)
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(frame.iter_rows()))

    def read(self, cursor: Any, sql: str, schema: dict[str, Any]) -> pl.DataFrame:
        """The rows of a SELECT (no parameters) as a frame of `schema` (every column read as text)."""
        text_schema = dict.fromkeys(schema, pl.Utf8)
        if self.copy:
            out = io.BytesIO()
            with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
                for block in copy:
                    out.write(block)
            if not out.tell():
                return pl.DataFrame(schema=schema)
            frame = pl.read_csv(out.getvalue(), has_header=False, schema=text_schema)
        else:
            cursor.execute(sql)
            rows: Sequence[Any] = [tuple(None if v is None else str(v) for v in r) for r in cursor.fetchall()]
            frame = pl.DataFrame(rows, schema=text_schema, orient="row")
        return typed(frame, schema)


def typed(frame: pl.DataFrame, schema: dict[str, Any]) -> pl.DataFrame:
    """A frame of text columns as `schema` says (dates written YYYY-MM-DD)."""
    return frame.with_columns(
        pl.col(name).str.to_date("%Y-%m-%d") if kind == pl.Date else pl.col(name).cast(kind)
        for name, kind in schema.items()
    )


def dialect() -> Dialect:
    return Dialect(postgres=connection.vendor == "postgresql", copy=merge_path(connection.vendor) == "copy")
