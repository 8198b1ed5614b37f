"""Roster import benchmark: the product's `roster_import` end to end against the floor of a bare COPY.

`python -m bench.rosters --url postgresql://…/test --rows 1000000 --xlsx-rows 200000` works in a database of
its own (`<name>_rosters_bench`, dropped and created here, schema by `migrate`), or `--url sqlite` in
var/bench-rosters.sqlite3. It imports two rosters of N rows, each into a fresh database: a PU roster of an
employer (persons, employment and memberships written) and a BPU roster of a sponsor (persons and
memberships: the tables of the floor exactly). Steps, each in its own process so that peak memory
(ru_maxrss) is the step's:

1. setup: migrate, regions, one employer and one sponsor; a seeded CSV roster of N rows, 5 % of them invalid
   (bad NIKs, dates, sexes, wages or incomes, duplicates);
2. import: `roster_import` of the file (read, validate, merge, report, audit): rows/s, peak memory and
   the seconds per phase (read, validate, stage, decide, each write statement, constraint checks, ...;
   the report is written in parallel with the writes);
3. floor (PostgreSQL): the rows the product stored, copied with COPY into fresh copies of the product's
   person and membership tables (same indexes, checks and foreign keys) in a schema of their own; for the
   PU roster also into person, employment and membership, every table it writes. The ratio product /
   floor. Goals: ratio <= 1.5, the million in < 60 s, peak < 2 GB;
4. xlsx: a 200,000-row XLSX (xlsxwriter): the product's read + validate against fastexcel's bare read
   (goal <= 3x).
"""
# ruff: noqa: S608 - SQL text built from table names of the product's models, no input

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench-rosters"
NPP = "RB000001"
SPONSOR = "Bench sponsor"
DISTRICTS = ("35.73.01", "35.73.02", "35.73.03", "35.73.04", "35.73.05", "35.07.01", "35.07.02", "32.16.01")
HEADER = ["NIK", "Nama Lengkap", "Tgl Lahir", "Jenis Kelamin", "Kode Wilayah", "No HP", "Upah", "Tunjangan"]
# A BPU roster: declared income and sector instead of wage and allowance, in the same columns.
HEADER_BPU = [*HEADER[:6], "Penghasilan", "Sektor"]


# Where a run imports (--database, --template): by default a database of its own, made empty; the
# populated-registry benchmark (bench/populated.py) names another, made as a copy of a populated one.
TARGET = {"database": "", "template": ""}


def _database(url: str) -> str:
    if url == "sqlite":
        return f"sqlite:///{ROOT / 'var' / 'bench-rosters.sqlite3'}"
    parts = urlsplit(url)
    name = TARGET["database"] or parts.path.lstrip("/") + "_rosters_bench"
    return urlunsplit(parts._replace(path="/" + name))


def _recreate(url: str) -> None:
    if url == "sqlite":
        path = ROOT / "var" / "bench-rosters.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    parts = urlsplit(_database(url))
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        template = f' TEMPLATE "{TARGET["template"]}"' if TARGET["template"] else ""
        conn.execute(f'CREATE DATABASE "{name}"{template}')


def _django(url: str) -> None:
    os.environ["DATABASE_URL"] = _database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cakupan.settings")
    os.environ["CAKUPAN_VAR_DIR"] = str(WORK)
    import django

    django.setup()


