"""The national data set (issue 13): a registry the size of the nation's, built set-based, kept for reuse.

`python -m bench.national --persons 10000000` (default; `python -m bench national`) builds the PostgreSQL
database `bench_national` on the server of --url / DATABASE_URL (other sizes: `bench_national_50k`,
`bench_national_1m`, …; see `database_url`). The database is kept: a later run finds it, reads the size it
recorded in the table `bench_national_info` and does nothing; `--rebuild` drops it and starts over. The
page and load benchmarks (bench/pages.py, bench/load.py) read it, and so may the batch benchmarks.

What is built, for N persons (scale s = N / 10,000,000):
- reference data: every province, regency and district (`regions_load`, Kepmendagri 2025); one branch
  office per regency/city, except Malang, where the office `KC-MALANG` serves Kabupaten Malang, Kota Malang
  and Kota Batu (35.07, 35.73, 35.79); a labour agency (all sectors) and a health agency per regency;
- 500,000 × s employers (at least 50): 80 % micro, 12 % small, 5 % medium, 3 % large (Feb 2025: 677.8
  thousand of 839.9 thousand employers micro, rules.md §13); 2 % health facilities; 12 % in Malang;
  employer 1, `PT Bench Malang Raya`, in Kota Malang, employs 50,000 × s workers;
- N persons with valid NIKs (district code of their address, birth date with +40 for women, serial) and
  unique by construction; 12 % live in the three Malang regencies (so the Malang office has 1.2 M persons
  in scope at 10 M), the rest spread over every district of Indonesia;
- 0.8 × N memberships, one per person (persons 1 … 0.8 N; the rest registered without one), in the
  active proportions of Jan–Feb 2025 (rules.md §13: 41.38 M active = PU 26.26 M, BPU 9.58 M, Jakon
  5.53 M): PU 62.5 %, BPU 23.1 %, Jakon 12.9 %, and PMI 1.5 % (PMI is not in that figure; 1.5 % is our
  assumption); 85 % active, 10 % non-active, 5 % ended; a KPJ each;
- an employment row for every PU member (wage Rp2.5–6.4 million); Jakon members paid by an employer;
- 2,000 × s sponsors (at least 10): sponsor 1, the Kota Malang budget (APBD), pays for 100,000 × s BPU
  members; 15 % of the other BPU members are sponsored, the rest pay themselves;
- payer accounts: every employer, sponsor and self-paying member, and the state budget;
- one user per role (password `PASSWORD` below): `nat_admin`, `nat_staff` (KC-MALANG), `nat_agency`
  (Disnaker Kota Malang), `nat_hr` (employer 1), `nat_sponsor` (sponsor 1), `nat_worker` (person 1);
- then ANALYZE, the stored scope keys when the code has them (`scope_keys_rebuild` in bulk, before the
  big tables' indexes are back), and the coverage snapshot of the last closed month.

Every table is filled by INSERT … SELECT over generate_series with explicit ids (so related rows need no
join); the big tables' secondary indexes, unique and foreign keys are dropped before and rebuilt after,
as a restore does. The time of each step and the database size are printed.
"""
# ruff: noqa: S608 - SQL text built from integers, model metadata and constants of this file, no input

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
NATIONAL = 10_000_000
PASSWORD = "bench-national-2026"  # noqa: S105 - a benchmark account on a local throwaway database
MALANG_OFFICE = "KC-MALANG"
MALANG_REGENCIES = ("35.07", "35.73", "35.79")
KOTA_MALANG = "35.73"
USERNAMES = {
    "admin": "nat_admin",
    "branch": "nat_staff",
    "agency": "nat_agency",
    "employer": "nat_hr",
    "sponsor": "nat_sponsor",
    "worker": "nat_worker",
}
INFO_TABLE = "bench_national_info"
FIRST_NAMES = (  # noqa: SIM905 - a list of names reads best as words
    "Agus Budi Citra Dewi Eko Fitri Gita Hadi Indah Joko Kartika Lestari Made Nur Putu Rina Sari Tri "
    "Wahyu Yuni Adi Bayu Dian Endang Fajar Gilang Hendra Ika Ketut Lina Mega Nanda Oki Purnama Rizki Siti "
    "Teguh Umar Vina Wulan Yusuf Zainal Asep Bambang Cahya Dodi Erna"
).split()
LAST_NAMES = (  # noqa: SIM905 - a list of names reads best as words
    "Santoso Wijaya Saputra Hidayat Kusuma Pratama Nugroho Setiawan Wibowo Susanto Lubis Siregar Nasution "
    "Harahap Simanjuntak Sinaga Hutapea Purba Tarigan Ginting Sembiring Manurung Situmorang Rahman Halim "
    "Gunawan Suryadi Permana Firmansyah Ramadhan Kurniawan Hakim Sulistyo Utomo Wahyudi Prasetyo Suharto "
    "Syahputra Maulana Anggraini Rahayu Lestari Handayani Wati Sari Putri Yulianti Safitri Fauzi Abdullah "
    "Iskandar Pangaribuan Daulay"
).split()
KBLI = ("10750", "41011", "46100", "47111", "49421", "56101", "62019", "85220", "86101", "01111")


