"""The set-based statements of a billing chunk: members stay in the database, only their distinct prices
travel (docs/design.md, Billing).

A chunk is the billable members with `low < id <= high`. Each member's calculator input is derived in SQL
(`_SOURCE`) into a temporary chunk table, as key columns without NULL. The distinct keys of a chunk are
read, priced once by the rules core in Python (billing_assess.py) and kept in a temporary price table of
this connection; the lines are then written with one INSERT … SELECT that joins members to their price
and to their payer's bill. So a member costs about what storing its line costs: the Python work grows
with the number of distinct inputs (wages cluster on pay scales), not with members.

Portable SQL (PostgreSQL and SQLite): CASE, COALESCE, CAST, `||` and correlated subqueries only.
"""

# ruff: noqa: S608 - SQL text built from this module's constants and model table names; values are parameters

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef

from cakupan.contributions.models import PARTY_COLUMNS, PROGRAM_COLUMNS, Bill, BillLine, PayerAccount
from cakupan.contributions.services.billable import billable_params, billable_sql
from cakupan.contributions.services.billing_assess import FUNDING_BY_PAYER, Part, Priced, PriceKey
from cakupan.core.sqlnames import quoted, table
from cakupan.registry.models import Employer, Employment, Membership, Segment, Sponsor

PRICE_TABLE = "cakupan_billing_price"
CHUNK_TABLE = "cakupan_billing_chunk"
# The columns of an amount part, in billing_assess's Part order: programmes, parties, total.
_PART_COLUMNS = (*PROGRAM_COLUMNS, *PARTY_COLUMNS, "amount")
LINE_COLUMNS = ("bill_id", "membership_id", "period", "base", *_PART_COLUMNS)

_M, _E, _R, _S = (table(model) for model in (Membership, Employment, Employer, Sponsor))
_PU, _BPU = quoted(Segment.PU), quoted(Segment.BPU)
_JAKON, _PMI = quoted(Segment.JAKON), quoted(Segment.PMI)
# A membership's payer kind and the kind of account that pays its bills.
_PAYS, _ACCOUNT = Membership.PayerKind, PayerAccount.Kind
_REGULAR, _REPAYMENT = quoted(Bill.Kind.REGULAR), quoted(Bill.Kind.PP49_JP_REPAYMENT)
_EMPLOYER, _SPONSOR, _SELF, _GOVERNMENT = (
    quoted(kind) for kind in (_PAYS.EMPLOYER, _PAYS.SPONSOR, _PAYS.SELF, _PAYS.GOVERNMENT)
)

_FUNDING = " ".join(
    f"WHEN m.payer_kind = {quoted(kind)} THEN {quoted(f)}" for kind, f in FUNDING_BY_PAYER.items()
)

# Billable in a period (billable.py, the ORM's definition too). Parameters: billable_params.
_BILLABLE_WHERE = billable_sql("m")

