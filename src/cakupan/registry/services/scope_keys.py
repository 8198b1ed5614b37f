"""The scope keys stored on the rows, so that what a role sees is an index range (accounts.scope).

- `PersonAudience(key, person, full_name)`: for every person, the branch offices (`b:<office id>`),
  partner-agency regencies (`a:<regency>`, all sectors; `h:<regency>`, health facilities only), employers
  (`e:<employer id>`, for their HR) and sponsors (`s:<sponsor id>`) that see them. A branch office sees the
  persons living in a region it serves and those employed by, or members through, an employer in those
  regions or filed under the office; an agency regency the persons living there (all sectors only) and
  those employed by or members through its employers; an employer the persons it employs or employed; a
  sponsor the persons whose membership it pays or paid. The row carries the person's name, so that a
  key's persons are also one index range in the person list's order.
- `Employment` and `Membership` carry `person_regency` and `employer_regency` (the first five characters
  of the region codes), which is all an agency needs to list the jobs and memberships it sees.

Both are a function of the registry rows only (persons' names and addresses, employment, memberships and
their sponsors, employers' region, office and facility type, the offices' regions). One SQL text derives
them for both databases; `scope_keys_refresh` rewrites them for some persons in a constant number of
statements (every write path calls it inside its own transaction), `scope_keys_rebuild` for everyone, and
`scope_keys_differences` compares the stored keys with a fresh derivation (the consistency test and
`cakupan scope check`). Other apps' keys follow every refresh (`scope_keys_follow`: the payer accounts').
"""
# ruff: noqa: S608, S611 - SQL text built from model table names and fixed column lists, values are parameters

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from cakupan.accounts.scope import AudienceKind
from cakupan.core.db import deferred_checks_now, secondary_keys_dropped, secondary_keys_restored
from cakupan.regions.models import BranchOffice, Region
from cakupan.registry.models import Employer, Employment, Membership, Person, PersonAudience

AUDIENCE, PERSON, EMPLOYER, EMPLOYMENT, MEMBERSHIP, REGION = (
    m._meta.db_table for m in (PersonAudience, Person, Employer, Employment, Membership, Region)
)
_SERVED = BranchOffice.regions.field
OFFICE_REGIONS = _SERVED.m2m_db_table()
OFFICE_COLUMN, REGION_COLUMN = _SERVED.m2m_column_name(), _SERVED.m2m_reverse_name()
REGENCY_LENGTH = 5  # "35.73": a regency code; districts extend it ("35.73.01"), provinces are its first two

# Which persons a statement is about: None (everyone), a list of ids, a queryset of ids or raw SQL.
PersonIds = Iterable[int] | QuerySet[Any] | RawSQL | None


@dataclass(frozen=True)
class SqlText:
    text: str
    params: list[Any]


# Rows of other apps whose scope keys follow the registry's (contributions: the payer accounts' audience),
# registered from their AppConfig.ready so that the registry needs not know them. Each is called inside the
# refresh's transaction with the persons refreshed (a subquery of ids; None: everyone) and the employers
# whose own region, office or facility type changed.
# Each also names how its keys are checked against a fresh derivation, so that `cakupan scope check` and
# the consistency test see every key, the followers' included.
Follower = Callable[[SqlText | None, Sequence[int]], None]
FollowerCheck = Callable[[int], list["ScopeKeyDifference"]]
_FOLLOWERS: list[Follower] = []
_CHECKS: list[FollowerCheck] = []
_FOLLOWER_TABLES: list[str] = []  # the followers' key tables, rewritten whole by a rebuild


def scope_keys_follow(follower: Follower, check: FollowerCheck, *, table: str = "") -> None:
    """Registers `follower` to run after every refresh and rebuild of the scope keys, and `check` to run
    with every `scope_keys_differences` (once each); `table`: the key table the follower rewrites whole on
    a rebuild (emptied and its indexes set aside with the registry's in a bulk rebuild)."""
    if follower not in _FOLLOWERS:
        _FOLLOWERS.append(follower)
    if check not in _CHECKS:
        _CHECKS.append(check)
    if table and table not in _FOLLOWER_TABLES:
        _FOLLOWER_TABLES.append(table)