def database_url(base_url: str, persons: int) -> str:
    """The URL of the data set of `persons` persons on the server of `base_url`: `bench_national` at the
    national size, `bench_national_50k`, `bench_national_1m`, … otherwise."""
    if persons == NATIONAL:
        name = "bench_national"
    elif persons % 1_000_000 == 0:
        name = f"bench_national_{persons // 1_000_000}m"
    elif persons % 1_000 == 0:
        name = f"bench_national_{persons // 1_000}k"
    else:
        name = f"bench_national_{persons}"
    return urlunsplit(urlsplit(base_url)._replace(path="/" + name))


def recorded_size(url: str) -> dict[str, str] | None:
    """What `bench_national_info` of that database says was built, or None (no such database, or a build
    that did not finish)."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            rows = conn.execute(f"SELECT key, value FROM {INFO_TABLE}").fetchall()
    except psycopg.Error:
        return None
    info: dict[str, str] = dict(rows)
    return info if info.get("complete") == "1" else None


def _recreate(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


class _Steps:
    """Prints each step's duration as it ends, and keeps them for the record."""

    def __init__(self) -> None:
        self.began = time.monotonic()
        self.times: dict[str, float] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        began = time.monotonic()
        yield
        took = time.monotonic() - began
        self.times[name] = took
        print(f"[national] {name}: {took:.1f}s", flush=True)

    @property
    def total(self) -> float:
        return time.monotonic() - self.began


def _sql(statement: str, params: Any = None) -> Any:
    from django.db import connection

    with connection.cursor() as c:
        c.execute(statement, params)
        return c.fetchall() if c.description else None


def _tables() -> dict[str, str]:
    """Table names from the models, so a rename breaks here and not in the SQL below."""
    from cakupan.accounts.models import User
    from cakupan.contributions.models import PayerAccount
    from cakupan.partners.models import PartnerAgency
    from cakupan.regions.models import BranchOffice, Region
    from cakupan.registry.models import Employer, Employment, Membership, Person, Sponsor

    return {
        "region": Region._meta.db_table,
        "office": BranchOffice._meta.db_table,
        "office_regions": BranchOffice.regions.through._meta.db_table,
        "agency": PartnerAgency._meta.db_table,
        "employer": Employer._meta.db_table,
        "sponsor": Sponsor._meta.db_table,
        "person": Person._meta.db_table,
        "employment": Employment._meta.db_table,
        "membership": Membership._meta.db_table,
        "payer": PayerAccount._meta.db_table,
        "user": User._meta.db_table,
    }


BULK = ("person", "employment", "membership", "employer", "payer")


def _array(words: tuple[str, ...] | list[str]) -> str:
    return "(ARRAY[" + ", ".join(f"'{w}'" for w in words) + "])"