def roster_rows(n: int, seed: int, segment: str = "PU") -> list[list[str]]:
    """N rows with unique valid NIKs; 5 % of them spoiled in one of five ways (seeded). For BPU the last
    two columns are the declared income and the sector."""
    from cakupan.registry.nik import nik_compose

    rng = random.Random(seed)
    base = dt.date(1970, 1, 1)
    rows = []
    for i in range(n):
        k = i // 9999
        district = DISTRICTS[k % len(DISTRICTS)]
        born = base + dt.timedelta(days=(k // len(DISTRICTS)) * 7 % 12_000)
        sex = "P" if rng.random() < 0.5 else "L"
        nik = nik_compose(district_code=district, birth_date=born, sex=sex, serial=i % 9999 + 1)
        wage = str(rng.randrange(2_000_000, 15_000_000, 1000))
        last = "0" if segment == "PU" else ("transportasi" if i % 3 == 0 else "lainnya")
        rows.append([nik, f"Pekerja {i}", f"{born:%d/%m/%Y}", sex, district, f"08{i:010d}", wage, last])
    for i in rng.sample(range(n), n // 20):
        spoil = i % 5
        if spoil == 0:
            rows[i][0] = rows[i][0][:15]  # too short
        elif spoil == 1:
            rows[i][2] = "31/02/1990"
        elif spoil == 2:
            rows[i][3] = "X"
        elif spoil == 3:
            rows[i][6] = "banyak"
        else:
            rows[i][0] = rows[(i + 1) % n][0]  # a duplicate NIK
            rows[i][2:4] = rows[(i + 1) % n][2:4]
    return rows


def _frame(rows: list[list[str]], header: list[str] = HEADER) -> Any:
    import polars as pl

    return pl.DataFrame(
        {h: [r[c] for r in rows] for c, h in enumerate(header)}, schema=dict.fromkeys(header, pl.Utf8)
    )


def step_setup(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command

    from cakupan.accounts.models import Role, User
    from cakupan.regions.services import branch_office_upsert, regions_load
    from cakupan.registry.models import Employer, Sponsor

    call_command("migrate", verbosity=0)
    regions_load()
    office = branch_office_upsert(code="RBN", name="Bench", seat="35.73", regions=["35.73", "35.07"])
    Employer.objects.create(
        npp=NPP, name="Bench employer", legal_form="PT", size_class="besar", kbli="10750", risk_class=2,
        region_id="35.73.01", branch_office=office,
    )  # fmt: skip
    Sponsor.objects.create(name=SPONSOR, kind=Sponsor.Kind.APBD, region_id="35.73")
    if not User.objects.filter(username="bench").exists():  # a populated copy may have one
        User.objects.create_user(username="bench", password="x", role=Role.NATIONAL_ADMIN)  # noqa: S106
    WORK.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    header = HEADER if args.segment == "PU" else HEADER_BPU
    _frame(roster_rows(args.rows, seed=4, segment=args.segment), header).write_csv(_roster(args))
    return {"generate_s": time.perf_counter() - started}


def _roster(args: argparse.Namespace) -> Path:
    return WORK / f"roster-{args.segment}-{args.rows}.csv"


def step_import(args: argparse.Namespace) -> dict[str, Any]:
    from cakupan.accounts.models import User
    from cakupan.enrolment.services import roster_import
    from cakupan.registry.models import Sponsor

    actor = User.objects.get(username="bench")
    if args.segment == "PU":
        as_ = ("employer", NPP)
    else:
        as_ = ("sponsor", str(Sponsor.objects.get(name=SPONSOR).pk))
    phases: dict[str, float] = {}
    started = time.perf_counter()
    record = roster_import(actor=actor, path_or_file=_roster(args), as_=as_, phases=phases)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "phases": phases,
        "counts": record.counts(),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def step_floor(args: argparse.Namespace) -> dict[str, Any]:
    """The stored rows copied again into empty twins of the product's tables, in schema "floor"."""
    from django.db import connection, transaction

    from bench.twins import copy_out, twins_create
    from cakupan.registry.models import Employment, Membership, Person

    tables = [m._meta.db_table for m in (Person, Employment, Membership)]
    with connection.cursor() as cursor:
        twins_create(cursor, tables)
        data = {table: copy_out(cursor, f"public.{table}") for table in tables}
        cursor.execute(f"SELECT * FROM public.{tables[2]} LIMIT 0")
        columns = ["NULL" if c.name == "employment_id" else c.name for c in cursor.description]
        # Memberships without their employment, for the floor of persons and memberships only.
        data["alone"] = copy_out(cursor, f"(SELECT {', '.join(columns)} FROM public.{tables[2]})")
    timings = {}
    floors = [("person+membership", [tables[0], tables[2]])]
    if args.segment == "PU":
        floors.append(("person+employment+membership", tables))
    for label, chosen in floors:
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"TRUNCATE floor.{table} CASCADE")
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            for table in chosen:
                blob = data["alone"] if table == tables[2] and tables[1] not in chosen else data[table]
                with cursor.copy(f"COPY floor.{table} FROM STDIN") as copy:
                    copy.write(blob)
        timings[label] = time.perf_counter() - started
    return {"floor_s": timings, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def step_xlsx(args: argparse.Namespace) -> dict[str, Any]:
    import fastexcel
    import xlsxwriter
    from django.utils import timezone

    from cakupan.enrolment.readers import map_columns, read_table
    from cakupan.enrolment.services.validate import check_rows

    path = WORK / f"roster-{args.xlsx_rows}.xlsx"
    rows = roster_rows(args.xlsx_rows, seed=5)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Peserta")
    for c, name in enumerate(HEADER):
        sheet.write_string(0, c, name)
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            sheet.write_string(r, c, value)
    book.close()
    content = path.read_bytes()
    started = time.perf_counter()
    fastexcel.read_excel(content).load_sheet(0, dtypes="string").to_polars()
    bare = time.perf_counter() - started
    started = time.perf_counter()
    table = read_table(content, path.name)
    mapping = map_columns(table.frame.columns, required=("nik",))
    checked = check_rows(table.frame, mapping, segment="PU", nik_numeric=False, today=timezone.localdate())
    product = time.perf_counter() - started
    return {"bare_s": bare, "product_s": product, "rejected": int(checked["rejected"].sum())}


STEPS = {"setup": step_setup, "import": step_import, "floor": step_floor, "xlsx": step_xlsx}


def _child(step: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.rosters", "--step", step, "--url", url]
    cmd += ["--rows", str(args.rows), "--xlsx-rows", str(args.xlsx_rows), "--segment", args.segment]
    cmd += ["--database", TARGET["database"], "--template", TARGET["template"]]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)  # noqa: S603
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run(url: str, args: argparse.Namespace, *, floor: bool, xlsx: bool) -> None:
    _recreate(url)
    vendor = "sqlite" if url == "sqlite" else "postgresql"
    setup = _child("setup", url, args)
    vendor = f"{vendor} {args.segment}"
    print(f"[{vendor}] {args.rows:,} rows generated in {setup['generate_s']:.1f} s (5 % invalid, seeded)")
    result = _child("import", url, args)
    seconds = result["seconds"]
    print(
        f"[{vendor}] import end to end (read, validate, merge, report, audit): {seconds:.1f} s, "
        f"{args.rows / seconds:,.0f} rows/s, peak memory (ru_maxrss) {result['peak_mb']:,.0f} MB; "
        f"counts {result['counts']}"
    )
    phases = result["phases"]
    # A phase "in parallel" overlaps the others (the report, written while PostgreSQL writes the rows).
    other = seconds - sum(v for k, v in phases.items() if "parallel" not in k)
    print(
        f"[{vendor}] phases (s): "
        + ", ".join(f"{name} {value:.2f}" for name, value in [*phases.items(), ("other", other)])
    )
    if floor:
        floors = _child("floor", url, args)["floor_s"]
        for label, value in floors.items():
            print(
                f"[{vendor}] floor: COPY of the stored rows into {label}: {value:.1f} s, "
                f"ratio {seconds / value:.2f}x"
            )
        print(
            f"[{vendor}] goals: ratio <= 1.5x (the floor of the tables the roster writes), < 60 s for "
            "1,000,000 rows, peak < 2048 MB"
        )
    if xlsx:
        x = _child("xlsx", url, args)
        print(
            f"[xlsx] {args.xlsx_rows:,} rows: read + validate {x['product_s']:.1f} s, fastexcel bare read "
            f"{x['bare_s']:.1f} s, ratio {x['product_s'] / x['bare_s']:.2f}x (goal <= 3x)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rosters")
    parser.add_argument(
        "--url", default=os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=200_000)
    parser.add_argument("--sqlite-rows", type=int, default=100_000)
    parser.add_argument(
        "--segments", default="PU,BPU", help="the rosters to import, each into a fresh database (PU, BPU)"
    )
    parser.add_argument("--segment", choices=("PU", "BPU"), default="PU", help=argparse.SUPPRESS)
    parser.add_argument("--step", choices=sorted(STEPS))
    parser.add_argument(
        "--database", default="", help="import into this database (default <name>_rosters_bench)"
    )
    parser.add_argument("--template", default="", help="made as a copy of this database (default: empty)")
    args = parser.parse_args()
    TARGET.update(database=args.database, template=args.template)
    if args.step:
        _django(args.url)
        print(json.dumps(STEPS[args.step](args)))
        return 0
    segments = [s.strip().upper() for s in args.segments.split(",") if s.strip()]
    if set(segments) - {"PU", "BPU"}:
        parser.error("--segments takes PU, BPU or both")
    for number, segment in enumerate(segments):
        chosen = argparse.Namespace(**{**vars(args), "segment": segment})
        if args.url.startswith("postgres"):
            run(args.url, chosen, floor=True, xlsx=number == 0 and args.xlsx_rows > 0)
        if args.sqlite_rows:
            sqlite = argparse.Namespace(**{**vars(chosen), "rows": args.sqlite_rows})
            run("sqlite", sqlite, floor=False, xlsx=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