# One row per billable member of the chunk with its calculator input. A PU membership that names no
# employment takes the person's employment with the membership's employer covering the month (the latest
# started). A Jakon or PMI membership pays once for its contract (rules.md §3.1, §3.2): `opening` marks its
# first month, the one it is billed in (a PMI's chosen JHT amount every month). Parameters: last day,
# first day (fallback wage), first day (opening), billable_params, low, high.
_SOURCE = f"""
SELECT m.id, m.person_id, m.payer_kind, m.employer_id, m.sponsor_id, m.segment,
  CAST(m.jkk AS INTEGER) AS jkk, CAST(m.jkm AS INTEGER) AS jkm, CAST(m.jht AS INTEGER) AS jht,
  CAST(m.jp AS INTEGER) AS jp, CAST(m.jkp AS INTEGER) AS jkp,
  COALESCE(CASE WHEN m.segment <> {_PU} THEN NULL
       WHEN m.employment_id IS NOT NULL THEN e.basic_wage + e.fixed_allowance
       ELSE (SELECT f.basic_wage + f.fixed_allowance FROM {_E} f
             WHERE f.person_id = m.person_id AND f.employer_id = m.employer_id AND f.start_date <= %s
               AND (f.end_date IS NULL OR f.end_date >= %s)
             ORDER BY f.start_date DESC, f.id DESC LIMIT 1) END, -1) AS wage,
  COALESCE(CASE WHEN m.segment = {_PU} THEN r.risk_class END, -1) AS risk,
  COALESCE(CASE WHEN m.segment = {_BPU} THEN m.declared_income END, -1) AS income,
  COALESCE(CASE WHEN m.segment = {_BPU} THEN m.bpu_sector END, '') AS sector,
  COALESCE(CASE WHEN m.segment <> {_BPU} THEN NULL
       {_FUNDING} WHEN m.payer_kind = {_SPONSOR} THEN s.kind END, '') AS funding,
  COALESCE(CASE WHEN m.segment = {_JAKON} THEN m.contract_value END, -1) AS contract_value,
  COALESCE(CASE WHEN m.segment = {_PMI} THEN m.contract_months END, -1) AS contract_months,
  CASE WHEN m.segment IN ({_JAKON}, {_PMI}) AND m.start_date >= %s THEN 1 ELSE 0 END AS opening,
  CASE WHEN m.segment = {_PU} AND m.jp AND r.jp_deferral_pp49 THEN 1 ELSE 0 END AS jp_deferred,
  COALESCE(CASE WHEN m.segment = {_PMI} AND m.jht THEN m.pmi_jht_amount END, -1) AS jht_amount,
  CASE WHEN m.segment = {_PMI} AND NOT m.pmi_individual THEN 1 ELSE 0 END AS pre_placement
FROM {_M} m
LEFT JOIN {_E} e ON e.id = m.employment_id
LEFT JOIN {_R} r ON r.id = m.employer_id
LEFT JOIN {_S} s ON s.id = m.sponsor_id
WHERE {_BILLABLE_WHERE} AND m.id > %s AND m.id <= %s
"""
# The calculator input of a member as columns without NULL (-1 and '' stand for "none"), so that members
# join their price on plain equality.
KEY_COLUMNS = (
    "segment",
    "jkk",
    "jkm",
    "jht",
    "jp",
    "jkp",
    "wage",
    "risk",
    "income",
    "sector",
    "funding",
    "contract_value",
    "contract_months",
    "opening",
    "jp_deferred",
    "jht_amount",
    "pre_placement",
)
_KEY_JOIN = " AND ".join(f"p.{c} = k.{c}" for c in KEY_COLUMNS)
_KEY_SELECT = ", ".join(f"k.{c}" for c in KEY_COLUMNS)
_PAYER_ID = (
    f"CASE k.payer_kind WHEN {_EMPLOYER} THEN k.employer_id WHEN {_SPONSOR} THEN k.sponsor_id "
    f"WHEN {_SELF} THEN k.person_id END"
)
_BILLABLE = f"FROM {_M} m WHERE {_BILLABLE_WHERE}"
# A key column's "none" (see KEY_COLUMNS) and back.
_NONE: dict[str, Any] = {
    "wage": -1,
    "risk": -1,
    "income": -1,
    "sector": "",
    "funding": "",
    "contract_value": -1,
    "contract_months": -1,
    "opening": None,  # 0 or 1, never "none"
    "jp_deferred": None,  # 0 or 1
    "jht_amount": -1,
    "pre_placement": None,  # 0 or 1
}


class Chunk:
    """The parameters of one chunk's statements: the period's days and the member id range."""

    def __init__(self, *, first_day: dt.date, last_day: dt.date, low: int, high: int) -> None:
        self.low, self.high = low, high
        billable = billable_params(first_day=first_day, last_day=last_day)
        self.source_params: list[Any] = [last_day, first_day, first_day, *billable, low, high]


def tables_reset() -> None:
    """Fresh temporary price and chunk tables for this connection (a resumed run in a new process prices
    again)."""
    keys = ", ".join(
        f"{c} {'VARCHAR(20)' if c in ('segment', 'sector', 'funding') else 'BIGINT'} NOT NULL"
        for c in KEY_COLUMNS
    )
    parts = ", ".join(f"p_{c} BIGINT, g_{c} BIGINT, d_{c} BIGINT" for c in _PART_COLUMNS)
    with connection.cursor() as cursor:
        tables_drop()
        cursor.execute(f"CREATE TEMPORARY TABLE {PRICE_TABLE} ({keys}, reason TEXT, base BIGINT, {parts})")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {CHUNK_TABLE} (id BIGINT NOT NULL, person_id BIGINT NOT NULL, "
            "payer_kind VARCHAR(10) NOT NULL, employer_id BIGINT, sponsor_id BIGINT, "
            f"{keys})"
        )


def price_table_clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {PRICE_TABLE}")


def tables_drop() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {PRICE_TABLE}")
        cursor.execute(f"DROP TABLE IF EXISTS {CHUNK_TABLE}")


