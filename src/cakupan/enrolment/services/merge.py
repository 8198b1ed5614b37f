"""The roster's decisions, made once: the valid rows are staged in a temporary table, then a fixed number of
set-based statements decide and write them, on PostgreSQL and SQLite alike, whatever the number of rows.

The decisions, each one SQL expression below (`_decide`): the registry's person by NIK, its open
employment with the row's employer and its active membership (each unique by a constraint); the conflicts
(birth date, sex) quoted only for persons the uploader sees; a new person without any address refused;
a person outside the scope whose row disagrees held for the branch (linking.py); a BPU member paid by
another payer (another sponsor, the government, the worker for a sponsor's roster, a sponsor for a
self-paid one) refused, naming the sponsor that pays; new, updated or unchanged per table; a row without
income keeps the member's income; the ids of the new rows and their KPJ numbers, each unused. The
employer of a row and the default region and income are the payer's (payer.py). Only moving rows in and
out differs between the databases (merge_load.py: COPY on PostgreSQL, VALUES on SQLite).
"""
# ruff: noqa: S608 - SQL text built from model table names and fixed column lists, values are parameters

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import polars as pl
from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone

from cakupan.accounts.scope import Scope
from cakupan.core.db import deferred_checks_now
from cakupan.core.phases import Phases, phase
from cakupan.core.sqlnames import quoted, table
from cakupan.enrolment.models import LinkReview
from cakupan.enrolment.services.linking import PAIR_SCHEMA, held_rows
from cakupan.enrolment.services.merge_load import Dialect, dialect, typed
from cakupan.partners.models import PartnerAgency
from cakupan.registry.models import Citizenship, Employer, Employment, Membership, Person, Segment, Sponsor
from cakupan.registry.selectors import person_list
from cakupan.registry.services.scope_keys import scope_keys_refresh

