"""Compliance benchmark (PostgreSQL, issue 7 point 7): a workforce report matched against the registry.

`python -m bench.compliance --url postgresql://postgres@127.0.0.1:5432/test --employers 1000000 --workers
10000000` works in a database of its own (`<name>_bench_compliance`, dropped and created here; `migrate`;
regions loaded with regions_load). In one run:
1. generates the registry set-based (INSERT … SELECT over generate_series): 90 % of the reported employers
   registered (NPP, NIB), and their registered workers as persons with an open employment and an active PU
   membership. By employer i % 10: 0, 1, 5, 7 compliant; 2, 6 only 70 % of the workers registered (PDS
   workers); 3 registered at a lower wage (PDS wages); 4, 8 without JP (PDS programmes); 9 not registered
   (PWBD, an unknown NIB and a name of its own: it goes through the name matcher);
2. writes the report rows the product stores after reading the files (compliance_reportedemployer and
   compliance_reportedworker, set-based): rows 0-4 carry NPP and NIB, 5-9 NIB only; --workers ÷ --employers
   workers each, their NIKs those of the registry where registered;
3. times the product's match (compliance_match_run) against one plain SQL join of the same exact keys
   (employer NPP/NIB to registry employers, worker NIK to persons), both in this process and database,
   the join aggregated in the server (the strictest floor: no rows travel);
4. separately, the file import (report_import of a CSV report and worker list) of --import-employers
   employers, because parsing files is another cost than matching.
Prints the duration of each step of the match (its DEBUG log), employers/s of the match, the ratio match ÷
join (goal ≤ 3) and the peak memory (ru_maxrss of this process; goal < 2 GB). For scale, it also times
storing the run's findings alone: a COPY of them into an empty twin of the findings table (same indexes,
checks and foreign keys), which every match pays whatever its way of computing them.

--reuse keeps the bench database of an earlier run of the same size (generation takes about ten minutes at
full size) and only drops its match runs. Its tables are then settled (hint bits set, vacuumed), so the
join is faster than right after generation: compare ratios of the same kind.
"""
# ruff: noqa: S608 - SQL text built from integers and constants of this file, no input

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
PERIOD = "2026-05"
WAGE = 5_000_000
LOW_WAGE = 3_000_000
CHUNK = 100_000  # employers per generation statement