def _reference(t: dict[str, str]) -> tuple[int, int]:
    """Regions, branch offices, partner agencies and the helper table `bench_district` (k numbered from 0,
    Malang's districts first); returns (districts, Malang districts)."""
    from cakupan.regions.services import regions_load

    regions_load()
    malang = _array(MALANG_REGENCIES)
    _sql(
        f"INSERT INTO {t['office']} (code, name, region_id) "
        f"SELECT 'KC-' || replace(code, '.', ''), 'Kantor Cabang ' || name, code FROM {t['region']} "
        f"WHERE level = 2 AND code <> ALL({malang}) "
        f"UNION ALL SELECT '{MALANG_OFFICE}', 'Kantor Cabang Malang', '{KOTA_MALANG}'"
    )
    _sql(
        f"INSERT INTO {t['office_regions']} (branchoffice_id, region_id) "
        f"SELECT o.id, r.code FROM {t['region']} r JOIN {t['office']} o ON o.code = CASE "
        f"WHEN r.code = ANY({malang}) THEN '{MALANG_OFFICE}' ELSE 'KC-' || replace(r.code, '.', '') END "
        "WHERE r.level = 2"
    )
    _sql(
        f"INSERT INTO {t['agency']} (name, kind, sector, region_id) "
        f"SELECT 'Disnaker ' || name, 'disnaker', 'all', code FROM {t['region']} WHERE level = 2 "
        f"UNION ALL SELECT 'Dinkes ' || name, 'dinkes', 'health', code FROM {t['region']} WHERE level = 2"
    )
    _sql(
        "CREATE TABLE bench_district AS SELECT (row_number() OVER (ORDER BY "
        f"substr(d.code, 1, 5) <> ALL({malang}), d.code) - 1)::int AS k, d.code, "
        "o.branchoffice_id AS office_id "
        f"FROM {t['region']} d JOIN {t['office_regions']} o ON o.region_id = substr(d.code, 1, 5) "
        "WHERE d.level = 3"
    )
    _sql("ALTER TABLE bench_district ADD PRIMARY KEY (k)")
    [(districts, in_malang)] = _sql(
        f"SELECT count(*), count(*) FILTER (WHERE substr(code, 1, 5) = ANY({malang})) FROM bench_district"
    )
    return districts, in_malang


def _district(expr: str, districts: int, in_malang: int) -> str:
    """The district number of row `expr`: 12 % in Malang, the rest spread over every other district."""
    return (
        f"CASE WHEN ({expr}) % 100 < 12 THEN (({expr}) / 100) % {in_malang} "
        f"ELSE {in_malang} + (({expr}) * 7919) % {districts - in_malang} END"
    )


def _employers(t: dict[str, str], employers: int, districts: tuple[int, int]) -> None:
    kotamalang = _sql(f"SELECT min(k) FROM bench_district WHERE code LIKE '{KOTA_MALANG}.%%'")[0][0]
    where = f"CASE WHEN j = 1 THEN {kotamalang} ELSE {_district('j', *districts)} END"
    _sql(
        f"INSERT INTO {t['employer']} (id, npp, nib, name, legal_form, size_class, kbli, risk_class, "
        "facility_type, created_at, updated_at, branch_office_id, region_id) "
        "SELECT j, 'NB' || lpad(j::text, 8, '0'), '', "
        "CASE WHEN j = 1 THEN 'PT Bench Malang Raya' ELSE "
        f"{_array(('PT', 'CV', 'UD', 'Koperasi', 'Yayasan'))}[1 + j % 5] || ' ' || "
        f"{_array(LAST_NAMES)}[1 + j % {len(LAST_NAMES)}] || ' ' || "
        f"{_array(FIRST_NAMES)}[1 + (j / {len(LAST_NAMES)}) % {len(FIRST_NAMES)}] || ' ' || j END, "
        f"{_array(('PT', 'CV', 'FIRMA', 'KOPERASI', 'YAYASAN'))}[1 + j % 5], "
        "CASE WHEN j = 1 OR j % 100 >= 97 THEN 'besar' WHEN j % 100 >= 92 THEN 'menengah' "
        "WHEN j % 100 >= 80 THEN 'kecil' ELSE 'mikro' END, "
        f"{_array(KBLI)}[1 + j % {len(KBLI)}], 1 + j % 5, "
        "CASE WHEN j % 50 = 3 THEN "
        f"{_array(('rumah_sakit', 'klinik', 'puskesmas', 'apotek', 'bidan'))}[1 + (j / 50) % 5] ELSE '' END, "
        "now(), now(), d.office_id, d.code "
        f"FROM generate_series(1::bigint, {employers}) AS j JOIN bench_district d ON d.k = {where}"
    )


def _sponsors(t: dict[str, str], sponsors: int) -> None:
    _sql(
        f"INSERT INTO {t['sponsor']} (id, name, kind, created_at, employer_id, region_id) "
        f"SELECT 1, 'Pemerintah Kota Malang (APBD)', 'apbd', now(), NULL::bigint, '{KOTA_MALANG}' UNION ALL "
        f"SELECT s, {_array(('Pemerintah ', 'CSR ', 'Yayasan '))}[1 + s % 3] || r.name || ' ' || s, "
        f"{_array(('apbd', 'csr', 'donor'))}[1 + s % 3], now(), NULL, r.code "
        f"FROM generate_series(2::bigint, {sponsors}) AS s JOIN (SELECT code, name, "
        f"(row_number() OVER (ORDER BY code) - 1)::int AS k FROM {t['region']} WHERE level = 2) r "
        f"ON r.k = s % (SELECT count(*) FROM {t['region']} WHERE level = 2)"
    )