def ids_sql(person_ids: PersonIds) -> SqlText | None:
    """A subquery of person ids: one parameter for a list (an array on PostgreSQL, JSON on SQLite), so a
    million ids still make one statement."""
    if person_ids is None:
        return None
    if isinstance(person_ids, RawSQL):
        return SqlText(person_ids.sql, list(person_ids.params))
    if isinstance(person_ids, QuerySet):
        sql, params = person_ids.query.sql_with_params()
        return SqlText(sql, list(params))
    ids = sorted({int(i) for i in person_ids})
    if connection.vendor == "postgresql":
        return SqlText("SELECT unnest(%s::bigint[])", [ids])
    return SqlText("SELECT value FROM json_each(%s)", [json.dumps(ids)])


def _regency(column: str) -> str:
    return f"substr({column}, 1, {REGENCY_LENGTH})"


def _key(kind: AudienceKind, value: str) -> str:
    return f"'{kind.value}:' || {value}"


def _region_offices(ids: SqlText | None) -> str:
    """(code, office): every region and each office serving it or a region containing it. Codes are
    hierarchical, so the containing codes are the region's own and its first two and five characters.
    A few thousand rows for everyone (persons and employers then join it on equality); for some persons
    only their addresses and their employers' regions."""
    contains = f"o.{REGION_COLUMN} IN (substr(r.code, 1, 2), {_regency('r.code')}, r.code)"
    only = (
        f"""WHERE r.code IN (SELECT address_region_id FROM {PERSON} WHERE id IN ({ids.text}))
            OR r.code IN (SELECT region_id FROM {EMPLOYER} WHERE id IN (SELECT employer_id FROM jobs))"""
        if ids
        else ""
    )
    return f"""SELECT r.code AS code, CAST(o.{OFFICE_COLUMN} AS TEXT) AS office
        FROM {REGION} r JOIN {OFFICE_REGIONS} o ON {contains} {only}"""


def region_offices_sql() -> str:
    """(code, office) for every region (see _region_offices): what other apps' keys join on."""
    return _region_offices(None)


def _keys_sql(ids: SqlText | None) -> SqlText:
    """(key, person_id, full_name) rows, one per key and person, for the persons `ids` (everyone when
    None). A person's keys come from where they live, from the employers of their jobs and memberships and
    from the sponsors of their memberships."""
    person_where = f"WHERE p.id IN ({ids.text})" if ids else ""
    job_where = f"AND person_id IN ({ids.text})" if ids else ""
    # Refreshing a few persons reads only their employers, not every employer's keys.
    employer_where = "AND e.id IN (SELECT employer_id FROM jobs)" if ids else ""
    id_params = ids.params if ids else []
    branch, agency, health = AudienceKind.BRANCH, AudienceKind.AGENCY, AudienceKind.HEALTH
    employer, sponsor = AudienceKind.EMPLOYER, AudienceKind.SPONSOR
    text = f"""WITH jobs AS (
            SELECT person_id, employer_id FROM {EMPLOYMENT} WHERE true {job_where}
            UNION ALL
            SELECT person_id, employer_id FROM {MEMBERSHIP} WHERE employer_id IS NOT NULL {job_where}
        ), region_offices AS ({_region_offices(ids)}),
        employer_keys AS (
            SELECT e.id AS employer_id, {_key(agency, _regency("e.region_id"))} AS key
                FROM {EMPLOYER} e WHERE true {employer_where}
            UNION ALL
            SELECT e.id, {_key(health, _regency("e.region_id"))}
                FROM {EMPLOYER} e WHERE e.facility_type <> '' {employer_where}
            UNION ALL
            SELECT e.id, {_key(branch, "CAST(e.branch_office_id AS TEXT)")}
                FROM {EMPLOYER} e WHERE true {employer_where}
            UNION ALL
            SELECT e.id, {_key(branch, "ro.office")}
                FROM {EMPLOYER} e JOIN region_offices ro ON ro.code = e.region_id WHERE true {employer_where}
        )
        SELECT d.key, d.person_id, n.full_name FROM (SELECT DISTINCT k.key, k.person_id FROM (
            SELECT {_key(agency, _regency("p.address_region_id"))} AS key, p.id AS person_id
                FROM {PERSON} p {person_where}
            UNION ALL
            SELECT {_key(branch, "ro.office")}, p.id
                FROM {PERSON} p JOIN region_offices ro ON ro.code = p.address_region_id {person_where}
            UNION ALL
            SELECT ek.key, j.person_id FROM jobs j JOIN employer_keys ek ON ek.employer_id = j.employer_id
            UNION ALL
            SELECT {_key(employer, "CAST(employer_id AS TEXT)")}, person_id FROM {EMPLOYMENT}
                WHERE true {job_where}
            UNION ALL
            SELECT {_key(sponsor, "CAST(sponsor_id AS TEXT)")}, person_id FROM {MEMBERSHIP}
                WHERE sponsor_id IS NOT NULL {job_where}
        ) k) d JOIN {PERSON} n ON n.id = d.person_id"""
    # In the text's order: the two job sources, the region filter, the two person sources, the employer
    # and sponsor sources.
    return SqlText(text, [*id_params] * 7)


