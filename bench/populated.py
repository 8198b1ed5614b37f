"""Batch jobs inside a populated registry (issue 13, part 5): what deciding, numbering and scoping cost
when the registry already holds a nation, against the same jobs in an empty one.

`python -m bench.populated --template bench_national` (the 10 M-person database `python -m bench national`
builds and keeps) copies the template with CREATE DATABASE … TEMPLATE (the original stays clean), migrates the
copy (this branch's migrations, bill lines partitioned), and times, each step in its own process so that its
peak memory (ru_maxrss of the process, and of its children) is the step's:

1. roster: the 1 M-row PU roster of bench/rosters.py imported into the copy, and into an empty registry
   (a database of its own): seconds, rows/s, peak, and the ratio populated / empty (goal <= 1.5);
2. billing: `billing_run` of every billable membership of the copy for --period: members/s
   (goal >= 11,500), peak, the lines written and the size of the month's partition and its indexes;
3. snapshot: `snapshot_build` of --period over the whole registry;
4. compliance: a workforce report of --compliance-employers registered employers (80 % with their NPP,
   20 % by name only; their employees with a wage, a tenth of them above the registered one, and for a
   third of them a worker the registry does not know), written set-based, then `compliance_match_run`:
   seconds, employers/s, peak.

The copy (`<template>_populated`) is dropped at the end unless --keep. Without the template the benchmark
says so and skips: building the national data set is `python -m bench national`'s work.
"""
# ruff: noqa: S608 - SQL text built from model table names and integers of this file, no input

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench import rosters

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
STEPS = ("roster", "billing", "snapshot", "compliance")


def _url(url: str, database: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + database))


def _admin_connection(url: str) -> Any:
    import psycopg

    return psycopg.connect(_url(url, "postgres"), autocommit=True)


def _exists(url: str, database: str) -> bool:
    with _admin_connection(url) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone() is not None


def _copy(url: str, template: str, database: str, wait: float = 1800) -> float:
    """The copy of the template; waits (up to `wait` s) while someone is still connected to it."""
    began = time.monotonic()
    with _admin_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
        while True:
            busy = conn.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = %s", [template]
            ).fetchone()
            if not busy or not busy[0]:
                break
            if time.monotonic() - began > wait:
                raise SystemExit(f"{template} is still in use after {wait:.0f} s")
            time.sleep(10)
        started = time.monotonic()
        conn.execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
        return time.monotonic() - started


def _drop(url: str, database: str) -> None:
    with _admin_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}"')


def _peaks() -> dict[str, float]:
    return {
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "children_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def _django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cakupan.settings")
    import django

    django.setup()


