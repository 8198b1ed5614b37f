"""`python -m bench.sponsorship [--persons N] [--list M]` (issue 15): a sponsor's candidate list (DTKS) of M
NIKs matched against a registry of N persons by `target_list_match` (read, NIK checks in polars, COPY, one
INSERT ... SELECT and a count), against a plain SQL join of the same NIKs in the same run (COPY into a
temporary table, join persons and active memberships, count). Prints both times, their ratio and the peak
memory of this process. PostgreSQL only; a database of its own (<db>_bench_sponsorship), dropped first.

The registry: persons with valid NIKs of Kota Malang (35.73.01), a fifth each paid by sponsor A, by sponsor
B, self-paid, wage earners and not covered. The list: 90 % registered NIKs, 9 % new ones, 1 % invalid.
"""
# ruff: noqa: S608, S106 - SQL text from this module's constants and generated integers; a bench user

from __future__ import annotations

import argparse
import csv
import io
import os
import resource
import sys
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
CHUNK = 1_000_000


def _nik_sql(i: str) -> str:
    d = f"({i} / 9999)"
    return (
        f"'357301' || lpad(({d} % 28 + 1)::text, 2, '0') || lpad((({d} / 28) % 12 + 1)::text, 2, '0') "
        f"|| lpad((({d} / 336) % 100)::text, 2, '0') || lpad(({i} % 9999 + 1)::text, 4, '0')"
    )


def _nik(i: int) -> str:
    d = i // 9999
    return f"357301{d % 28 + 1:02d}{(d // 28) % 12 + 1:02d}{(d // 336) % 100:02d}{i % 9999 + 1:04d}"


def _prepare_database(url: str) -> str:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_bench_sponsorship"
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name))


def _registry(persons: int) -> tuple[int, int]:
    from django.db import connection, transaction

    from cakupan.regions.services import branch_office_upsert
    from cakupan.registry.models import Employer, Sponsor

    a = Sponsor.objects.create(name="APBD Bench A", kind="apbd", region_id="35.73")
    b = Sponsor.objects.create(name="APBD Bench B", kind="apbd", region_id="35.73")
    office = branch_office_upsert(code="MLG", name="Kantor Cabang Malang", seat="35.73", regions=["35.73"])
    employer = Employer.objects.create(
        branch_office=office,
        npp="BNCH00001",
        name="PT Bench",
        legal_form="PT",
        size_class="besar",
        kbli="10750",
        risk_class=1,
        region_id="35.73.01",
    )
    for lo in range(0, persons, CHUNK):
        hi = min(persons, lo + CHUNK) - 1
        with transaction.atomic(), connection.cursor() as c:
            c.execute("SELECT COALESCE(MAX(id), 0) FROM registry_person")
            before = c.fetchone()[0]
            c.execute(
                "INSERT INTO registry_person (nik, full_name, birth_date, sex, phone, address_region_id, "
                "citizenship, nik_warnings, created_at, updated_at) "
                f"SELECT {_nik_sql('i')}, 'Warga ' || i, DATE '1990-01-01', 'L', '', '35.73.01', 'WNI', "
                f"'[]'::jsonb, now(), now() FROM generate_series({lo}, {hi}) i"
            )
            c.execute(
                "INSERT INTO registry_membership (person_id, kpj, segment, jkk, jkm, jht, jp, jkp, "
                "start_date, status, payer_kind, employer_id, sponsor_id, declared_income, bpu_sector, "
                "created_at, updated_at) "
                "SELECT p.id, lpad(p.id::text, 11, '0'), CASE WHEN p.id % 5 = 3 THEN 'PU' ELSE 'BPU' END, "
                "TRUE, TRUE, FALSE, FALSE, FALSE, DATE '2024-01-01', 'active', "
                "CASE p.id % 5 WHEN 0 THEN 'sponsor' WHEN 1 THEN 'sponsor' WHEN 2 THEN 'self' "
                "ELSE 'employer' END, "
                f"CASE WHEN p.id % 5 = 3 THEN {employer.pk} END, "
                f"CASE p.id % 5 WHEN 0 THEN {a.pk} WHEN 1 THEN {b.pk} END, "
                "CASE WHEN p.id % 5 <> 3 THEN 1000000 END, CASE WHEN p.id % 5 <> 3 THEN 'other' ELSE '' END, "
                f"now(), now() FROM registry_person p WHERE p.id > {before} AND p.id % 5 <> 4"
            )
        print(f"  registry: {hi + 1:,} persons", flush=True)
    with connection.cursor() as c:
        c.execute("ANALYZE registry_person; ANALYZE registry_membership")
    return a.pk, persons