def _prepare_database(url: str, reuse: bool) -> tuple[str, bool]:
    """The bench database's URL, and whether it was kept (--reuse and it exists) rather than made anew."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_bench_compliance"
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not (reuse and exists):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name)), bool(reuse and exists)


def _registered(n: int) -> str:
    """SQL: is worker k of employer i registered (i, k and n as in the generation statements)."""
    return f"(i % 10 <> 9 AND (i % 10 NOT IN (2, 6) OR k < GREATEST(1, {n} * 7 / 10)))"


def _registry(employers: int, n: int, office: int) -> None:
    from django.db import connection, transaction

    with connection.cursor() as c:
        c.execute("CREATE TABLE bench_district (dk integer PRIMARY KEY, code varchar(8) NOT NULL)")
        c.execute(
            "INSERT INTO bench_district SELECT row_number() OVER (ORDER BY code) - 1, code "
            "FROM regions_region WHERE level = 3"
        )
        c.execute("SELECT COUNT(*) FROM bench_district")
        districts = c.fetchone()[0]
    for lo in range(1, employers + 1, CHUNK):
        hi = min(employers, lo + CHUNK - 1)
        with transaction.atomic(), connection.cursor() as c:
            c.execute("SELECT COALESCE(MAX(id), 0) FROM registry_person")
            before = c.fetchone()[0]
            c.execute(
                "INSERT INTO registry_employer (npp, nib, name, legal_form, size_class, kbli, risk_class, "
                "region_id, branch_office_id, facility_type, created_at, updated_at) "
                "SELECT 'BN' || lpad(i::text, 9, '0'), '8' || lpad(i::text, 12, '0'), "
                "'PT Bench Employer ' || i, 'PT', 'besar', '10750', 1 + i % 5, d.code, "
                f"{office}, '', now(), now() "
                f"FROM generate_series({lo}, {hi}) i JOIN bench_district d ON d.dk = i % {districts} "
                "WHERE i % 10 <> 9"
            )
            c.execute(
                "INSERT INTO registry_person (nik, full_name, birth_date, sex, phone, address_region_id, "
                "citizenship, nik_warnings, created_at, updated_at) "
                f"SELECT '3' || lpad((i::bigint * {n} + k)::text, 15, '0'), 'Pekerja ' || i || '-' || k, "
                "DATE '1990-01-01', 'L', '', d.code, 'WNI', '[]'::jsonb, now(), now() "
                f"FROM generate_series({lo}, {hi}) i CROSS JOIN generate_series(0, {n - 1}) k "
                f"JOIN bench_district d ON d.dk = i % {districts} WHERE {_registered(n)}"
            )
            # i of a person, back from its NIK; the employer by its NPP (unique index). This chunk's persons
            # by their ids (no other writer): scanning all persons for each chunk made generation quadratic.
            person_i = f"(substr(p.nik, 2)::bigint / {n})"
            joined = (
                f"FROM registry_person p JOIN registry_employer e "
                f"ON e.npp = 'BN' || lpad({person_i}::text, 9, '0') "
                f"WHERE p.id > {before}"
            )
            c.execute(
                "INSERT INTO registry_employment (person_id, employer_id, start_date, end_date, basic_wage, "
                "fixed_allowance, occupation, civil_service, created_at, updated_at) "
                "SELECT p.id, e.id, DATE '2024-01-01', NULL, "
                f"CASE WHEN {person_i} % 10 = 3 THEN {LOW_WAGE} ELSE {WAGE} END, 0, 'other', 'NON_ASN', "
                f"now(), now() {joined}"
            )
            c.execute(
                "INSERT INTO registry_membership (person_id, kpj, segment, jkk, jkm, jht, jp, jkp, "
                "start_date, end_date, status, payer_kind, employer_id, employment_id, sponsor_id, "
                "declared_income, bpu_sector, created_at, updated_at) "
                "SELECT p.id, lpad(p.id::text, 11, '0'), 'PU', TRUE, TRUE, TRUE, "
                f"{person_i} % 10 NOT IN (4, 8), TRUE, DATE '2024-01-01', NULL, 'active', 'employer', "
                f"e.id, NULL, NULL, NULL, '', now(), now() {joined}"
            )
        print(f"  registry: {hi:,} employers", flush=True)


def _report(employers: int, n: int) -> int:
    """The report's rows as report_import stores them; returns the report's id."""
    from django.db import connection, transaction

    from cakupan.compliance.models import WorkforceReport

    report = WorkforceReport.objects.create(
        file_name="bench-wlkp.csv", workers_file_name="bench-workers.csv", employers=employers
    )
    with connection.cursor() as c:
        c.execute("SELECT COUNT(*) FROM bench_district")
        districts = c.fetchone()[0]
    for lo in range(1, employers + 1, CHUNK):
        hi = min(employers, lo + CHUNK - 1)
        with transaction.atomic(), connection.cursor() as c:
            c.execute(
                "INSERT INTO compliance_reportedemployer (report_id, row, nib, npp, name, name_key, address, "
                "region_id, period, reported_workers, reported_wages, size_class, kbli) "
                f"SELECT {report.pk}, i + 1, "
                "CASE WHEN i % 10 = 9 THEN '7' ELSE '8' END || lpad(i::text, 12, '0'), "
                "CASE WHEN i % 10 < 5 THEN 'BN' || lpad(i::text, 9, '0') ELSE '' END, "
                "CASE WHEN i % 10 = 9 THEN 'CV Bench Unregistered ' ELSE 'PT Bench Employer ' END || i, "
                "CASE WHEN i % 10 = 9 THEN 'bench unregistered ' ELSE 'bench employer ' END || i, "
                f"'Jl. Bench ' || i, d.code, '{PERIOD}', {n}, {n * WAGE}, 'besar', '10750' "
                f"FROM generate_series({lo}, {hi}) i JOIN bench_district d ON d.dk = i % {districts}"
            )
            c.execute(
                "INSERT INTO compliance_reportedworker (employer_id, nik, name, wage) "
                f"SELECT r.id, '3' || lpad(((r.row - 1)::bigint * {n} + k)::text, 15, '0'), "
                f"'Pekerja ' || k, {WAGE} "
                f"FROM compliance_reportedemployer r CROSS JOIN generate_series(0, {n - 1}) k "
                f"WHERE r.report_id = {report.pk} AND r.row BETWEEN {lo + 1} AND {hi + 1}"
            )
        print(f"  report: {hi:,} employers", flush=True)
    WorkforceReport.objects.filter(pk=report.pk).update(workers=employers * n)
    return report.pk


def _join(report_id: int) -> tuple[int, int]:
    """The floor: the same exact keys joined in SQL, aggregated in the server."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            "SELECT COUNT(COALESCE(a.id, b.id)) FROM compliance_reportedemployer r "
            "LEFT JOIN registry_employer a ON r.npp <> '' AND a.npp = r.npp "
            "LEFT JOIN registry_employer b ON r.nib <> '' AND b.nib = r.nib "
            "WHERE r.report_id = %s",
            [report_id],
        )
        employers = c.fetchone()[0]
        c.execute(
            "SELECT COUNT(p.id) FROM compliance_reportedworker w "
            "JOIN compliance_reportedemployer r ON r.id = w.employer_id "
            "LEFT JOIN registry_person p ON p.nik = w.nik WHERE r.report_id = %s",
            [report_id],
        )
        return employers, c.fetchone()[0]


