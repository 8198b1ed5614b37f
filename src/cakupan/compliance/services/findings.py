"""The findings of a match, computed set-based: work tables and a constant number of statements per run.

The scope (one report, or one reported row when a review decision reclassifies it) goes through:
- cmp_ident: each reported row's registered employer. Exact NPP / NIB by one join (ident_exact); the rest by
  the name matcher (services/matching.py), which adds its rows with ident_add;
- cmp_members: the active PU members of each row's matched employer, with their wage and programmes
  (memberships and employments joined once; no person needed);
- cmp_nums: per reported row, the registry figures of its matched employer (active PU members, members per
  programme, wages of their open employments), grouped from cmp_members;
- cmp_lists: per reported row, the listed NIKs not registered there or registered with a lower wage: the
  worker list joined to persons by NIK and to cmp_members;
- cmp_row: one row per reported employer with the inputs of the gap (services/gap.py);
- cmp_price: c(wage, R) of the distinct (period, size class, risk class, wage) of cmp_row, priced in Python
  by the rules core and loaded here: no rate is applied in SQL;
then FINDING_SELECT, whose CASE is the classification, feeds one INSERT … SELECT (findings_insert) or the
reclassification of one row (findings_values). Runs on PostgreSQL and SQLite; only JSON aggregation differs.
"""
# ruff: noqa: S608 - SQL text built from the constants of this module; values are parameters

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection, transaction

from cakupan.compliance.models import Finding, FindingClass, ReportedEmployer, ReportedWorker
from cakupan.compliance.services.gap import PROGRAMME_FIELDS, UNKNOWN_RISK_CLASS, Pricer
from cakupan.core.phases import phase as timed
from cakupan.core.sqlnames import quoted, table
from cakupan.regions.models import BranchOffice
from cakupan.registry.models import Employer, Employment, Membership, Person, Segment
from cakupan.rules.sanctions import PROGRAMMES, sanction_tables

REPORTED, WORKERS = table(ReportedEmployer), table(ReportedWorker)
EMPLOYER, EMPLOYMENT, MEMBERSHIP, PERSON = (table(m) for m in (Employer, Employment, Membership, Person))
_ACTIVE, _PU = quoted(Membership.Status.ACTIVE), quoted(Segment.PU)
# Programme i of PROGRAMMES is column n{i} (members holding it), q{i} (required by the size class), lk{i}
# (members lacking it) and p{i} (its contribution) of the work tables.
P = range(len(PROGRAMMES))
# The duration of each step of a run, at DEBUG (the benchmark prints them).
log = logging.getLogger("cakupan.compliance.match")


def phase(name: str) -> AbstractContextManager[None]:
    return timed(None, name, log=log)


@dataclass(frozen=True)
class Scope:
    """The reported rows of a run, as a condition on the reported employers (REPORTED r)."""

    where: str
    params: tuple[Any, ...]

    @classmethod
    def report(cls, report_id: int) -> Scope:
        return cls("r.report_id = %s", (report_id,))

    @classmethod
    def row(cls, reported_id: int) -> Scope:
        return cls("r.id = %s", (reported_id,))


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _json_type() -> str:
    return "jsonb" if _pg() else "TEXT"


def _empty_list() -> str:
    return "'[]'::jsonb" if _pg() else "'[]'"


def _columns(prefix: str, kind: str) -> str:
    return ", ".join(f"{prefix}{i} {kind}" for i in P)


def _tables() -> dict[str, str]:
    """The work tables filled from Python, declared; the others are created from their SELECT (_create_as)."""
    j = _json_type()
    return {
        "cmp_size": f"size_class VARCHAR(10) PRIMARY KEY, {_columns('q', 'INTEGER NOT NULL')}",
        "cmp_mask": f"size_class VARCHAR(10) NOT NULL, mask INTEGER NOT NULL, programmes {j} NOT NULL, "
        "PRIMARY KEY (size_class, mask)",
        "cmp_price": "period VARCHAR(7) NOT NULL, size_class VARCHAR(10) NOT NULL, risk INTEGER NOT NULL, "
        f"wage BIGINT NOT NULL, total BIGINT NOT NULL, {_columns('p', 'BIGINT NOT NULL')}, "
        "PRIMARY KEY (period, size_class, risk, wage)",
    }


# The work tables created from their SELECT by the steps themselves (_create_as), dropped with the others.
SELECTED = ("cmp_ident", "cmp_members", "cmp_nums", "cmp_lists", "cmp_row")