def _columns_sql(table: str, ids: SqlText | None, *, only_changed: bool) -> SqlText:
    """(id, person_regency, employer_regency) of the rows of `table` (Employment or Membership) for the
    persons `ids`; a membership without an employer has employer_regency ''."""
    where = f"WHERE j.person_id IN ({ids.text})" if ids else "WHERE true"
    changed = (
        " AND (j.person_regency <> {p} OR j.employer_regency <> {e})".format(
            p=_regency("p.address_region_id"), e=f"coalesce({_regency('e.region_id')}, '')"
        )
        if only_changed
        else ""
    )
    text = f"""SELECT j.id AS id, {_regency("p.address_region_id")} AS person_regency,
            coalesce({_regency("e.region_id")}, '') AS employer_regency
        FROM {table} j JOIN {PERSON} p ON p.id = j.person_id LEFT JOIN {EMPLOYER} e ON e.id = j.employer_id
        {where}{changed}"""
    return SqlText(text, ids.params if ids else [])


def _write(person_ids: PersonIds, employers: Sequence[int] = (), *, follow: bool = True) -> None:
    ids = ids_sql(person_ids)
    keys = _keys_sql(ids)
    with connection.cursor() as cursor:
        if ids is None and connection.vendor == "postgresql":
            # Everyone's keys: the planner's estimates through the region CTE run far high, and JIT then
            # compiled for seconds (3.9 of 13 s for 222,699 persons); the DISTINCT spilled to disk at the
            # default work_mem. (No TRUNCATE: the deferred foreign-key checks of the caller's
            # transaction may still be pending on the table.)
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '256MB'")
        if ids is None:
            cursor.execute(f"DELETE FROM {AUDIENCE}")
        else:
            cursor.execute(f"DELETE FROM {AUDIENCE} WHERE person_id IN ({ids.text})", ids.params)
        cursor.execute(f"INSERT INTO {AUDIENCE} (key, person_id, full_name) {keys.text}", keys.params)
        for table in (EMPLOYMENT, MEMBERSHIP):
            # Only the rows whose values change are written: an unchanged row costs no new version.
            source = _columns_sql(table, ids, only_changed=True)
            cursor.execute(
                f"""UPDATE {table} SET person_regency = s.person_regency,
                    employer_regency = s.employer_regency FROM ({source.text}) s WHERE {table}.id = s.id""",
                source.params,
            )
    for follower in _FOLLOWERS if follow else ():
        follower(ids, employers)


def persons_of_employer(employer_id: int) -> RawSQL:
    """The persons whose keys an employer's region, office or facility type decides: its workers and
    members, past and present."""
    return RawSQL(
        f"""SELECT person_id FROM {EMPLOYMENT} WHERE employer_id = %s
            UNION SELECT person_id FROM {MEMBERSHIP} WHERE employer_id = %s""",
        (employer_id, employer_id),
    )


