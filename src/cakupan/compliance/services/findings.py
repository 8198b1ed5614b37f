"""The findings of a match, computed set-based: work tables and a constant number of statements per run.

The scope (one report, or one reported row when a review decision reclassifies it) goes through:
- cmp_ident: each reported row's registered employer. Exact NPP / NIB by one join (ident_exact); the rest by
  the name matcher (services/matching.py), which adds its rows with ident_add;
- cmp_reg: per reported row, the registry figures of its matched employer (active PU members, members per
  programme, wages of their open employments) and the listed NIKs not registered there or registered with
  a lower wage: one GROUP BY over memberships, employments and the worker list joined;
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
from dataclasses import dataclass
from typing import Any

from django.db import connection

from cakupan.compliance.models import Finding, FindingClass
from cakupan.compliance.sanctions import PROGRAMMES, sanction_tables
from cakupan.compliance.services.gap import PROGRAMME_FIELDS, UNKNOWN_RISK_CLASS, Pricer
from cakupan.core.phases import phase as timed
from cakupan.regions.models import BranchOffice

REPORTED = "compliance_reportedemployer"
WORKERS = "compliance_reportedworker"
# Programme i of PROGRAMMES is column n{i} (members holding it), q{i} (required by the size class), lk{i}
# (members lacking it) and p{i} (its contribution) of the work tables.
P = range(len(PROGRAMMES))
# The duration of each step of a run, at DEBUG (the benchmark prints them).
log = logging.getLogger("cakupan.compliance.match")


def phase(name: str) -> AbstractContextManager[None]:
    return timed(None, name, log=log)


@dataclass(frozen=True)
class Scope:
    """The reported rows of a run, as a condition on compliance_reportedemployer r."""

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
    j = _json_type()
    return {
        "cmp_ident": "reported_id BIGINT PRIMARY KEY, employer_id BIGINT, method VARCHAR(10) NOT NULL, "
        "score FLOAT",
        "cmp_reg": f"reported_id BIGINT PRIMARY KEY, members BIGINT NOT NULL, wages BIGINT NOT NULL, "
        f"{_columns('n', 'BIGINT NOT NULL')}, missing {j} NOT NULL, underwaged {j} NOT NULL",
        "cmp_size": f"size_class VARCHAR(10) PRIMARY KEY, {_columns('q', 'INTEGER NOT NULL')}",
        "cmp_mask": f"size_class VARCHAR(10) NOT NULL, mask INTEGER NOT NULL, programmes {j} NOT NULL, "
        "PRIMARY KEY (size_class, mask)",
        "cmp_row": "reported_id BIGINT PRIMARY KEY, employer_id BIGINT, method VARCHAR(10) NOT NULL, "
        "score FLOAT, region_id VARCHAR(20) NOT NULL, branch_office_id BIGINT, kbli VARCHAR(5) NOT NULL, "
        "period VARCHAR(7) NOT NULL, size_class VARCHAR(10) NOT NULL, risk INTEGER NOT NULL, "
        "reported BIGINT NOT NULL, w BIGINT NOT NULL, members BIGINT NOT NULL, wages BIGINT NOT NULL, "
        f"r_avg BIGINT NOT NULL, mask INTEGER NOT NULL, {_columns('lk', 'BIGINT NOT NULL')}",
        "cmp_price": "period VARCHAR(7) NOT NULL, size_class VARCHAR(10) NOT NULL, risk INTEGER NOT NULL, "
        f"wage BIGINT NOT NULL, total BIGINT NOT NULL, {_columns('p', 'BIGINT NOT NULL')}, "
        "PRIMARY KEY (period, size_class, risk, wage)",
    }


# PostgreSQL settings of a run's transaction: its few statements each join and group millions of rows,
# which the default 4 MB spill to disk many times over; and compiling them (JIT) costs more than it saves.
RUN_SETTINGS = {"work_mem": "256MB", "jit": "off"}


@contextmanager
def work_tables() -> Iterator[None]:
    """The temporary tables of one run, in this connection (inside the run's transaction)."""
    before: list[tuple[str, str]] = []
    with connection.cursor() as c:
        if _pg():
            for name, value in RUN_SETTINGS.items():
                c.execute("SELECT current_setting(%s)", [name])
                before.append((name, c.fetchone()[0]))
                c.execute("SELECT set_config(%s, %s, true)", [name, value])
        for name, columns in _tables().items():
            c.execute(f"DROP TABLE IF EXISTS {name}")
            c.execute(f"CREATE TEMPORARY TABLE {name} ({columns})")
    try:
        yield
    finally:
        with connection.cursor() as c:
            for name in _tables():
                c.execute(f"DROP TABLE IF EXISTS {name}")
            for name, value in before:
                c.execute("SELECT set_config(%s, %s, true)", [name, value])


def _analyze(c: Any, *tables: str) -> None:
    # PostgreSQL's autovacuum never analyses temporary tables: without statistics the planner guesses.
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
    """Rows identified by NPP, else by NIB (both unique in the registry): one join."""
    with connection.cursor() as c:
        c.execute(
            "INSERT INTO cmp_ident (reported_id, employer_id, method, score) "
            "SELECT r.id, COALESCE(a.id, b.id), CASE WHEN a.id IS NULL THEN 'nib' ELSE 'npp' END, 1.0 "
            f"FROM {REPORTED} r "
            "LEFT JOIN registry_employer a ON r.npp <> '' AND a.npp = r.npp "
            "LEFT JOIN registry_employer b ON r.nib <> '' AND b.nib <> '' AND b.nib = r.nib "
            f"WHERE {scope.where} AND (a.id IS NOT NULL OR b.id IS NOT NULL)",
            scope.params,
        )


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


def _registry_figures(c: Any) -> None:
    """Per reported row, in one pass over memberships, employments and the worker list: the registry figures
    of its matched employer (active PU members, members per programme, wages of their open employments),
    and the listed NIKs not registered there (no active PU membership with an open employment; all of them
    when unmatched) or registered with a lower wage.

    One active membership and one open employment per (person, employer), and one NIK per person and per
    reported row (constraints): a listed worker meets at most one member. x.wage is NULL both for a worker
    without a member and for a member without an open employment: either way not registered there."""
    held = ", ".join(
        f"CASE WHEN m.{PROGRAMME_FIELDS[p]} THEN 1 ELSE 0 END AS f{i}"
        if p in PROGRAMME_FIELDS
        else f"0 AS f{i}"
        for i, p in enumerate(PROGRAMMES)
    )
    # The members carry their NIK (persons joined by id, in the order memberships are read): the worker list
    # then meets them by NIK, without looking each listed NIK up among all persons.
    members = (
        f"SELECT i.reported_id AS rid, p.nik, j.basic_wage + j.fixed_allowance AS wage, {held} "
        "FROM cmp_ident i JOIN registry_membership m ON m.employer_id = i.employer_id "
        "AND m.status = 'active' AND m.segment = 'PU' "
        "JOIN registry_person p ON p.id = m.person_id "
        "LEFT JOIN registry_employment j ON j.person_id = m.person_id AND j.employer_id = m.employer_id "
        "AND j.end_date IS NULL"
    )
    listed = (
        f"SELECT w.employer_id AS rid, w.nik, w.wage FROM {WORKERS} w "
        "JOIN cmp_ident i ON i.reported_id = w.employer_id"
    )
    agg = "jsonb_agg" if _pg() else "json_group_array"
    # x (the members) is read twice, so computed once; only the listed workers with something to show are
    # grouped for the lists, fed in NIK order (PostgreSQL's documented idiom for an ordered aggregate
    # without a sort per group; SQLite keeps the order too).
    c.execute(
        f"WITH x AS MATERIALIZED ({members}), y AS ({listed}), "
        "nums AS (SELECT rid, COUNT(*) AS members, COALESCE(SUM(wage), 0) AS wages, "
        f"{', '.join(f'SUM(f{i}) AS f{i}' for i in P)} FROM x GROUP BY rid), "
        f"lists AS (SELECT rid, COALESCE({agg}(nik) FILTER (WHERE gone = 1), {_empty_list()}) AS missing, "
        f"COALESCE({agg}(nik) FILTER (WHERE low = 1), {_empty_list()}) AS underwaged "
        "FROM (SELECT y.rid, y.nik, CASE WHEN x.wage IS NULL THEN 1 ELSE 0 END AS gone, "
        "CASE WHEN x.wage < y.wage THEN 1 ELSE 0 END AS low "
        "FROM y LEFT JOIN x ON x.rid = y.rid AND x.nik = y.nik "
        "WHERE x.wage IS NULL OR x.wage < y.wage ORDER BY y.rid, y.nik) t GROUP BY rid) "
        f"INSERT INTO cmp_reg (reported_id, members, wages, {', '.join(f'n{i}' for i in P)}, missing, "
        "underwaged) "
        "SELECT COALESCE(n.rid, l.rid), COALESCE(n.members, 0), COALESCE(n.wages, 0), "
        f"{', '.join(f'COALESCE(n.f{i}, 0)' for i in P)}, "
        f"COALESCE(l.missing, {_empty_list()}), COALESCE(l.underwaged, {_empty_list()}) "
        "FROM nums n FULL JOIN lists l ON l.rid = n.rid"
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
    through = BranchOffice.regions.through._meta.db_table
    lacking = [
        f"CASE WHEN i.employer_id IS NOT NULL AND g.members > 0 AND q.q{i} = 1 THEN g.members - g.n{i} "
        "ELSE 0 END"
        for i in P
    ]
    mask = " + ".join(
        f"CASE WHEN ({lk}) > 0 THEN {1 << i} ELSE 0 END" for i, lk in zip(P, lacking, strict=True)
    )
    c.execute(
        "INSERT INTO cmp_row (reported_id, employer_id, method, score, region_id, branch_office_id, kbli, "
        "period, size_class, risk, reported, w, members, wages, r_avg, mask, "
        f"{', '.join(f'lk{i}' for i in P)}) "
        "SELECT r.id, i.employer_id, i.method, i.score, substr(COALESCE(e.region_id, r.region_id), 1, 5), "
        "CASE WHEN e.id IS NULL THEN b.office ELSE e.branch_office_id END, r.kbli, r.period, r.size_class, "
        "COALESCE(e.risk_class, %s), r.reported_workers, "
        "CASE WHEN r.reported_workers > 0 THEN r.reported_wages / r.reported_workers ELSE 0 END, "
        "COALESCE(g.members, 0), COALESCE(g.wages, 0), "
        "CASE WHEN g.members > 0 THEN g.wages / g.members ELSE 0 END, "
        f"{mask}, {', '.join(lacking)} "
        f"FROM {REPORTED} r JOIN cmp_ident i ON i.reported_id = r.id "
        "LEFT JOIN registry_employer e ON e.id = i.employer_id "
        "LEFT JOIN cmp_reg g ON g.reported_id = r.id "
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
        with phase("registry figures and worker lists"):
            _registry_figures(c)
        _size_tables(c)
        _analyze(c, "cmp_reg", "cmp_size", "cmp_mask")
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
        "LEFT JOIN cmp_reg k ON k.reported_id = s.reported_id"
    )


def findings_insert(run_id: int) -> None:
    with connection.cursor() as c:
        c.execute(
            f"INSERT INTO {Finding._meta.db_table} (run_id, {', '.join(FINDING_COLUMNS)}) "
            f"SELECT CAST(%s AS BIGINT), x.* FROM ({_finding_select()}) x",
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