def _persons(t: dict[str, str], persons: int, districts: tuple[int, int]) -> None:
    # Unique NIKs by construction: the birth day (i % 16000), the sex ((i / 16000) % 2) and the serial
    # (1 + i / 32000) together give back i, whatever the district.
    _sql(
        f"INSERT INTO {t['person']} (id, nik, full_name, birth_date, sex, phone, address_region_id, "
        "citizenship, nik_warnings, created_at, updated_at) "
        "SELECT i, replace(d.code, '.', '') "
        "|| lpad((extract(day FROM b)::int + CASE WHEN sex = 'P' THEN 40 ELSE 0 END)::text, 2, '0') "
        "|| to_char(b, 'MMYY') || lpad((1 + i / 32000)::text, 4, '0'), "
        f"{_array(FIRST_NAMES)}[1 + i % {len(FIRST_NAMES)}] || ' ' || "
        f"{_array(LAST_NAMES)}[1 + (i / {len(FIRST_NAMES)}) % {len(LAST_NAMES)}], b, sex, "
        "CASE WHEN i % 3 = 0 THEN '' ELSE '08' || (1100000000 + i)::text END, d.code, 'WNI', '[]'::jsonb, "
        "now(), now() "
        "FROM (SELECT i, DATE '1960-01-01' + (i % 16000)::int AS b, "
        "CASE WHEN (i / 16000) % 2 = 1 THEN 'P' ELSE 'L' END AS sex "
        f"FROM generate_series(1::bigint, {persons}) AS i) g "
        f"JOIN bench_district d ON d.k = {_district('i', *districts)}"
    )


@contextmanager
def _members_view(
    members: int, employers: int, sponsors: int, big_employer: int, big_sponsor: int
) -> Iterator[None]:
    """A view of the members 1 … `members` with everything both employment and membership derive from
    i: segment (per mille h = i % 1000: PU < 625, BPU < 856, Jakon < 985, PMI), status, dates, payers."""
    _sql(
        "CREATE TEMPORARY VIEW bench_member AS SELECT i, "
        "CASE WHEN i % 1000 < 625 THEN 'PU' WHEN i % 1000 < 856 THEN 'BPU' "
        "WHEN i % 1000 < 985 THEN 'JAKON' ELSE 'PMI' END AS segment, "
        "CASE WHEN (i / 1000) % 20 < 17 THEN 'active' WHEN (i / 1000) % 20 < 19 THEN 'inactive' "
        "ELSE 'ended' END AS status, "
        "DATE '2015-01-01' + ((i * 13) % 3600)::int AS start_date, "
        f"CASE WHEN i <= {big_employer} THEN 1 ELSE 2 + (i * 7919) % {employers - 1} END AS employer_id, "
        f"CASE WHEN i <= {big_sponsor} THEN 1 WHEN i % 1000 BETWEEN 625 AND 659 "
        f"THEN 2 + i % {sponsors - 1} END AS sponsor_id "
        f"FROM generate_series(1::bigint, {members}) AS i"
    )
    try:
        yield
    finally:
        _sql("DROP VIEW bench_member")


def _employment(t: dict[str, str]) -> None:
    _sql(
        f"INSERT INTO {t['employment']} (id, start_date, end_date, basic_wage, fixed_allowance, occupation, "
        "civil_service, created_at, updated_at, employer_id, person_id) "
        "SELECT i, start_date, CASE WHEN status = 'ended' THEN start_date + 400 END, "
        "2500000 + (i % 40) * 100000, (i % 5) * 100000, 'other', 'NON_ASN', now(), now(), employer_id, i "
        "FROM bench_member WHERE segment = 'PU'"
    )