def _list(size: int, persons: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["NIK", "Nama", "Alamat", "Desil"])
    for j in range(size):
        if j % 100 == 0:
            nik = "9999" + f"{j:012d}"  # province 99: invalid
        elif j % 100 < 10:
            nik = _nik(persons + j)  # valid, not registered
        else:
            nik = _nik((j * 7919) % persons)
        writer.writerow([nik, f"Calon {j}", "Jl. Bench", 1 + j % 10])
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as handle:
        handle.write(out.getvalue())
    return handle.name


def _plain_join(path: str) -> tuple[float, int]:
    from django.db import connection, transaction

    started = time.perf_counter()
    with open(path, encoding="utf-8") as f:
        next(f)
        niks = "".join(line.split(";", 1)[0] + "\n" for line in f)
    with transaction.atomic(), connection.cursor() as c:
        c.execute("CREATE TEMP TABLE bench_list (nik varchar(32)) ON COMMIT DROP")
        with c.cursor.copy("COPY bench_list (nik) FROM STDIN") as copy:
            copy.write(niks)
        c.execute(
            "SELECT COUNT(*), COUNT(m.id) FROM bench_list t LEFT JOIN registry_person p ON p.nik = t.nik "
            "LEFT JOIN registry_membership m ON m.person_id = p.id AND m.status = 'active'"
        )
        rows = c.fetchone()[0]
    return time.perf_counter() - started, rows


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sponsorship")
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL", PG_DEFAULT))
    parser.add_argument("--persons", type=int, default=10_000_000)
    parser.add_argument("--list", type=int, default=1_000_000)
    args = parser.parse_args()
    if not args.url.startswith("postgres"):
        print("bench.sponsorship runs on PostgreSQL only", file=sys.stderr)
        return 2
    os.environ["DATABASE_URL"] = _prepare_database(args.url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cakupan.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from cakupan.accounts.models import User
    from cakupan.regions.services import regions_load
    from cakupan.sponsorship.services.target_lists import target_list_match

    call_command("migrate", verbosity=0)
    regions_load()
    admin = User.objects.create_user(username="bench", password="x", role="national_admin")
    print(f"[sponsorship] registry of {args.persons:,} persons, a list of {args.list:,} NIKs", flush=True)
    started = time.perf_counter()
    sponsor_id, persons = _registry(args.persons)
    print(f"  generated in {time.perf_counter() - started:.1f} s", flush=True)
    path = _list(args.list, persons)
    join_s, rows = _plain_join(path)
    started = time.perf_counter()
    target = target_list_match(actor=admin, sponsor=sponsor_id, source=path)
    match_s = time.perf_counter() - started
    join_again, _rows = _plain_join(path)
    floor = min(join_s, join_again)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"[sponsorship] plain SQL join of the same {rows:,} NIKs: {join_s:.2f} s, again {join_again:.2f} s")
    print(
        f"[sponsorship] target_list_match: {match_s:.2f} s = {match_s / floor:.2f}x the join; "
        f"counts {target.counts}"
    )
    print(f"[sponsorship] peak memory of this process: {peak:,.0f} MB")
    os.unlink(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