def chunk_fill(chunk: Chunk) -> None:
    """Put the chunk's members with their calculator input into the chunk table: the registry joins run
    once per chunk, and the statements after it join plain columns."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {CHUNK_TABLE}")
        else:
            cursor.execute(f"DELETE FROM {CHUNK_TABLE}")
        cursor.execute(f"INSERT INTO {CHUNK_TABLE} {_SOURCE}", chunk.source_params)
    _analyze(CHUNK_TABLE)


def _analyze(table: str) -> None:
    """Statistics for a temporary table just filled (autovacuum never sees them): without them PostgreSQL
    guesses a handful of rows and sorts for a merge join where a hash join is many times faster."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")


def chunk_high(*, first_day: dt.date, last_day: dt.date, after: int, size: int) -> tuple[int | None, bool]:
    """The id of the `size`-th billable member after `after` (the chunk's upper bound) and whether it is
    the last chunk; (None, True) when nothing is left."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT m.id {_BILLABLE} AND m.id > %s ORDER BY m.id LIMIT 1 OFFSET %s",
            [*billable_params(first_day=first_day, last_day=last_day), after, size - 1],
        )
        row = cursor.fetchone()
        if row is not None:
            return row[0], False
        billable = billable_params(first_day=first_day, last_day=last_day)
        cursor.execute(f"SELECT MAX(m.id) {_BILLABLE} AND m.id > %s", [*billable, after])
        row = cursor.fetchone()
    return (row[0] if row else None), True


KeyRow = tuple[Any, ...]  # the KEY_COLUMNS values of a member, "none" spelled -1 or ''


def price_key(row: KeyRow) -> PriceKey:
    """billing_assess's key (segment, programmes held, wage, risk, income, sector, funding, contract value,
    contract months, opening, JP deferred, PMI JHT amount, PMI pre-placement) of a key row."""
    segment, *held = row[:6]
    named = zip(KEY_COLUMNS[6:], row[6:], strict=True)
    values = [None if value == _NONE[column] else value for column, value in named]
    return (segment, tuple(bool(h) for h in held), *values)


def price_key_of(**named: Any) -> PriceKey:
    """billing_assess's key from KEY_COLUMNS values given by name, for a caller pricing members outside a
    run (a sponsor's members converted to self-paid); a column not given is "none" (opening and JP
    deferral: 0), so a key column added to billing cannot be left out by position."""
    unknown = set(named) - set(KEY_COLUMNS)
    if unknown:
        raise ValueError(f"not key columns: {sorted(unknown)}")
    none = {c: 0 if v is None else v for c, v in _NONE.items()}
    return price_key(tuple(named.get(c, none.get(c, False)) for c in KEY_COLUMNS))


def chunk_keys() -> list[tuple[KeyRow, int, int]]:
    """The distinct calculator inputs of the chunk's members: (key row, members, smallest membership id)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_KEY_SELECT}, COUNT(*), MIN(k.id) FROM {CHUNK_TABLE} k GROUP BY {_KEY_SELECT}"
        )
        return [(tuple(r[: len(KEY_COLUMNS)]), r[-2], r[-1]) for r in cursor.fetchall()]


def prices_store(
    entries: Iterable[tuple[KeyRow, Priced]], deferred: dict[KeyRow, Part] | None = None
) -> None:
    """Add priced keys to the price table: the reason of a rejected key, or its base and parts (the payer's,
    the state budget's, and the JP deferred under PP 49/2020, from `deferred`)."""
    rows: list[Sequence[Any]] = []
    none = (None,) * len(_PART_COLUMNS)
    later = deferred or {}
    for key_row, priced in entries:
        if isinstance(priced, str):
            rows.append((*key_row, priced, None, *none, *none, *none))
            continue
        base, payer, government = priced
        rows.append(
            (*key_row, None, base, *(payer or none), *(government or none), *later.get(key_row, none))
        )
    if not rows:
        return
    columns = [
        *KEY_COLUMNS,
        "reason",
        "base",
        *(f"p_{c}" for c in _PART_COLUMNS),
        *(f"g_{c}" for c in _PART_COLUMNS),
        *(f"d_{c}" for c in _PART_COLUMNS),
    ]
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {PRICE_TABLE} ({', '.join(columns)}) VALUES ({marks})", rows)
    _analyze(PRICE_TABLE)