# PostgreSQL settings of a run's transaction: its few statements each join and group millions of rows,
# which the default 4 MB spill to disk many times over (at 256 MB the hashes of 8 million persons or
# members are built in one batch, 650-800 MB shared between the parallel workers); and compiling them
# (JIT) costs more than it saves. The number of parallel workers is the server's
# (max_parallel_workers_per_gather): it is sized to the machine's cores.
RUN_SETTINGS = {"work_mem": "256MB", "jit": "off"}


@contextmanager
def work_tables() -> Iterator[None]:
    """The work tables of one run, inside a savepoint of the run's transaction: an error rolls them back.

    On PostgreSQL they are UNLOGGED tables in a schema of this connection's own (cmp_<backend pid>), put
    first on the search path: temporary tables would keep every statement that reads them out of parallel
    plans, and the backend pid keeps two runs at the same time from waiting on each other's names. A
    database user without CREATE on its database gets temporary tables: the same run on one core. On
    SQLite they are temporary tables."""
    with transaction.atomic():
        schema, before = "", []
        with connection.cursor() as c:
            if _pg():
                c.execute("SELECT 'cmp_' || pg_backend_pid(), current_setting('search_path')")
                schema, path = c.fetchone()
                try:
                    with transaction.atomic():
                        c.execute(f"CREATE SCHEMA {schema}")
                except DatabaseError:
                    log.warning("no CREATE on the database: the match runs without parallel plans")
                    schema = ""
                settings = {**RUN_SETTINGS, "search_path": f"{schema}, {path}"} if schema else RUN_SETTINGS
                for name, value in settings.items():
                    c.execute("SELECT current_setting(%s)", [name])
                    before.append((name, c.fetchone()[0]))
                    c.execute("SELECT set_config(%s, %s, true)", [name, value])
        unlogged = _unlogged.set(bool(schema))
        try:
            with connection.cursor() as c:
                for name, columns in _tables().items():
                    c.execute(f"CREATE {_work_table()} {name} ({columns})")
            yield
        finally:
            _unlogged.reset(unlogged)
        with connection.cursor() as c:
            if schema:
                c.execute(f"DROP SCHEMA {schema} CASCADE")
            else:
                for name in (*_tables(), *SELECTED):
                    c.execute(f"DROP TABLE IF EXISTS {name}")
            for name, value in before:
                c.execute("SELECT set_config(%s, %s, true)", [name, value])


# Whether this run's work tables live in its own schema (UNLOGGED) or are temporary tables.
_unlogged: ContextVar[bool] = ContextVar("compliance_work_tables_unlogged", default=False)


def _work_table() -> str:
    return "UNLOGGED TABLE" if _unlogged.get() else "TEMPORARY TABLE"


def _create_as(c: Any, name: str, select: str, params: Sequence[Any] = ()) -> None:
    """A work table from its SELECT: on PostgreSQL CREATE TABLE … AS may run in parallel, INSERT … SELECT
    may not."""
    c.execute(f"CREATE {_work_table()} {name} AS {select}", params)


def _analyze(c: Any, *tables: str) -> None:
    # Autovacuum would analyse the work tables only after the run commits: without statistics the planner
    # guesses.
    if _pg():
        c.execute(f"ANALYZE {', '.join(tables)}")