CHUNK = 2000
T = TypeVar("T")
STAGE = "enrolment_roster_stage"
RAW = STAGE + "_raw"
HELD = STAGE + "_held"
PERSON, EMPLOYMENT, MEMBERSHIP, REVIEW = (table(m) for m in (Person, Employment, Membership, LinkReview))
SPONSOR = table(Sponsor)
# The values a merged row is written with, from the models' choices.
ACTIVE = quoted(Membership.Status.ACTIVE)
WNI = quoted(Citizenship.WNI)
OCCUPATION, CIVIL = quoted(Employment.Occupation.OTHER), quoted(Employment.CivilService.NON_ASN)
_STAGED = (
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
OUTCOME = {
    "number": pl.Int64,
    "status": pl.Utf8,
    "extra": pl.Utf8,
    "reg_birth": pl.Date,
    "reg_sex": pl.Utf8,
    "other_sponsor": pl.Utf8,
}


@dataclass(frozen=True)
class Target:
    kind: str  # employer, sponsor, agency or self (the worker pays: BPU, no sponsor)
    segment: str
    employer: Employer | None = None
    sponsor: Sponsor | None = None
    agency: PartnerAgency | None = None
    agency_scope: Scope | None = None
    # The uploader's scope: a person outside it is linked only when the row agrees with the registry
    # (else held for review: linking.py), and their own data are not changed.
    scope: Scope | None = None
    roster_import_id: int | None = None  # where held rows are filed (LinkReview)
    # Where a new person lives when the row says nothing and the payer has no regency of its own (a
    # self-paid target): given by the caller (the event's region for an outreach conversion). Only ever
    # written for a new person, as the payer's regency is (payer.py).
    region_default: str | None = None


Progress = Callable[[str, int, int], None]


def payer_kind(target: Target) -> str:
    """Who pays the memberships a roster writes: the employer (PU), the sponsor, or the worker."""
    if target.segment == Segment.PU:
        return str(Membership.PayerKind.EMPLOYER)
    if target.kind == "self":
        return str(Membership.PayerKind.SELF)
    return str(Membership.PayerKind.SPONSOR)


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def merge_decide(
    checked: pl.DataFrame,
    target: Target,
    *,
    dry_run: bool,
    progress: Progress | None = None,
    phases: Phases | None = None,
) -> tuple[pl.DataFrame, int]:
    """Stages the valid rows and decides each; the registry does not change yet. Returns the outcome per
    row (number, status ("" when rejected here), the reason codes added here (`extra`), the registered
    birth date and sex quoted by a conflict) and the number of rows staged. Unless a dry run,
    `merge_write` follows in the same transaction."""
    staged = checked.filter(~pl.col("rejected")).select(_STAGED)  # with the payer's columns (payer.py)
    sql = dialect()
    with connection.cursor() as cursor:
        with phase(phases, "stage"):
            sql.prepare(cursor)
            cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
            cursor.execute(f"DROP TABLE IF EXISTS {RAW}")
            cursor.execute(f"DROP TABLE IF EXISTS {HELD}")
            cursor.execute(_raw_table(sql))
            sql.load(cursor, RAW, staged)
            sql.analyze(cursor, RAW)
        if progress is not None:
            progress("merged", 0, staged.height)
        with phase(phases, "hold"):
            _hold(cursor, target, sql)
        with phase(phases, "decide"):
            _decide(cursor, target, sql, dry_run=dry_run)
        with phase(phases, "outcome"):
            merged = sql.read(
                cursor,
                f"""SELECT number,
                    CASE WHEN link_held THEN 'held' WHEN NOT ok THEN ''
                         WHEN person_new OR job_new OR member_new THEN 'imported'
                         WHEN person_upd OR job_upd OR member_upd THEN 'updated' ELSE 'unchanged' END,
                    codes, CAST(p_birth AS TEXT), p_sex, m_sponsor_name FROM {STAGE}""",
                OUTCOME,
            )
            if dry_run:
                _drop(cursor)
            words = pl.col("extra").fill_null("").str.split(" ")
            extra = words.list.eval(pl.element().filter(pl.element() != ""))
            merged = merged.with_columns(status=pl.col("status").fill_null(""), extra=extra).with_columns(
                reg_birth=pl.when(pl.col("extra").list.contains("conflict_birth_date")).then(
                    pl.col("reg_birth").dt.strftime("%d/%m/%Y")
                ),
                reg_sex=pl.when(pl.col("extra").list.contains("conflict_sex")).then(pl.col("reg_sex")),
                other_sponsor=pl.when(pl.col("extra").list.contains("membership_other_sponsor")).then(
                    pl.col("other_sponsor")
                ),
            )
    if dry_run and progress is not None:
        progress("merged", staged.height, staged.height)
    return merged, staged.height


def _raw_table(sql: Dialect) -> str:
    return f"""CREATE TEMPORARY TABLE {RAW} (
        number BIGINT NOT NULL, nik VARCHAR(16) NOT NULL, full_name TEXT NOT NULL, birth_date DATE,
        sex VARCHAR(1), phone TEXT, region TEXT, region_default TEXT, employer_id BIGINT, wage BIGINT,
        allowance BIGINT, income BIGINT, income_default BIGINT, sector TEXT, jkk BOOLEAN, jkm BOOLEAN,
        jht BOOLEAN, jp BOOLEAN, jkp BOOLEAN, start_date DATE, nik_warnings {sql.json},
        held BOOLEAN NOT NULL DEFAULT FALSE)"""


def _drop(cursor: Any) -> None:
    for name in (STAGE, RAW, HELD):
        cursor.execute(f"DROP TABLE IF EXISTS {name}")


def merge_write(target: Target, *, progress: Progress | None, phases: Phases | None, total: int) -> None:
    """The decided rows written: a fixed number of statements; then the deferred foreign-key checks of
    those rows run at once (instead of at commit), so that a violation surfaces here and the commit is
    short."""
    with connection.cursor() as cursor:
        _write(cursor, target, dialect(), progress=progress, total=total, phases=phases)
        with phase(phases, "scope keys"):
            # The scope keys of the persons written, set-based from the staging table (scope_keys.py).
            written = "person_new OR person_upd OR job_new OR member_new"
            scope_keys_refresh(RawSQL(f"SELECT person_key FROM {STAGE} WHERE {written}", ()))  # noqa: S611
        if progress is not None:
            progress("merged", 3 * total // 4, total)  # the checks take about a quarter of the time
        with phase(phases, "constraints"):
            deferred_checks_now()
        _drop(cursor)
    if progress is not None:
        progress("merged", total, total)


def _scope_sql(target: Target) -> tuple[str, list[Any]] | None:
    """The ids of the persons the uploader sees in full, as a subquery; None: everyone.

    Nobody for a role that sees NIKs masked: it knows its members by a masked NIK only, so a roster must
    not confirm that a NIK it guessed is one of theirs (conflicts quoting the registry, an "unchanged"
    row). Its rows are checked as for persons outside the scope (linking.py)."""
    if target.scope is None or target.scope.everything:
        return None
    if target.scope.masks_nik:
        return "SELECT CAST(NULL AS BIGINT) WHERE 1 = 0", []
    sql, params = person_list(user=None, scope=target.scope).order_by().values("pk").query.sql_with_params()
    return sql, list(params)


def _hold(cursor: Any, target: Target, sql: Dialect) -> None:
    """Marks the staged rows that name a person outside the scope and disagree with the registry
    (linking.held_rows): one read of those pairs, one load of the held numbers, one update."""
    scoped = _scope_sql(target)
    if scoped is None:
        return
    text, params = scoped
    cursor.execute(
        f"""SELECT r.number, r.full_name, CAST(r.birth_date AS TEXT), r.sex, p.full_name,
            CAST(p.birth_date AS TEXT), p.sex
            FROM {RAW} r JOIN {PERSON} p ON p.nik = r.nik WHERE NOT (p.id IN ({text}))""",
        params,
    )
    texts = dict.fromkeys(PAIR_SCHEMA, pl.Utf8) | {"number": pl.Int64}
    pairs = typed(pl.DataFrame(cursor.fetchall(), schema=texts, orient="row"), PAIR_SCHEMA)
    held = sorted(held_rows(pairs))
    if held:
        cursor.execute(f"CREATE TEMPORARY TABLE {HELD} (number BIGINT NOT NULL)")
        sql.load(cursor, HELD, pl.DataFrame({"number": held}, schema={"number": pl.Int64}))
        cursor.execute(f"UPDATE {RAW} SET held = TRUE WHERE number IN (SELECT number FROM {HELD})")


def _decide(cursor: Any, target: Target, sql: Dialect, *, dry_run: bool) -> None:
    """One pass over the staged rows: the registry's matching person, open employment and active
    membership, the conflicts, what each row will do, and the keys of the rows to insert. The registry
    does not change here."""
    pu = target.segment == Segment.PU
    sponsor_id = target.sponsor.pk if target.sponsor is not None else None
    # In the order of their placeholders in the final text: the payer (sponsor, kind, sponsor), scope,
    # segment.
    params: list[Any] = [sponsor_id, payer_kind(target), sponsor_id]
    if pu:
        lookups = f"""e.id AS job_id, e.basic_wage AS job_wage, e.fixed_allowance AS job_allowance,
            m.id IS NOT NULL AS has_member, CAST(NULL AS BIGINT) AS member_id,
            CAST(NULL AS BIGINT) AS m_sponsor, CAST(NULL AS TEXT) AS m_payer,
            CAST(NULL AS TEXT) AS m_sponsor_name,
            CAST(NULL AS BIGINT) AS m_income, CAST(NULL AS TEXT) AS m_sector
            FROM {RAW} r LEFT JOIN {PERSON} p ON p.nik = r.nik
            LEFT JOIN {EMPLOYMENT} e ON e.person_id = p.id AND e.employer_id = r.employer_id
                AND e.end_date IS NULL
            LEFT JOIN {MEMBERSHIP} m ON m.person_id = p.id AND m.employer_id = r.employer_id
                AND m.status = {ACTIVE}"""
    else:
        lookups = f"""CAST(NULL AS BIGINT) AS job_id, CAST(NULL AS BIGINT) AS job_wage,
            CAST(NULL AS BIGINT) AS job_allowance, FALSE AS has_member, m.id AS member_id,
            m.sponsor_id AS m_sponsor, m.payer_kind AS m_payer, ms.name AS m_sponsor_name,
            m.declared_income AS m_income,
            m.bpu_sector AS m_sector
            FROM {RAW} r LEFT JOIN {PERSON} p ON p.nik = r.nik
            LEFT JOIN {MEMBERSHIP} m ON m.person_id = p.id AND m.segment = %s AND m.employer_id IS NULL
                AND m.status = {ACTIVE}
            LEFT JOIN {SPONSOR} ms ON ms.id = m.sponsor_id"""
    in_scope = "TRUE"
    scoped = _scope_sql(target)
    if scoped is not None:
        in_scope = f"(p.id IS NULL OR p.id IN ({scoped[0]}))"
        params += scoped[1]
    if not pu:
        params.append(target.segment)
    joined = f"""SELECT r.*, p.id AS person_id, p.birth_date AS p_birth, p.sex AS p_sex, p.phone AS p_phone,
        p.address_region_id AS p_region, {in_scope} AS in_scope, {lookups}"""
    # Conflicts quote the registry only for persons the uploader sees; one outside the scope whose row
    # disagrees is held (_hold) and is not checked further. The reasons as words separated by spaces.
    # `whole` keeps `joined` whole, so in_scope (a subplan) is computed once per row, not once per use.
    coded = f"""SELECT j.*,
            CASE WHEN person_id IS NOT NULL AND in_scope AND p_birth <> birth_date
                THEN ' conflict_birth_date' ELSE '' END
            || CASE WHEN person_id IS NOT NULL AND in_scope AND p_sex <> sex THEN ' conflict_sex' ELSE '' END
            || CASE WHEN (person_id IS NULL OR NOT in_scope) AND region IS NULL AND region_default IS NULL
                THEN ' region_invalid' ELSE '' END
            || CASE WHEN NOT held AND member_id IS NOT NULL
                AND (m_sponsor IS DISTINCT FROM CAST(%s AS BIGINT) OR m_payer <> %s)
                THEN (CASE WHEN m_sponsor IS NOT NULL AND m_sponsor IS DISTINCT FROM CAST(%s AS BIGINT)
                    THEN ' membership_other_sponsor' ELSE ' membership_other_payer' END) ELSE '' END AS codes
        FROM ({joined} {sql.whole}) j"""
    ok = "(codes = '' AND NOT held)"
    changes = "((phone <> '' AND phone <> p_phone) OR (region IS NOT NULL AND region <> p_region))"
    job_new = f"{ok} AND job_id IS NULL" if pu else "FALSE"
    member_new = f"{ok} AND " + ("NOT has_member" if pu else "member_id IS NULL")
    flags = {
        "ok": ok,
        "link_held": "(codes = '' AND held)",
        "person_new": f"{ok} AND person_id IS NULL",
        "person_upd": f"{ok} AND person_id IS NOT NULL AND in_scope AND {changes}",
        "job_new": job_new,
        "job_upd": f"{ok} AND job_id IS NOT NULL AND (job_wage, job_allowance) <> (wage, allowance)"
        if pu
        else "FALSE",
        "member_new": member_new,
        "member_upd": "FALSE"
        if pu
        # A row without income keeps the member's income (the payer's basis is for new members).
        else f"""{ok} AND member_id IS NOT NULL AND ((income IS NOT NULL AND m_income IS DISTINCT FROM income)
            OR m_sector IS DISTINCT FROM sector)""",
        "redraw": "FALSE",
    }
    if not dry_run:
        # The new rows' keys and KPJs drawn in the same pass: the inserts need no lookup afterwards.
        flags["new_person_id"] = sql.new_ids(cursor, PERSON, f"{ok} AND person_id IS NULL")
        flags["new_job_id"] = sql.new_ids(cursor, EMPLOYMENT, job_new) if pu else "CAST(NULL AS BIGINT)"
        flags["kpj"] = f"CASE WHEN {member_new} THEN {sql.kpj_draw()} END"
    else:
        flags.update(new_person_id="CAST(NULL AS BIGINT)", new_job_id="CAST(NULL AS BIGINT)")
        flags["kpj"] = "CAST(NULL AS TEXT)"
    columns = ", ".join(f"{v} AS {k}" for k, v in flags.items())
    # person_key / job_key: the registry's id, or the one drawn for the row to insert. `whole` keeps the
    # inner query whole, so each id is drawn once per row.
    cursor.execute(
        f"""CREATE TEMPORARY TABLE {STAGE} AS SELECT f.*,
            coalesce(f.person_id, f.new_person_id) AS person_key, coalesce(f.job_id, f.new_job_id) AS job_key
            FROM (SELECT c.*, {columns} FROM ({coded}) c {sql.whole}) f""",
        params,
    )


def _write(
    cursor: Any, target: Target, sql: Dialect, *, progress: Progress | None, total: int, phases: Phases | None
) -> None:
    s = STAGE
    pu = target.segment == Segment.PU
    now = timezone.now()

    def timed(name: str, text: str, params: list[Any] | None = None) -> None:
        with phase(phases, name):
            cursor.execute(text, params)

    # No ON CONFLICT: a concurrent import that registered one of these NIKs since the decision makes
    # this fail on the unique NIK, and the whole import is refused with "run it again".
    timed(
        "insert persons",
        f"""INSERT INTO {PERSON} (id, nik, full_name, birth_date, sex, phone, address_region_id, citizenship,
            nik_warnings, created_at, updated_at)
            SELECT person_key, nik, full_name, birth_date, sex, coalesce(phone, ''),
            coalesce(region, region_default), {WNI}, nik_warnings, %s, %s
            FROM {s} WHERE person_new""",
        [now, now],
    )
    # Someone else's record (another employer's worker, another region's resident): linked, but the
    # uploader may not rewrite their phone or address (person_upd is false outside the scope).
    timed(
        "update persons",
        f"""UPDATE {PERSON} AS p SET phone = CASE WHEN s.phone <> '' THEN s.phone ELSE p.phone END,
            address_region_id = coalesce(s.region, p.address_region_id), updated_at = %s
            FROM {s} s WHERE s.person_upd AND p.id = s.person_id""",
        [now],
    )
    if progress is not None:
        progress("merged", total // 4, total)
    if pu:
        timed(
            "insert employment",
            f"""INSERT INTO {EMPLOYMENT} (id, person_id, employer_id, start_date, basic_wage, fixed_allowance,
                occupation, civil_service, created_at, updated_at)
                SELECT job_key, person_key, employer_id, start_date, wage, allowance, {OCCUPATION}, {CIVIL},
                %s, %s FROM {s} WHERE job_new""",
            [now, now],
        )
        timed(
            "update employment",
            f"""UPDATE {EMPLOYMENT} AS e SET basic_wage = s.wage, fixed_allowance = s.allowance,
                updated_at = %s FROM {s} s WHERE s.job_upd AND e.id = s.job_id""",
            [now],
        )
    if progress is not None:
        progress("merged", total // 2, total)
    with phase(phases, "kpj"):
        _kpj(cursor, sql)
    sponsor_id = target.sponsor.pk if target.sponsor is not None else None
    payer = payer_kind(target)
    timed(
        "insert memberships",
        f"""INSERT INTO {MEMBERSHIP} (person_id, kpj, segment, jkk, jkm, jht, jp, jkp, start_date, status,
            payer_kind, employer_id, employment_id, sponsor_id, declared_income, bpu_sector, created_at,
            updated_at)
            SELECT person_key, kpj, %s, jkk, jkm, jht, jp, jkp, start_date, {ACTIVE}, %s, employer_id,
            {"job_key" if pu else "NULL"}, %s, {"NULL" if pu else "coalesce(income, income_default)"},
            {"''" if pu else "sector"}, %s, %s FROM {s} WHERE member_new""",
        [target.segment, payer, sponsor_id, now, now],
    )
    programs = " || ".join(
        f"CASE WHEN {f} THEN '{f.upper()},' ELSE '' END" for f in Membership.PROGRAM_FIELDS
    )
    timed(
        "held for review",
        f"""INSERT INTO {REVIEW} (roster_import_id, row_number, person_id, employer_id, sponsor_id, segment,
            self_paid, full_name, birth_date, sex, phone, region, basic_wage, fixed_allowance,
            declared_income, bpu_sector, programs, start_date, status, created_at)
            SELECT %s, number, person_id, employer_id, %s, %s, %s, full_name, birth_date, sex,
            coalesce(phone, ''), coalesce(region, ''), wage, allowance, coalesce(income, income_default),
            {"''" if pu else "coalesce(sector, '')"}, rtrim({programs}, ','), start_date, %s, %s
            FROM {s} WHERE link_held ON CONFLICT DO NOTHING""",
        [
            target.roster_import_id,
            None if pu else sponsor_id,
            target.segment,
            payer == Membership.PayerKind.SELF,
            LinkReview.Status.PENDING,
            now,
        ],
    )
    if not pu:
        timed(
            "update memberships",
            f"""UPDATE {MEMBERSHIP} AS m SET declared_income = coalesce(s.income, m.declared_income),
                bpu_sector = s.sector, updated_at = %s
                FROM {s} s WHERE s.member_upd AND m.id = s.member_id""",
            [now],
        )


def _kpj(cursor: Any, sql: Dialect) -> None:
    """A distinct unused 11-digit KPJ per new membership: drawn at random with the flags, and drawn again
    for the few that collide with the table or with each other. One pass over every row, then passes
    over the rows drawn again only."""
    s, draw = STAGE, sql.kpj_draw()
    cursor.execute(
        f"""UPDATE {s} SET kpj = {draw}, redraw = TRUE WHERE member_new AND kpj IN (
            SELECT kpj FROM {s} WHERE member_new GROUP BY kpj HAVING count(*) > 1
            UNION SELECT t.kpj FROM {s} t JOIN {MEMBERSHIP} m ON m.kpj = t.kpj WHERE t.member_new)""",
        [],
    )
    again = cursor.rowcount
    while again:
        drawn = f"SELECT kpj FROM {s} WHERE redraw"
        cursor.execute(
            f"""UPDATE {s} SET kpj = {draw} WHERE redraw AND kpj IN (
                SELECT kpj FROM {s} WHERE member_new AND kpj IN ({drawn}) GROUP BY kpj HAVING count(*) > 1
                UNION SELECT m.kpj FROM {MEMBERSHIP} m WHERE m.kpj IN ({drawn}))""",
            [],
        )
        again = cursor.rowcount