def chunk_payers() -> list[tuple[str, int | None]]:
    """The payers of the chunk's members (payer kind, payer id). Whether a payer's members owe anything is
    known only once priced: the run removes, at its end, the bills it made that got no line."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT k.payer_kind, {_PAYER_ID} FROM {CHUNK_TABLE} k")
        return [(kind, payer_id) for kind, payer_id in cursor.fetchall()]


def chunk_deferring_employers() -> list[int]:
    """The employers of the chunk whose members deferred JP under PP 49/2020 (they get a repayment bill)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT k.employer_id FROM {CHUNK_TABLE} k JOIN {PRICE_TABLE} p ON {_KEY_JOIN} "
            f"WHERE p.d_amount IS NOT NULL AND k.payer_kind = {_EMPLOYER}"
        )
        return [row[0] for row in cursor.fetchall()]


def chunk_lines_insert(*, period: str, government_bill: int | None, replay: bool) -> None:
    """Write the chunk's lines with one INSERT … SELECT: each member's payer line on its payer's regular
    bill, its government line on the government bill, and the JP its employer deferred under PP 49/2020 on
    the employer's repayment bill of the month. A replayed chunk skips lines already there."""
    account, bill = table(PayerAccount), table(Bill)
    payer_part = ", ".join(f"p.p_{c}" for c in _PART_COLUMNS)
    government_part = ", ".join(f"p.g_{c}" for c in _PART_COLUMNS)
    deferred_part = ", ".join(f"p.d_{c}" for c in _PART_COLUMNS)
    sql = (
        f"SELECT b.id, k.id, b.period, p.base, {payer_part} FROM {CHUNK_TABLE} k "
        f"JOIN {PRICE_TABLE} p ON {_KEY_JOIN} "
        f"LEFT JOIN {account} ae ON k.payer_kind = {_EMPLOYER} AND ae.kind = {quoted(_ACCOUNT.EMPLOYER)} "
        "AND ae.employer_id = k.employer_id "
        f"LEFT JOIN {account} asp ON k.payer_kind = {_SPONSOR} AND asp.kind = {quoted(_ACCOUNT.SPONSOR)} "
        "AND asp.sponsor_id = k.sponsor_id "
        f"LEFT JOIN {account} ap ON k.payer_kind = {_SELF} AND ap.kind = {quoted(_ACCOUNT.SELF)} "
        "AND ap.person_id = k.person_id "
        f"LEFT JOIN {account} ag ON k.payer_kind = {_GOVERNMENT} "
        f"AND ag.kind = {quoted(_ACCOUNT.GOVERNMENT)} "
        f"JOIN {bill} b ON b.period = %s AND b.kind = {_REGULAR} "
        "AND b.account_id = COALESCE(ae.id, asp.id, ap.id, ag.id) "
        "WHERE p.p_amount IS NOT NULL"
        f" UNION ALL SELECT b.id, k.id, b.period, p.base, {deferred_part} FROM {CHUNK_TABLE} k "
        f"JOIN {PRICE_TABLE} p ON {_KEY_JOIN} "
        f"JOIN {account} ae ON ae.kind = {quoted(_ACCOUNT.EMPLOYER)} AND ae.employer_id = k.employer_id "
        f"JOIN {bill} b ON b.period = %s AND b.kind = {_REPAYMENT} AND b.account_id = ae.id "
        f"WHERE p.d_amount IS NOT NULL AND k.payer_kind = {_EMPLOYER}"
    )
    params: list[Any] = [period, period]
    if government_bill is not None:
        sql += (
            f" UNION ALL SELECT %s, k.id, %s, p.base, {government_part} FROM {CHUNK_TABLE} k "
            f"JOIN {PRICE_TABLE} p ON {_KEY_JOIN} WHERE p.g_amount IS NOT NULL"
        )
        params += [government_bill, period]
    conflict = " ON CONFLICT DO NOTHING" if replay else ""
    with connection.cursor() as cursor:
        # In bill order: a chunk's lines then fill UNIQUE(bill, membership) one bill after the other
        # instead of hopping between every bill of the chunk for each line.
        cursor.execute(
            f"INSERT INTO {table(BillLine)} ({', '.join(LINE_COLUMNS)}) "
            f"SELECT * FROM ({sql}) lines ORDER BY 1, 2{conflict}",
            params,
        )


def bills_without_lines_delete(*, run_id: int, period: str) -> None:
    """Remove the bills this run made for payers whose members owed nothing this period."""
    Bill.objects.filter(run_id=run_id, period=period, amount_due=0, members=0).exclude(
        Exists(BillLine.objects.filter(period=period, bill_id=OuterRef("pk")))
    ).exclude(allocations__isnull=False).delete()