def step_migrate(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    return {"seconds": time.perf_counter() - started}


def step_billing(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection

    from cakupan.contributions.services.billing import billing_run
    from cakupan.contributions.services.billing_partitions import partition_name
    from cakupan.rules.period import Period

    started = time.perf_counter()
    run = billing_run(period=args.period)
    seconds = time.perf_counter() - started
    name = partition_name(Period.parse(args.period))
    with connection.cursor() as c:
        c.execute("SELECT pg_table_size(%s::regclass), pg_indexes_size(%s::regclass)", [name, name])
        table_bytes, index_bytes = c.fetchone()
    counts = {k: v for k, v in run.counts.items() if k not in ("skipped_examples", "skipped_reasons")}
    return {
        "seconds": seconds,
        "counts": counts,
        "partition": name,
        "partition_mb": table_bytes / 2**20,
        "partition_indexes_mb": index_bytes / 2**20,
        **_peaks(),
    }


def step_snapshot(args: argparse.Namespace) -> dict[str, Any]:
    from cakupan.coverage.services.snapshots import snapshot_build

    started = time.perf_counter()
    result = snapshot_build(period=args.period)
    return {"seconds": time.perf_counter() - started, "result": result, **_peaks()}


def _report(employers: int, period: str) -> int:
    """A workforce report of `employers` registered employers (every k-th by id) and their employees,
    written set-based; returns its id."""
    from django.db import connection, transaction

    from cakupan.compliance.models import ReportedEmployer, ReportedWorker, WorkforceReport
    from cakupan.core.sqlnames import table
    from cakupan.registry.models import Employer, Employment, Person

    reported, workers = table(ReportedEmployer), table(ReportedWorker)
    employer, employment, person = table(Employer), table(Employment), table(Person)
    report = WorkforceReport.objects.create(file_name="bench-populated.csv", employers=employers)
    with transaction.atomic(), connection.cursor() as c:
        c.execute(f"SELECT COUNT(*) FROM {employer}")
        (registered,) = c.fetchone()
        step = max(1, registered // employers)
        # Names are matched by their key (matching.name_key): lower case without the legal form.
        c.execute(
            f"""CREATE TEMP TABLE bench_pick ON COMMIT DROP AS
            SELECT e.id, row_number() OVER (ORDER BY e.id) AS row FROM {employer} e
            WHERE mod(e.id, {step}) = 0 ORDER BY e.id LIMIT {employers}"""
        )
        c.execute(
            f"""INSERT INTO {reported} (report_id, row, nib, npp, name, name_key, address, region_id, period,
                reported_workers, reported_wages, size_class, kbli)
            SELECT {report.pk}, k.row, '', CASE WHEN mod(k.row, 5) = 0 THEN '' ELSE e.npp END, e.name,
                trim(regexp_replace(lower(e.name), '^(pt|cv)[. ]+', '')), '', e.region_id, %s,
                COALESCE(j.n, 0) + CASE WHEN mod(k.row, 3) = 0 THEN 1 ELSE 0 END,
                COALESCE(j.wages, 0) + CASE WHEN mod(k.row, 3) = 0 THEN 3000000 ELSE 0 END,
                e.size_class, e.kbli
            FROM bench_pick k JOIN {employer} e ON e.id = k.id
            LEFT JOIN (SELECT employer_id, COUNT(*) AS n, SUM(basic_wage + fixed_allowance) AS wages
                       FROM {employment} WHERE end_date IS NULL GROUP BY employer_id) j
                ON j.employer_id = e.id""",
            [period],
        )
        c.execute(
            f"""INSERT INTO {workers} (employer_id, nik, name, wage)
            SELECT r.id, p.nik, p.full_name,
                j.basic_wage + j.fixed_allowance + CASE WHEN mod(j.id, 10) = 0 THEN 500000 ELSE 0 END
            FROM {reported} r JOIN bench_pick k ON k.row = r.row
            JOIN {employment} j ON j.employer_id = k.id AND j.end_date IS NULL
            JOIN {person} p ON p.id = j.person_id
            WHERE r.report_id = %s
            UNION ALL SELECT r.id, '9' || lpad(r.id::text, 15, '0'), 'Pekerja baru', 3000000
            FROM {reported} r WHERE r.report_id = %s AND mod(r.row, 3) = 0 ON CONFLICT DO NOTHING""",
            [report.pk, report.pk],
        )
        c.execute(f"SELECT COUNT(*) FROM {workers} w JOIN {reported} r ON r.id = w.employer_id "
                  "WHERE r.report_id = %s", [report.pk])  # fmt: skip
        (listed,) = c.fetchone()
    WorkforceReport.objects.filter(pk=report.pk).update(workers=listed)
    return report.pk


def step_compliance(args: argparse.Namespace) -> dict[str, Any]:
    from cakupan.accounts.models import Role, User
    from cakupan.compliance.models import WorkforceReport
    from cakupan.compliance.services.matching import compliance_match_run

    actor = User.objects.filter(username="bench_populated").first() or User.objects.create_user(
        username="bench_populated",
        password="x",  # noqa: S106
        role=Role.NATIONAL_ADMIN,
    )
    started = time.perf_counter()
    report = WorkforceReport.objects.get(pk=_report(args.compliance_employers, args.period))
    generated = time.perf_counter() - started
    started = time.perf_counter()
    run = compliance_match_run(actor=actor, report=report)
    return {
        "generate_s": generated,
        "seconds": time.perf_counter() - started,
        "employers": report.employers,
        "workers": report.workers,
        "counts": run.counts,
        **_peaks(),
    }


STEP_FUNCTIONS = {
    "migrate": step_migrate,
    "billing": step_billing,
    "snapshot": step_snapshot,
    "compliance": step_compliance,
}


def _child(step: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.populated", "--step", step, "--url", url, "--period", args.period]
    cmd += ["--compliance-employers", str(args.compliance_employers)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=rosters.ROOT)  # noqa: S603
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _roster(url: str, database: str, rows: int, *, empty: bool) -> dict[str, Any]:
    """bench/rosters.py's PU roster imported into `database`: made empty here, or the copy made before."""
    rosters.TARGET.update(database=database, template="")
    args = argparse.Namespace(rows=rows, xlsx_rows=0, segment="PU")
    if empty:
        rosters._recreate(url)
    rosters._child("setup", url, args)  # migrates, and adds the roster's employer
    result = rosters._child("import", url, args)
    return result


def _line(label: str, result: dict[str, Any], size: int, unit: str) -> str:
    seconds = result["seconds"]
    return (
        f"[populated] {label}: {seconds:,.1f} s, {size / seconds:,.0f} {unit}/s, "
        f"peak memory (ru_maxrss) {result['peak_mb']:,.0f} MB"
    )


def run(args: argparse.Namespace) -> int:
    url, template = args.url, args.template
    if not _exists(url, template):
        print(f"[populated] skipped: no database {template} (build it with `python -m bench national`)")
        return 0
    work = f"{template}_populated"
    chosen = set(args.steps.split(","))
    if "roster" in chosen and args.roster_rows:
        empty = _roster(url, f"{template}_roster_empty", args.roster_rows, empty=True)
        _drop(url, f"{template}_roster_empty")
        print(
            _line(
                f"roster {args.roster_rows:,} PU rows into an empty registry", empty, args.roster_rows, "rows"
            )
        )
        copied = _copy(url, template, work)
        print(f"[populated] {template} copied in {copied:,.0f} s")
        full = _roster(url, work, args.roster_rows, empty=False)
        print(_line(f"roster {args.roster_rows:,} PU rows into {template}", full, args.roster_rows, "rows"))
        print(f"[populated] roster counts: empty {empty['counts']}, populated {full['counts']}")
        print(
            f"[populated] roster ratio populated / empty: {full['seconds'] / empty['seconds']:.2f}x "
            "(goal <= 1.5x)"
        )
    else:
        copied = _copy(url, template, work)
        print(f"[populated] {template} copied in {copied:,.0f} s")
        migrated = _child("migrate", _url(url, work), args)
        print(f"[populated] migrated in {migrated['seconds']:,.1f} s")
    target = _url(url, work)
    if "billing" in chosen:
        billed = _child("billing", target, args)
        members = billed["counts"]["members"]
        print(_line(f"billing {args.period}, {members:,} members", billed, members, "members"))
        print(
            f"[populated] billing counts {billed['counts']}; partition {billed['partition']}: "
            f"{billed['partition_mb']:,.0f} MB, indexes {billed['partition_indexes_mb']:,.0f} MB "
            "(goal >= 11,500 members/s)"
        )
    if "snapshot" in chosen:
        snap = _child("snapshot", target, args)
        active = snap["result"]["active"]
        print(_line(f"coverage snapshot {args.period}, {active:,} active", snap, active, "members"))
    if "compliance" in chosen and args.compliance_employers:
        matched = _child("compliance", target, args)
        print(
            _line(
                f"compliance match, {matched['employers']:,} employers, "
                f"{matched['workers']:,} listed workers",
                matched,
                matched["employers"],
                "employers",
            )
            + f" (report written in {matched['generate_s']:,.0f} s); counts {matched['counts']}"
        )
    if not args.keep:
        _drop(url, work)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.populated")
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL", PG_DEFAULT))
    parser.add_argument("--template", default="bench_national")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"any of {', '.join(STEPS)}")
    parser.add_argument("--roster-rows", type=int, default=1_000_000)
    parser.add_argument("--period", default="2025-04")
    parser.add_argument("--compliance-employers", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the populated copy")
    parser.add_argument("--step", choices=sorted(STEP_FUNCTIONS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        _django(args.url)
        print(json.dumps(STEP_FUNCTIONS[args.step](args), default=str))
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
