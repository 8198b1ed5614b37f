"""The PostgreSQL merge: COPY the valid rows into a staging table, then a fixed number of set-based
statements (UPDATE … FROM, INSERT … SELECT) whatever the number of rows.

It decides exactly what the portable merge (merge.py) decides, row for row: the same conflicts, the
same scope rule for persons outside the uploader's scope, the same statuses; whether a row may link a
person outside the scope is linking.py's one decision, which both load. Tests run both on the same file
and compare the final rows.
"""
# ruff: noqa: S608 - SQL text built from model table names and fixed column lists, values are parameters

from __future__ import annotations

import io
from typing import Any

import polars as pl
from django.db import DatabaseError, connection, transaction
from django.db.models.expressions import RawSQL

from cakupan.core.db import deferred_checks_now
from cakupan.core.phases import Phases, phase
from cakupan.core.sqlnames import quoted, table
from cakupan.enrolment.models import LinkReview
from cakupan.enrolment.services.linking import PAIR_SCHEMA, held_rows
from cakupan.enrolment.services.merge import Progress, Target
from cakupan.registry.models import Citizenship, Employment, Membership, Person, Segment
from cakupan.registry.selectors import person_list
from cakupan.registry.services.scope_keys import scope_keys_refresh

STAGE = "enrolment_roster_stage"
KPJ_DRAW = "(10000000000 + floor(random() * 90000000000))::bigint::text"
PERSON, EMPLOYMENT, MEMBERSHIP, REVIEW = (table(m) for m in (Person, Employment, Membership, LinkReview))
# The values a merged row is written with, from the models' choices.
ACTIVE = quoted(Membership.Status.ACTIVE)
WNI = quoted(Citizenship.WNI)
OCCUPATION, CIVIL = quoted(Employment.Occupation.OTHER), quoted(Employment.CivilService.NON_ASN)
_COPIED = (
    "number",
    "nik",
    "full_name",
    "birth_date",
    "sex",
    "phone",
    "region",
    "region_default",
    "employer_id",
    "wage",
    "allowance",
    "income",
    "income_default",
    "sector",
    "jkk",
    "jkm",
    "jht",
    "jp",
    "jkp",
    "start_date",
    "nik_warnings",
)
RAW = STAGE + "_raw"
_CREATE_RAW = f"""
CREATE TEMP TABLE {RAW} (
    number bigint NOT NULL, nik varchar(16) NOT NULL, full_name text NOT NULL, birth_date date,
    sex varchar(1), phone text, region text, region_default text, employer_id bigint, wage bigint,
    allowance bigint, income bigint, income_default bigint, sector text, jkk boolean, jkm boolean,
    jht boolean, jp boolean, jkp boolean, start_date date, nik_warnings jsonb,
    held boolean NOT NULL DEFAULT false
) ON COMMIT DROP
"""