def _findings_floor(run_id: int) -> float:
    """Seconds to store the run's findings alone: COPY into an empty twin of the table, with its checks."""
    from django.db import connection, transaction

    from bench.twins import copy_out, twins_create
    from cakupan.compliance.models import Finding

    table = Finding._meta.db_table
    with connection.cursor() as c:
        twins_create(c, [table])
        blob = copy_out(c, f"(SELECT * FROM public.{table} WHERE run_id = {int(run_id)})")
    began = time.monotonic()
    with transaction.atomic(), connection.cursor() as c:
        with c.copy(f"COPY floor.{table} FROM STDIN") as copy:
            copy.write(blob)
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
    took = time.monotonic() - began
    with connection.cursor() as c:
        c.execute("DROP SCHEMA floor CASCADE")
    return took


def _import(employers: int, n: int, actor: object) -> float:
    """report_import of CSV files written for the first `employers` of the bench (the file path)."""
    from cakupan.compliance.services import report_import

    with tempfile.TemporaryDirectory() as tmp:
        report, workers = Path(tmp, "wlkp.csv"), Path(tmp, "workers.csv")
        with report.open("w", newline="") as out:
            w = csv.writer(out)
            w.writerow(["NIB", "NPP", "Nama Perusahaan", "Alamat", "Kode Wilayah", "Periode",
                        "Jumlah Pekerja", "Total Upah", "Skala Usaha", "KBLI"])  # fmt: skip
            for i in range(employers):
                nib = ("7" if i % 10 == 9 else "8") + f"{i:012d}"
                npp = f"BN{i:09d}" if i % 10 < 5 else ""
                name = f"CV Bench Unregistered {i}" if i % 10 == 9 else f"PT Bench Employer {i}"
                w.writerow(
                    [nib, npp, name, f"Jl. Bench {i}", "35.73.01", PERIOD, n, n * WAGE, "besar", "10750"]
                )
        with workers.open("w", newline="") as out:
            w = csv.writer(out)
            w.writerow(["NIB", "NIK", "Nama", "Upah"])
            for i in range(employers):
                nib = ("7" if i % 10 == 9 else "8") + f"{i:012d}"
                for k in range(n):
                    w.writerow([nib, "3" + f"{i * n + k:015d}", f"Pekerja {k}", WAGE])
        began = time.monotonic()
        report_import(actor=actor, source=str(report), workers=str(workers))
        return time.monotonic() - began