def _memberships(t: dict[str, str]) -> None:
    _sql(
        f"INSERT INTO {t['membership']} (id, kpj, segment, jkk, jkm, jht, jp, jkp, start_date, end_date, "
        "status, payer_kind, declared_income, bpu_sector, created_at, updated_at, employer_id, "
        "employment_id, person_id, sponsor_id) "
        "SELECT i, '1' || lpad(i::text, 10, '0'), segment, TRUE, TRUE, "
        "segment IN ('PU', 'PMI') OR (segment = 'BPU' AND i % 2 = 0), segment = 'PU', segment = 'PU', "
        "start_date, CASE WHEN status = 'ended' THEN start_date + 400 END, status, "
        "CASE WHEN segment IN ('PU', 'JAKON') THEN 'employer' "
        "WHEN segment = 'BPU' AND sponsor_id IS NOT NULL THEN 'sponsor' ELSE 'self' END, "
        "CASE WHEN segment = 'BPU' THEN 1000000 + (i % 5) * 500000 END, "
        "CASE WHEN segment <> 'BPU' THEN '' WHEN i % 4 = 0 THEN 'transport' ELSE 'other' END, now(), now(), "
        "CASE WHEN segment IN ('PU', 'JAKON') THEN employer_id END, CASE WHEN segment = 'PU' THEN i END, i, "
        "CASE WHEN segment = 'BPU' THEN sponsor_id END "
        "FROM bench_member"
    )


def _payer_accounts(t: dict[str, str]) -> None:
    from cakupan.contributions.services.billing_dates import VA_KIND_DIGIT, VA_PREFIX

    def va(kind: str, column: str) -> str:
        return f"'{VA_PREFIX}{VA_KIND_DIGIT[kind]}' || lpad({column}::text, 13, '0')"

    _sql(
        f"INSERT INTO {t['payer']} (kind, virtual_account, created_at, employer_id, person_id, sponsor_id) "
        f"SELECT 'employer', {va('employer', 'id')}, now(), id, NULL::bigint, NULL::bigint "
        f"FROM {t['employer']} UNION ALL "
        f"SELECT 'sponsor', {va('sponsor', 'id')}, now(), NULL, NULL, id FROM {t['sponsor']} UNION ALL "
        f"SELECT 'self', {va('self', 'person_id')}, now(), NULL, person_id, NULL FROM {t['membership']} "
        "WHERE payer_kind = 'self' UNION ALL "
        f"SELECT 'government', {va('government', '0')}, now(), NULL, NULL, NULL"
    )


def _users() -> None:
    from cakupan.accounts.models import Role, User
    from cakupan.partners.models import PartnerAgency
    from cakupan.regions.models import BranchOffice

    scoped: dict[str, dict[str, Any]] = {
        "admin": {"role": Role.NATIONAL_ADMIN, "is_staff": True, "is_superuser": True},
        "branch": {"role": Role.BRANCH_STAFF, "branch_office": BranchOffice.objects.get(code=MALANG_OFFICE)},
        "agency": {
            "role": Role.AGENCY,
            "agency": PartnerAgency.objects.get(kind="disnaker", region_id=KOTA_MALANG),
        },
        "employer": {"role": Role.EMPLOYER_HR, "employer_id": 1},
        "sponsor": {"role": Role.SPONSOR, "sponsor_id": 1},
        "worker": {"role": Role.WORKER, "person_id": 1},
    }
    for key, fields in scoped.items():
        User.objects.create_user(username=USERNAMES[key], password=PASSWORD, **fields)


def _reset_sequences(t: dict[str, str]) -> None:
    for key in ("employer", "sponsor", "person", "employment", "membership"):
        _sql(f"SELECT setval(pg_get_serial_sequence('{t[key]}', 'id'), (SELECT max(id) FROM {t[key]}))")


def _scope_keys() -> None:
    """Stored scope keys (issue 13) when the code has them, in bulk (their tables emptied, their indexes
    set aside and built once after)."""
    try:
        from cakupan.registry.services.scope_keys import (  # type: ignore[import-not-found,unused-ignore]
            scope_keys_rebuild,
        )
    except ImportError:
        print("[national] no scope_keys_rebuild in this code: stored scope keys skipped", flush=True)
    else:
        scope_keys_rebuild(bulk=True)


def _coverage_snapshot() -> None:
    """The coverage snapshot of the last closed month, which dashboards read."""
    from cakupan.coverage.services.snapshots import snapshot_build

    today = dt.date.today()
    last = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    snapshot_build(period=last)