def rows_insert(c: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Rows from Python into a work table: COPY on PostgreSQL, else multi-row VALUES of 500 rows."""
    if _pg():
        with c.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    for start in range(0, len(rows), 500):
        part = rows[start : start + 500]
        c.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * len(part))}",
            [v for row in part for v in row],
        )


def ident_exact(scope: Scope) -> None:
    """Rows identified by NPP, else by NIB (both unique in the registry): one join, which creates cmp_ident
    (the name matcher then adds its rows)."""
    with connection.cursor() as c:
        _create_as(
            c,
            "cmp_ident",
            "SELECT r.id AS reported_id, COALESCE(a.id, b.id) AS employer_id, "
            "CAST(CASE WHEN a.id IS NULL THEN 'nib' ELSE 'npp' END AS VARCHAR(10)) AS method, "
            "CAST(1.0 AS FLOAT) AS score "
            f"FROM {REPORTED} r "
            f"LEFT JOIN {EMPLOYER} a ON r.npp <> '' AND a.npp = r.npp "
            f"LEFT JOIN {EMPLOYER} b ON r.nib <> '' AND b.nib <> '' AND b.nib = r.nib "
            f"WHERE {scope.where} AND (a.id IS NOT NULL OR b.id IS NOT NULL)",
            scope.params,
        )
        _analyze(c, "cmp_ident")


def ident_rest(scope: Scope) -> list[tuple[int, str, str]]:
    """(reported id, normalised name, regency) of the rows without an exact key, by regency."""
    with connection.cursor() as c:
        c.execute(
            f"SELECT r.id, r.name_key, substr(r.region_id, 1, 5) AS regency FROM {REPORTED} r "
            "LEFT JOIN cmp_ident i ON i.reported_id = r.id "
            f"WHERE {scope.where} AND i.reported_id IS NULL ORDER BY regency, r.id",
            scope.params,
        )
        return [(rid, key, regency) for rid, key, regency in c.fetchall()]


def ident_add(rows: Sequence[tuple[int, int | None, str, float | None]]) -> None:
    """The name matcher's answers: (reported id, employer id or None, method, score)."""
    with connection.cursor() as c:
        rows_insert(c, "cmp_ident", ("reported_id", "employer_id", "method", "score"), rows)


def _members(c: Any) -> None:
    """cmp_members: the active PU members of each reported row's matched employer, with the wage of their
    open employment there (NULL without one) and the programmes they hold. Written once: the registry
    figures and the worker lists both read it, and the join of memberships with employments is the
    costly part of either.

    One active membership and one open employment per (person, employer) (constraints)."""
    held = ", ".join(
        f"CASE WHEN m.{PROGRAMME_FIELDS[p]} THEN 1 ELSE 0 END AS f{i}"
        if p in PROGRAMME_FIELDS
        else f"0 AS f{i}"
        for i, p in enumerate(PROGRAMMES)
    )
    _create_as(
        c,
        "cmp_members",
        f"SELECT i.reported_id AS rid, m.person_id, j.basic_wage + j.fixed_allowance AS wage, {held} "
        f"FROM cmp_ident i JOIN {MEMBERSHIP} m ON m.employer_id = i.employer_id "
        f"AND m.status = {_ACTIVE} AND m.segment = {_PU} "
        f"LEFT JOIN {EMPLOYMENT} j ON j.person_id = m.person_id AND j.employer_id = m.employer_id "
        "AND j.end_date IS NULL",
    )
    _analyze(c, "cmp_members")


def _registry_numbers(c: Any) -> None:
    """cmp_nums, per reported row with members: how many, how many hold each programme, and the wages of
    their open employments (a member without one counts, with no wage)."""
    _create_as(
        c,
        "cmp_nums",
        "SELECT rid, COUNT(*) AS members, CAST(COALESCE(SUM(wage), 0) AS BIGINT) AS wages, "
        f"{', '.join(f'SUM(f{i}) AS n{i}' for i in P)} FROM cmp_members GROUP BY rid",
    )


def _worker_lists(c: Any) -> None:
    """cmp_lists, per reported row with something to show: the listed NIKs not registered at its employer
    (no active PU membership with an open employment there; all of them when unmatched), and those
    registered there with a lower wage. One NIK per person, and per reported row (constraints): a listed
    worker meets at most one member."""
    agg = "jsonb_agg" if _pg() else "json_group_array"
    # Only the listed workers with something to show are grouped, fed in NIK order (PostgreSQL's documented
    # idiom for an ordered aggregate without a sort per group; SQLite keeps the order too).
    _create_as(
        c,
        "cmp_lists",
        f"SELECT rid, COALESCE({agg}(nik) FILTER (WHERE gone = 1), {_empty_list()}) AS missing, "
        f"COALESCE({agg}(nik) FILTER (WHERE low = 1), {_empty_list()}) AS underwaged "
        "FROM (SELECT w.employer_id AS rid, w.nik, CASE WHEN x.wage IS NULL THEN 1 ELSE 0 END AS gone, "
        "CASE WHEN x.wage < w.wage THEN 1 ELSE 0 END AS low "
        f"FROM {WORKERS} w JOIN cmp_ident i ON i.reported_id = w.employer_id "
        f"LEFT JOIN {PERSON} p ON p.nik = w.nik "
        "LEFT JOIN cmp_members x ON x.rid = w.employer_id AND x.person_id = p.id "
        "WHERE x.wage IS NULL OR x.wage < w.wage ORDER BY w.employer_id, w.nik) t GROUP BY rid",
    )


def _size_tables(c: Any) -> None:
    """The programmes each size class must hold (Perpres 109/2013 Pasal 6, rules/tables/sanctions.toml), and
    for each subset of them the list a finding shows, in the table's order."""
    mandatory = {size: rule.value for size, rule in sanction_tables().mandatory.items()}
    rows_insert(
        c,
        "cmp_size",
        ("size_class", *(f"q{i}" for i in P)),
        [(size, *(int(p in req) for p in PROGRAMMES)) for size, req in mandatory.items()],
    )
    masks = []
    for size, req in mandatory.items():
        bits = {p: 1 << PROGRAMMES.index(p) for p in req}
        for mask in range(1 << len(PROGRAMMES)):
            if mask & ~sum(bits.values()) == 0:
                masks.append((size, mask, json.dumps([p for p in req if mask & bits[p]])))
    rows_insert(c, "cmp_mask", ("size_class", "mask", "programmes"), masks)


def _rows(c: Any, scope: Scope) -> None:
    through = table(BranchOffice.regions.through)
    lacking = [
        f"CASE WHEN i.employer_id IS NOT NULL AND g.members > 0 AND q.q{i} = 1 THEN g.members - g.n{i} "
        "ELSE 0 END"
        for i in P
    ]
    mask = " + ".join(
        f"CASE WHEN ({lk}) > 0 THEN {1 << i} ELSE 0 END" for i, lk in zip(P, lacking, strict=True)
    )
    _create_as(
        c,
        "cmp_row",
        "SELECT r.id AS reported_id, i.employer_id, i.method, i.score, "
        "substr(COALESCE(e.region_id, r.region_id), 1, 5) AS region_id, "
        "CASE WHEN e.id IS NULL THEN b.office ELSE e.branch_office_id END AS branch_office_id, r.kbli, "
        "r.period, r.size_class, CAST(COALESCE(e.risk_class, %s) AS INTEGER) AS risk, "
        "CAST(r.reported_workers AS BIGINT) AS reported, "
        "CAST(CASE WHEN r.reported_workers > 0 THEN r.reported_wages / r.reported_workers ELSE 0 END "
        "AS BIGINT) AS w, "
        "COALESCE(g.members, 0) AS members, COALESCE(g.wages, 0) AS wages, "
        "CASE WHEN g.members > 0 THEN g.wages / g.members ELSE 0 END AS r_avg, "
        f"{mask} AS mask, {', '.join(f'{lk} AS lk{i}' for i, lk in zip(P, lacking, strict=True))} "
        f"FROM {REPORTED} r JOIN cmp_ident i ON i.reported_id = r.id "
        f"LEFT JOIN {EMPLOYER} e ON e.id = i.employer_id "
        "LEFT JOIN cmp_nums g ON g.rid = r.id "
        "LEFT JOIN cmp_size q ON q.size_class = r.size_class "
        f"LEFT JOIN (SELECT region_id, MIN(branchoffice_id) AS office FROM {through} GROUP BY region_id) b "
        "ON b.region_id = substr(r.region_id, 1, 5) "
        f"WHERE {scope.where}",
        (UNKNOWN_RISK_CLASS, *scope.params),
    )


def _prices(c: Any) -> None:
    """c(wage, R) for every wage the gap needs: the average reported wage w, the average registered wage r
    when below w, and min(r, w), each at the row's risk class and the programmes R of its size class."""
    c.execute(
        "SELECT DISTINCT period, size_class, risk, wage FROM ("
        "SELECT period, size_class, risk, w AS wage FROM cmp_row "
        "UNION ALL SELECT period, size_class, risk, r_avg FROM cmp_row WHERE members > 0 AND r_avg < w"
        ") x WHERE wage > 0"
    )
    wanted = c.fetchall()
    mandatory = {size: rule.value for size, rule in sanction_tables().mandatory.items()}
    pricer = Pricer()
    by_period: dict[str, set[tuple[int, int, tuple[str, ...]]]] = {}
    for period, size, risk, wage in wanted:
        if size in mandatory:
            by_period.setdefault(period, set()).add((wage, risk, mandatory[size]))
    for period, keys in by_period.items():
        pricer.prime(period, keys)
    rows = []
    for period, size, risk, wage in wanted:
        if size in mandatory:
            amounts = pricer.price(period, wage, risk, mandatory[size])
            rows.append(
                (period, size, risk, wage, sum(amounts.values()), *(amounts.get(p, 0) for p in PROGRAMMES))
            )
    rows_insert(
        c, "cmp_price", ("period", "size_class", "risk", "wage", "total", *(f"p{i}" for i in P)), rows
    )


def figures_compute(scope: Scope) -> None:
    """Everything FINDING_SELECT reads, once cmp_ident holds every row of the scope."""
    with connection.cursor() as c:
        _analyze(c, "cmp_ident")
        with phase("registered members"):
            _members(c)
        with phase("registry figures"):
            _registry_numbers(c)
        with phase("worker lists"):
            _worker_lists(c)
        _size_tables(c)
        _analyze(c, "cmp_nums", "cmp_lists", "cmp_size", "cmp_mask")
        with phase("rows"):
            _rows(c, scope)
            _analyze(c, "cmp_row")
        with phase("prices"):
            _prices(c)
            _analyze(c, "cmp_price")


def _price_join(alias: str, wage: str) -> str:
    return (
        f"LEFT JOIN cmp_price {alias} ON {alias}.period = c.period AND {alias}.size_class = c.size_class "
        f"AND {alias}.risk = c.risk AND {alias}.wage = {wage}"
    )


# The formula is services/gap.py's; c(…) are the joined prices (0 where the wage is 0: nothing to price).
_GAPS = (
    "SELECT c.*, "
    "CASE WHEN c.employer_id IS NULL THEN c.reported WHEN c.reported > c.members "
    "THEN c.reported - c.members ELSE 0 END AS missing, "
    "CASE WHEN c.employer_id IS NULL AND c.method = 'review' THEN 0 "  # not priced until a person decides
    "WHEN c.employer_id IS NULL THEN c.reported * COALESCE(pf.total, 0) "
    "WHEN c.reported > c.members THEN (c.reported - c.members) * COALESCE(pf.total, 0) "
    "ELSE 0 END AS gap_workers, "
    "CASE WHEN c.employer_id IS NOT NULL AND c.members > 0 AND c.r_avg < c.w "
    "THEN (CASE WHEN c.members < c.reported THEN c.members ELSE c.reported END) "
    "* (COALESCE(pf.total, 0) - COALESCE(pr.total, 0)) ELSE 0 END AS gap_wages, "
    + " + ".join(f"c.lk{i} * COALESCE(pb.p{i}, 0)" for i in P)
    + " AS gap_programmes FROM cmp_row c "
    + _price_join("pf", "c.w")
    + " "
    + _price_join("pr", "c.r_avg")
    + " "
    + _price_join("pb", "CASE WHEN c.r_avg < c.w THEN c.r_avg ELSE c.w END")
)

FINDING_COLUMNS = (
    "reported_id",
    "employer_id",
    "region_id",
    "branch_office_id",
    "kbli",
    "klass",
    "method",
    "score",
    "registered_workers",
    "registered_wages",
    "missing_workers",
    "missing_programmes",
    "gap_workers",
    "gap_wages",
    "gap_programmes",
    "gap",
    "missing_niks",
    "underwaged_niks",
)


def _finding_select() -> str:
    empty = _empty_list()
    k = FindingClass
    return (
        "SELECT s.reported_id, s.employer_id, s.region_id, s.branch_office_id, s.kbli, "
        f"CASE WHEN s.employer_id IS NULL AND s.method = 'review' THEN '{k.REVIEW.value}' "
        f"WHEN s.employer_id IS NULL THEN '{k.PWBD.value}' "
        f"WHEN s.missing > 0 THEN '{k.PDS_WORKERS.value}' "
        f"WHEN s.gap_wages > 0 THEN '{k.PDS_WAGES.value}' "
        f"WHEN s.mask > 0 THEN '{k.PDS_PROGRAMMES.value}' "
        f"ELSE '{k.COMPLIANT.value}' END, "
        "s.method, s.score, s.members, s.wages, s.missing, "
        f"COALESCE(mk.programmes, {empty}), s.gap_workers, s.gap_wages, s.gap_programmes, "
        "s.gap_workers + s.gap_wages + s.gap_programmes, "
        f"COALESCE(k.missing, {empty}), COALESCE(k.underwaged, {empty}) "
        f"FROM ({_GAPS}) s "
        "LEFT JOIN cmp_mask mk ON mk.size_class = s.size_class AND mk.mask = s.mask "
        "LEFT JOIN cmp_lists k ON k.rid = s.reported_id"
    )


def findings_insert(run_id: int) -> None:
    with connection.cursor() as c:
        c.execute(
            f"INSERT INTO {table(Finding)} (run_id, {', '.join(FINDING_COLUMNS)}) "
            # In reported_id order: the deferred foreign-key checks then read the reported rows in order.
            f"SELECT CAST(%s AS BIGINT), x.* FROM ({_finding_select()}) x ORDER BY x.reported_id",
            [run_id],
        )


def findings_values() -> list[dict[str, Any]]:
    """The findings of the scope as field values (a few rows: the reclassification of a review)."""
    json_fields = {"missing_programmes", "missing_niks", "underwaged_niks"}
    with connection.cursor() as c:
        c.execute(_finding_select())
        rows = [dict(zip(FINDING_COLUMNS, row, strict=True)) for row in c.fetchall()]
    for row in rows:
        for name in json_fields:
            if isinstance(row[name], str):
                row[name] = json.loads(row[name])
    return rows