def _generate(employers: int, n: int) -> int:
    """A fresh registry and report; returns the report's id."""
    from django.core.management import call_command
    from django.db import connection

    from cakupan.accounts.models import Role, User
    from cakupan.regions.services import branch_office_upsert, regions_load

    call_command("migrate", verbosity=0)
    regions_load()
    office = branch_office_upsert(code="BEN", name="Bench", seat="35.73", regions=["35.73"])
    User.objects.create_user(username="bench-admin", password=None, role=Role.NATIONAL_ADMIN)
    began = time.monotonic()
    with connection.cursor() as c:
        # Generated rows are consistent by construction: skip the per-row foreign-key triggers (superuser,
        # this session only), which would otherwise take most of the generation at 10 million workers.
        c.execute("SET session_replication_role = replica")
    _registry(employers, n, office.pk)
    report_id = _report(employers, n)
    with connection.cursor() as c:
        c.execute("SET session_replication_role = DEFAULT")
        c.execute("ANALYZE")
    print(f"[compliance] generated in {time.monotonic() - began:.1f}s", flush=True)
    return report_id


def _reused(employers: int, n: int) -> int | None:
    """The report of an earlier run of this size (--reuse), its match runs removed; None if there is none."""
    from django.core.management import call_command
    from django.db import connection

    from cakupan.compliance.models import WorkforceReport

    call_command("migrate", verbosity=0)
    report = WorkforceReport.objects.filter(employers=employers, workers=employers * n).order_by("id").first()
    if report is None:
        return None
    with connection.cursor() as c:
        c.execute("TRUNCATE compliance_finding, compliance_matchrun, compliance_reviewitem CASCADE")
        c.execute("VACUUM ANALYZE compliance_finding")
    print(f"[compliance] reusing report {report.pk} of the bench database", flush=True)
    return report.pk


def _phases_printed() -> None:
    """The match logs the duration of each of its steps at DEBUG: print them as they come."""
    import logging

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("  %(message)ss"))
    log = logging.getLogger("cakupan.compliance.match")
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    log.propagate = False


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024  # Linux: KiB


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compliance")
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL", PG_DEFAULT))
    parser.add_argument("--employers", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=10_000_000)
    parser.add_argument("--import-employers", type=int, default=20_000, help="file import size (0 skips)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the bench database of an earlier run when it holds a report of this size (no generation)",
    )
    args = parser.parse_args()
    if not args.url.startswith("postgres"):
        print("bench.compliance runs on PostgreSQL only", file=sys.stderr)
        return 2
    n = max(1, args.workers // args.employers)
    os.environ["DATABASE_URL"], kept = _prepare_database(args.url, args.reuse)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cakupan.settings")
    import django

    django.setup()
    from cakupan.accounts.models import User
    from cakupan.compliance.models import WorkforceReport
    from cakupan.compliance.services import compliance_match_run

    print(
        f"[compliance] {args.employers:,} reported employers, {args.employers * n:,} reported workers",
        flush=True,
    )
    report_id = _reused(args.employers, n) if kept else _generate(args.employers, n)
    if report_id is None:
        print("the kept bench database holds no report of this size: run without --reuse", file=sys.stderr)
        return 2
    admin = User.objects.get(username="bench-admin")
    _phases_printed()

    began = time.monotonic()
    employers, workers = _join(report_id)
    join = time.monotonic() - began
    print(f"[compliance] plain SQL join: {join:.2f}s ({employers:,} employers, {workers:,} workers matched)")

    report = WorkforceReport.objects.get(pk=report_id)
    began = time.monotonic()
    run = compliance_match_run(actor=admin, report=report)
    match = time.monotonic() - began
    print(f"[compliance] match: {match:.2f}s, {args.employers / match:,.0f} employers/s; counts {run.counts}")
    print(f"[compliance] ratio match / join: {match / join:.1f}x (goal <= 3x)")
    stored = _findings_floor(run.pk)
    print(
        f"[compliance] storing the run's findings alone (COPY into an empty twin, constraints checked): "
        f"{stored:.2f}s; match / (join + that): {match / (join + stored):.1f}x"
    )
    if args.import_employers:
        size = min(args.import_employers, args.employers)
        took = _import(size, n, admin)
        print(
            f"[compliance] file import of {size:,} employers and {size * n:,} workers: {took:.2f}s, "
            f"{size / took:,.0f} employers/s"
        )
    peak = _peak_mb()
    print(f"[compliance] peak memory {peak:,.0f} MB (goal < 2048 MB)")
    return 0 if peak < 2048 else 1


if __name__ == "__main__":
    sys.exit(main())