def build(url: str, persons: int) -> dict[str, float]:
    """Builds the data set into the (new, empty) database at `url`; returns the steps' durations."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cakupan.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from cakupan.core.db import secondary_keys_dropped, secondary_keys_restored

    scale = persons / NATIONAL
    employers = max(50, round(500_000 * scale))
    sponsors = max(10, round(2_000 * scale))
    members = persons * 8 // 10
    # PU is 62.5 % of members, BPU 23.1 %: the first members up to these numbers give the big employer
    # 50,000 × s workers and the big sponsor 100,000 × s members.
    big_employer = round(50_000 * scale / 0.625)
    big_sponsor = round(100_000 * scale / 0.231)
    steps = _Steps()
    with steps.step("migrate"):
        call_command("migrate", verbosity=0)
    t = _tables()
    _sql(f"CREATE TABLE {INFO_TABLE} (key text PRIMARY KEY, value text NOT NULL)")
    _sql(f"INSERT INTO {INFO_TABLE} VALUES ('persons', %s), ('complete', '0')", [str(persons)])
    _sql("SET synchronous_commit = off")
    _sql("SET maintenance_work_mem = '1GB'")
    with steps.step("reference data (regions, offices, agencies)"):
        districts = _reference(t)
    restore = secondary_keys_dropped([t[k] for k in BULK])
    with steps.step(f"employers ({employers:,})"):
        _employers(t, employers, districts)
    with steps.step(f"sponsors ({sponsors:,})"):
        _sponsors(t, sponsors)
    with steps.step(f"persons ({persons:,})"):
        _persons(t, persons, districts)
    with _members_view(members, employers, sponsors, big_employer, big_sponsor):
        with steps.step("employment (PU members)"):
            _employment(t)
        with steps.step(f"memberships ({members:,})"):
            _memberships(t)
    with steps.step("payer accounts"):
        _payer_accounts(t)
    # The scope keys before the big tables' indexes and keys are back: the rebuild's UPDATE of every
    # employment and membership row (their regency columns) then writes no index entries but the primary
    # key's.
    with steps.step("ANALYZE (for the scope keys' plan)"):
        _sql("ANALYZE")
    with steps.step("scope keys"):
        _scope_keys()
    with steps.step(f"indexes and keys ({len(restore)})"):
        secondary_keys_restored(restore)
    _reset_sequences(t)
    with steps.step("users"):
        _users()
    with steps.step("VACUUM ANALYZE"):
        _sql("VACUUM ANALYZE")
    with steps.step("coverage snapshot"):
        _coverage_snapshot()
    _sql("DROP TABLE bench_district")
    [(size,)] = _sql("SELECT pg_size_pretty(pg_database_size(current_database()))")
    counts = {
        key: _sql(f"SELECT count(*) FROM {t[key]}")[0][0]
        for key in ("person", "membership", "employment", "employer")
    }
    for key, count in counts.items():
        _sql(f"INSERT INTO {INFO_TABLE} VALUES (%s, %s)", [f"rows_{key}", str(count)])
    _sql(
        f"INSERT INTO {INFO_TABLE} VALUES ('built_at', %s), ('seconds', %s), ('size', %s)",
        [dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), f"{steps.total:.0f}", size],
    )
    _sql(f"UPDATE {INFO_TABLE} SET value = '1' WHERE key = 'complete'")
    connection.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"[national] built {url.rsplit('/', 1)[-1]}: "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items())
        + f"; {steps.total:.0f}s in all; database {size}; peak memory of this process {peak:.0f} MB",
        flush=True,
    )
    return steps.times


def ensure(base_url: str, persons: int, *, rebuild: bool = False) -> str:
    """The URL of the data set of that size, built first when missing (or when `rebuild`)."""
    url = database_url(base_url, persons)
    info = None if rebuild else recorded_size(url)
    if info is not None and info.get("persons") == str(persons):
        print(
            f"[national] {url.rsplit('/', 1)[-1]} exists ({int(info['persons']):,} persons, built "
            f"{info.get('built_at')} in {info.get('seconds')}s, {info.get('size')}): reused",
            flush=True,
        )
        return url
    _recreate(url)
    build(url, persons)
    return url


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.national")
    parser.add_argument(
        "--url", default=os.environ.get("DATABASE_URL", PG_DEFAULT), help="a PostgreSQL server"
    )
    parser.add_argument("--persons", type=int, default=NATIONAL)
    parser.add_argument("--rebuild", action="store_true", help="drop the data set and build it again")
    args = parser.parse_args()
    if not args.url.startswith("postgres"):
        print("bench.national runs on PostgreSQL only", file=sys.stderr)
        return 2
    if args.persons < 1_000:
        print("--persons: at least 1,000", file=sys.stderr)
        return 2
    ensure(args.url, args.persons, rebuild=args.rebuild)
    return 0


if __name__ == "__main__":
    sys.exit(main())