def scope_keys_refresh(person_ids: PersonIds, *, employers: Sequence[int] = ()) -> None:
    """Derives the scope keys of these persons again (after any write that may change what sees them):
    a constant number of statements however many persons. `person_ids`: ids, a queryset of ids or a
    RawSQL subquery (a bulk path's staging table); `employers`: employers whose region, office or
    facility type changed (their own rows' keys, e.g. their payer accounts, follow). Runs inside the
    caller's transaction (no savepoint: a failure fails the write it belongs to)."""
    with transaction.atomic(savepoint=False):
        _write(person_ids, employers)


def scope_keys_rebuild(*, follow: bool = True, bulk: bool = False) -> None:
    """Derives every person's scope keys again: after bulk loads that bypass the services (demo, the
    national benchmark), a branch office's regions changing, or manual SQL. `follow=False`: the
    registry's own keys only (its migrations, which run before the other apps' tables exist).

    `bulk` (the national benchmark's build, `cakupan scope rebuild`, the migration that derives them
    first): on PostgreSQL the key tables are emptied at once and their indexes and keys set aside, then
    built once over the new rows, as a restore does, instead of kept up row by row (at a million persons,
    five million audience rows each written into three B-trees far larger than the server's buffers).
    The key tables are locked exclusively until the caller's transaction ends: every scoped list waits
    for the rebuild. Without `bulk`, readers keep the old keys until it commits."""
    with transaction.atomic(savepoint=False):
        if not bulk or connection.vendor != "postgresql":
            _write(None, follow=follow)
            return
        tables = [AUDIENCE, *(_FOLLOWER_TABLES if follow else [])]
        # Checks pending on those tables in this transaction (e.g. the demo's services) make TRUNCATE and
        # ALTER TABLE refuse: they are made now.
        deferred_checks_now()
        restore = secondary_keys_dropped(tables, primary=True)
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE " + ", ".join(tables))
        _write(None, follow=follow)
        secondary_keys_restored(restore)


@dataclass(frozen=True)
class ScopeKeyDifference:
    table: str
    row: str
    stored: str
    derived: str


def scope_keys_differences(limit: int = 50) -> list[ScopeKeyDifference]:
    """Stored scope keys that differ from a fresh derivation (empty when consistent), at most `limit` of
    each kind: audience keys missing, extra or with a stale name, employment and membership rows with
    stale columns, and the differences of every follower's keys (the payer accounts')."""
    keys = _keys_sql(None)
    found: list[ScopeKeyDifference] = []
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT key, person_id, full_name FROM ({keys.text}) d
                EXCEPT SELECT key, person_id, full_name FROM {AUDIENCE} LIMIT {int(limit)}""",
            keys.params,
        )
        found += [ScopeKeyDifference(AUDIENCE, f"{k} {p}", "", n) for k, p, n in cursor.fetchall()]
        cursor.execute(
            f"""SELECT key, person_id, full_name FROM {AUDIENCE}
                EXCEPT SELECT key, person_id, full_name FROM ({keys.text}) d LIMIT {int(limit)}""",
            keys.params,
        )
        found += [ScopeKeyDifference(AUDIENCE, f"{k} {p}", n, "") for k, p, n in cursor.fetchall()]
        for table in (EMPLOYMENT, MEMBERSHIP):
            source = _columns_sql(table, None, only_changed=False)
            cursor.execute(
                f"""SELECT t.id, t.person_regency, t.employer_regency, s.person_regency, s.employer_regency
                    FROM {table} t JOIN ({source.text}) s ON s.id = t.id
                    WHERE t.person_regency <> s.person_regency OR t.employer_regency <> s.employer_regency
                    ORDER BY t.id LIMIT {int(limit)}""",
                source.params,
            )
            found += [
                ScopeKeyDifference(table, str(pk), f"{sp}/{se}", f"{dp}/{de}")
                for pk, sp, se, dp, de in cursor.fetchall()
            ]
    for check in _CHECKS:
        found += check(limit)
    return found