def copy_decide(
    checked: pl.DataFrame,
    target: Target,
    *,
    dry_run: bool,
    progress: Progress | None = None,
    phases: Phases | None = None,
) -> tuple[pl.DataFrame, int]:
    """COPY of the valid rows into the staging table and the decision for each; the registry does not
    change yet. Returns the outcome per row (number, status, extra reasons, registered birth date and
    sex quoted by a conflict) and the number of rows staged. Unless a dry run, `copy_write` follows in
    the same transaction."""
    with phase(phases, "stage"):
        staged = checked.filter(~pl.col("rejected"))  # with the payer's columns (payer.py)
    pu = target.segment == Segment.PU
    with connection.cursor() as cursor:
        with phase(phases, "stage"):
            _batch_memory(cursor)
            cursor.execute(f"DROP TABLE IF EXISTS {STAGE}, {RAW}")
            cursor.execute(_CREATE_RAW)
            buffer = io.BytesIO()
            staged.select(_COPIED).write_csv(buffer, include_header=False, null_value="\\N")
            with cursor.copy(
                f"COPY {RAW} ({', '.join(_COPIED)}) FROM STDIN (FORMAT csv, NULL '\\N')"
            ) as copy:
                copy.write(buffer.getvalue())
            del buffer
            cursor.execute(f"ANALYZE {RAW}")
        if progress is not None:
            progress("merged", 0, staged.height)
        with phase(phases, "hold"):
            _hold(cursor, target)
        with phase(phases, "decide"):
            _decide(cursor, target, pu=pu, dry_run=dry_run)
        with phase(phases, "outcome"):
            out = io.BytesIO()
            with cursor.copy(
                f"""COPY (SELECT number,
                    CASE WHEN link_held THEN 'held' WHEN NOT ok THEN ''
                         WHEN person_new OR job_new OR member_new THEN 'imported'
                         WHEN person_upd OR job_upd OR member_upd THEN 'updated' ELSE 'unchanged' END,
                    array_to_string(codes, ' '),
                    CASE WHEN 'conflict_birth_date' = ANY(codes) THEN to_char(p_birth, 'DD/MM/YYYY') END,
                    CASE WHEN 'conflict_sex' = ANY(codes) THEN p_sex END
                FROM {STAGE}) TO STDOUT (FORMAT csv)"""
            ) as copy:
                for block in copy:
                    out.write(block)
            if dry_run:
                cursor.execute(f"DROP TABLE {STAGE}, {RAW}")
            schema = {
                "number": pl.Int64,
                "status": pl.Utf8,
                "extra": pl.Utf8,
                "reg_birth": pl.Utf8,
                "reg_sex": pl.Utf8,
            }
            merged = (
                pl.read_csv(out.getvalue(), has_header=False, schema=schema)
                if out.tell()
                else pl.DataFrame(schema=schema)
            )
            merged = merged.with_columns(
                status=pl.col("status").fill_null(""),
                extra=pl.col("extra")
                .fill_null("")
                .str.split(" ")
                .list.eval(pl.element().filter(pl.element() != "")),
            )
    if dry_run and progress is not None:
        progress("merged", staged.height, staged.height)
    return merged, staged.height


def _batch_memory(cursor: Any) -> None:
    """Memory for this transaction's big set operations. Sorts and hashes over a million rows (the KPJ
    and NIK checks) get 256 MB instead of spilling to files at the default 4 MB. The staging tables get
    room in memory (a million rows take some 500 MB; at the default 8 MB building them is a third
    slower): allocated only as used, and settable only before the session's first temporary table,
    otherwise that setting stays as it is."""
    cursor.execute("SET LOCAL work_mem = '256MB'")
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL temp_buffers = '1GB'")
    except DatabaseError:
        pass


def copy_write(target: Target, *, progress: Progress | None, phases: Phases | None, total: int) -> None:
    """The decided rows written: a fixed number of statements; then the deferred foreign-key checks of
    those rows run at once (instead of at commit), so that a violation surfaces here and the commit is
    short."""
    pu = target.segment == Segment.PU
    with connection.cursor() as cursor:
        _write(cursor, target, pu=pu, progress=progress, total=total, phases=phases)
        with phase(phases, "scope keys"):
            # The scope keys of the persons written, set-based from the staging table (scope_keys.py).
            written = "person_new OR person_upd OR job_new OR member_new"
            scope_keys_refresh(RawSQL(f"SELECT person_key FROM {STAGE} WHERE {written}", ()))  # noqa: S611
        if progress is not None:
            progress("merged", 3 * total // 4, total)  # the checks take about a quarter of the time
        with phase(phases, "constraints"):
            deferred_checks_now()
        cursor.execute(f"DROP TABLE {STAGE}, {RAW}")
    if progress is not None:
        progress("merged", total, total)


def _scope_sql(target: Target) -> tuple[str, list[Any]] | None:
    """The ids of the persons the uploader sees in full, as a subquery; None: everyone."""
    if target.scope is None or target.scope.everything:
        return None
    if target.scope.masks_nik:  # nobody, as merge.persons_in_scope says why
        return "SELECT NULL::bigint WHERE false", []
    sql, params = person_list(user=None, scope=target.scope).order_by().values("pk").query.sql_with_params()
    return sql, list(params)


def _hold(cursor: Any, target: Target) -> None:
    """Marks the staged rows that name a person outside the scope and disagree with the registry
    (linking.held_rows, the portable merge's decision): one read of those pairs, one update."""
    scoped = _scope_sql(target)
    if scoped is None:
        return
    sql, params = scoped
    cursor.execute(
        f"""SELECT r.number, r.full_name, r.birth_date, r.sex, p.full_name, p.birth_date, p.sex
            FROM {RAW} r JOIN {PERSON} p ON p.nik = r.nik WHERE NOT (p.id IN ({sql}))""",
        params,
    )
    pairs = pl.DataFrame(cursor.fetchall(), schema=PAIR_SCHEMA, orient="row")
    held = sorted(held_rows(pairs))
    if held:
        cursor.execute(f"UPDATE {RAW} SET held = true WHERE number = ANY(%s)", [held])


def _decide(cursor: Any, target: Target, *, pu: bool, dry_run: bool) -> None:
    """One pass over the copied rows: the registry's matching person, open employment and active
    membership (each unique by a constraint), the conflicts, what each row will do, and the keys of the
    rows to insert. The registry does not change here."""
    sponsor_id = target.sponsor.pk if target.sponsor is not None else None
    # In the order of their placeholders in the final text: sponsor, scope, segment.
    params: list[Any] = [sponsor_id]
    if pu:
        lookups = f"""e.id AS job_id, e.basic_wage AS job_wage, e.fixed_allowance AS job_allowance,
            m.id IS NOT NULL AS has_member, NULL::bigint AS member_id, NULL::bigint AS m_sponsor,
            NULL::bigint AS m_income, NULL::text AS m_sector
            FROM {RAW} r LEFT JOIN {PERSON} p ON p.nik = r.nik
            LEFT JOIN {EMPLOYMENT} e ON e.person_id = p.id AND e.employer_id = r.employer_id
                AND e.end_date IS NULL
            LEFT JOIN {MEMBERSHIP} m ON m.person_id = p.id AND m.employer_id = r.employer_id
                AND m.status = {ACTIVE}"""
    else:
        lookups = f"""NULL::bigint AS job_id, NULL::bigint AS job_wage, NULL::bigint AS job_allowance,
            false AS has_member, m.id AS member_id, m.sponsor_id AS m_sponsor,
            m.declared_income AS m_income, m.bpu_sector AS m_sector
            FROM {RAW} r LEFT JOIN {PERSON} p ON p.nik = r.nik
            LEFT JOIN {MEMBERSHIP} m ON m.person_id = p.id AND m.segment = %s AND m.employer_id IS NULL
                AND m.status = {ACTIVE}"""
    in_scope = "true"
    scoped = _scope_sql(target)
    if scoped is not None:
        in_scope = f"(p.id IS NULL OR p.id IN ({scoped[0]}))"
        params += scoped[1]
    if not pu:
        params.append(target.segment)
    joined = f"""SELECT r.*, p.id AS person_id, p.birth_date AS p_birth, p.sex AS p_sex, p.phone AS p_phone,
        p.address_region_id AS p_region, {in_scope} AS in_scope, {lookups}"""
    # Conflicts quote the registry only for persons the uploader sees; one outside the scope whose row
    # disagrees is held (held, from _hold) and is not checked further, as in merge.py. OFFSET 0 keeps
    # `joined` whole, so in_scope (a subplan) is computed once per row, not once per use (6x slower).
    coded = f"""SELECT j.*, array_remove(ARRAY[
            CASE WHEN person_id IS NOT NULL AND in_scope AND p_birth <> birth_date
                THEN 'conflict_birth_date' END,
            CASE WHEN person_id IS NOT NULL AND in_scope AND p_sex <> sex THEN 'conflict_sex' END,
            CASE WHEN (person_id IS NULL OR NOT in_scope) AND region IS NULL AND region_default IS NULL
                THEN 'region_invalid' END,
            CASE WHEN NOT held AND member_id IS NOT NULL AND m_sponsor IS DISTINCT FROM %s::bigint
                THEN 'membership_other_payer' END
        ]::text[], NULL) AS codes0 FROM ({joined} OFFSET 0) j"""
    ok = "cardinality(codes0) = 0 AND NOT held"
    changes = "((phone <> '' AND phone <> p_phone) OR (region IS NOT NULL AND region <> p_region))"
    job_new = f"{ok} AND job_id IS NULL" if pu else "false"
    member_new = f"{ok} AND " + ("NOT has_member" if pu else "member_id IS NULL")
    flags = {
        "ok": ok,
        "link_held": "cardinality(codes0) = 0 AND held",
        "person_new": f"{ok} AND person_id IS NULL",
        "person_upd": f"{ok} AND person_id IS NOT NULL AND in_scope AND {changes}",
        "job_new": job_new,
        "job_upd": f"{ok} AND job_id IS NOT NULL AND (job_wage, job_allowance) <> (wage, allowance)"
        if pu
        else "false",
        "member_new": member_new,
        "member_upd": "false"
        if pu
        # A row without income keeps the member's income (the payer's basis is for new members).
        else f"""{ok} AND member_id IS NOT NULL AND ((income IS NOT NULL AND m_income IS DISTINCT FROM income)
            OR m_sector IS DISTINCT FROM sector)""",
        "codes": "codes0",
    }
    if not dry_run:
        # The new rows' keys drawn in the same pass: the inserts need no lookup afterwards.
        # The sequences looked up once: pg_get_serial_sequence() per row cost seconds for a million.
        cursor.execute(
            "SELECT pg_get_serial_sequence(%s, 'id'), pg_get_serial_sequence(%s, 'id')", [PERSON, EMPLOYMENT]
        )
        person_seq, job_seq = ("'{}'::regclass".format(name.replace("'", "''")) for name in cursor.fetchone())
        flags["new_person_id"] = f"CASE WHEN {ok} AND person_id IS NULL THEN nextval({person_seq}) END"
        flags["new_job_id"] = f"CASE WHEN {job_new} THEN nextval({job_seq}) END" if pu else "NULL::bigint"
        flags["kpj"] = f"CASE WHEN {member_new} THEN {KPJ_DRAW} END"
    else:
        flags.update(new_person_id="NULL::bigint", new_job_id="NULL::bigint", kpj="NULL::text")
    columns = ", ".join(f"{v} AS {k}" for k, v in flags.items())
    # person_key / job_key: the registry's id, or the one drawn for the row to insert. OFFSET 0 keeps the
    # inner query whole, so each nextval() runs once per row.
    cursor.execute(
        f"""CREATE TEMP TABLE {STAGE} ON COMMIT DROP AS SELECT f.*,
            coalesce(f.person_id, f.new_person_id) AS person_key, coalesce(f.job_id, f.new_job_id) AS job_key
            FROM (SELECT c.*, {columns} FROM ({coded}) c OFFSET 0) f""",
        params,
    )


class _Timed:
    """A cursor whose statements are timed, each under its own phase name."""

    def __init__(self, cursor: Any, phases: Phases | None) -> None:
        self.cursor, self.phases = cursor, phases

    def execute(self, name: str, sql: str, params: Any = None) -> None:
        with phase(self.phases, name):
            self.cursor.execute(sql, params)


def _write(
    cursor: Any, target: Target, *, pu: bool, progress: Progress | None, total: int, phases: Phases | None
) -> None:
    s = STAGE
    timed = _Timed(cursor, phases)
    # No ON CONFLICT: a concurrent import that registered one of these NIKs since the decision makes
    # this fail on the unique NIK, and the whole import is refused with "run it again".
    timed.execute(
        "insert persons",
        f"""INSERT INTO {PERSON} (id, nik, full_name, birth_date, sex, phone, address_region_id, citizenship,
            nik_warnings, created_at, updated_at)
            SELECT person_key, nik, full_name, birth_date, sex, coalesce(phone, ''),
            coalesce(region, region_default), {WNI},
            nik_warnings, now(), now()
            FROM {s} WHERE person_new""",
    )
    # Someone else's record (another employer's worker, another region's resident): linked, but the
    # uploader may not rewrite their phone or address (person_upd is false outside the scope).
    timed.execute(
        "update persons",
        f"""UPDATE {PERSON} p SET phone = CASE WHEN s.phone <> '' THEN s.phone ELSE p.phone END,
            address_region_id = coalesce(s.region, p.address_region_id), updated_at = now()
            FROM {s} s WHERE s.person_upd AND p.id = s.person_id""",
    )
    if progress is not None:
        progress("merged", total // 4, total)
    if pu:
        timed.execute(
            "insert employment",
            f"""INSERT INTO {EMPLOYMENT} (id, person_id, employer_id, start_date, basic_wage, fixed_allowance,
                occupation, civil_service, created_at, updated_at)
                SELECT job_key, person_key, employer_id, start_date, wage, allowance, {OCCUPATION}, {CIVIL},
                now(), now()
                FROM {s} WHERE job_new""",
        )
        timed.execute(
            "update employment",
            f"""UPDATE {EMPLOYMENT} e SET basic_wage = s.wage, fixed_allowance = s.allowance,
                updated_at = now()
                FROM {s} s WHERE s.job_upd AND e.id = s.job_id""",
        )
    if progress is not None:
        progress("merged", total // 2, total)
    with phase(phases, "kpj"):
        _kpj(cursor)
    sponsor_id = target.sponsor.pk if target.sponsor is not None else None
    payer = Membership.PayerKind.EMPLOYER if pu else Membership.PayerKind.SPONSOR
    timed.execute(
        "insert memberships",
        f"""INSERT INTO {MEMBERSHIP} (person_id, kpj, segment, jkk, jkm, jht, jp, jkp, start_date, status,
            payer_kind, employer_id, employment_id, sponsor_id, declared_income, bpu_sector, created_at,
            updated_at)
            SELECT person_key, kpj, %s, jkk, jkm, jht, jp, jkp, start_date, {ACTIVE}, %s, employer_id,
            {"job_key" if pu else "NULL"}, %s, {"NULL" if pu else "coalesce(income, income_default)"},
            {"''" if pu else "sector"},
            now(), now() FROM {s} WHERE member_new""",
        [target.segment, payer, sponsor_id],
    )
    timed.execute(
        "held for review",
        f"""INSERT INTO {REVIEW} (roster_import_id, row_number, person_id, employer_id, sponsor_id, segment,
            full_name, birth_date, sex, phone, region, basic_wage, fixed_allowance, declared_income,
            bpu_sector, programs, start_date, status, created_at)
            SELECT %s, number, person_id, employer_id, %s, %s, full_name, birth_date, sex,
            coalesce(phone, ''), coalesce(region, ''), wage, allowance, coalesce(income, income_default),
            {"''" if pu else "coalesce(sector, '')"},
            concat_ws(',', CASE WHEN jkk THEN 'JKK' END, CASE WHEN jkm THEN 'JKM' END,
                CASE WHEN jht THEN 'JHT' END, CASE WHEN jp THEN 'JP' END, CASE WHEN jkp THEN 'JKP' END),
            start_date, %s, now()
            FROM {s} WHERE link_held ON CONFLICT DO NOTHING""",
        [target.roster_import_id, None if pu else sponsor_id, target.segment, LinkReview.Status.PENDING],
    )
    if not pu:
        timed.execute(
            "update memberships",
            f"""UPDATE {MEMBERSHIP} m SET declared_income = coalesce(s.income, m.declared_income),
                bpu_sector = s.sector, updated_at = now()
                FROM {s} s WHERE s.member_upd AND m.id = s.member_id""",
        )


def _kpj(cursor: Any) -> None:
    """A distinct unused 11-digit KPJ per new membership (as merge.kpj_bulk): drawn at random with the
    flags, and drawn again for the few that collide with the table or with each other. One pass over
    every row, then passes over the few rows drawn again."""
    s = STAGE
    cursor.execute(
        f"""UPDATE {s} SET kpj = {KPJ_DRAW} WHERE member_new AND kpj IN (
            SELECT kpj FROM {s} WHERE member_new GROUP BY kpj HAVING count(*) > 1
            UNION SELECT t.kpj FROM {s} t JOIN {MEMBERSHIP} m ON m.kpj = t.kpj WHERE t.member_new)
            RETURNING number"""
    )
    again = [number for (number,) in cursor.fetchall()]
    while again:
        drawn = f"SELECT kpj FROM {s} WHERE number = ANY(%(again)s)"
        cursor.execute(
            f"""UPDATE {s} SET kpj = {KPJ_DRAW} WHERE number = ANY(%(again)s) AND kpj IN (
                SELECT kpj FROM {s} WHERE member_new AND kpj IN ({drawn}) GROUP BY kpj HAVING count(*) > 1
                UNION SELECT m.kpj FROM {MEMBERSHIP} m WHERE m.kpj IN ({drawn}))
                RETURNING number""",
            {"again": again},
        )
        again = [number for (number,) in cursor.fetchall()]
