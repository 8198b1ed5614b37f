"""`python -m bench [NAME ...]` (`make bench`): the benchmarks, each in its own process and database.

billing (issue 3), rosters (issue 4), coverage (issue 6), compliance (issue 7); none named runs all.
national, populated, pages and load (issue 13): the national data set (kept in `bench_national`, built when
missing); the roster import, billing, snapshot and compliance match inside a copy of it
(--populated-template); the page benchmark on it and a 50,000-person one; the load test against
`cakupan serve` on it.
PostgreSQL comes from DATABASE_URL (default: the `test` database every development and CI machine has);
each benchmark creates and drops a database of its own named after it, so nothing else is touched.
Sizes: --members (billing, PostgreSQL), --sqlite-members (billing on SQLite; 0 skips),
--roster-rows, --coverage-members, --compliance-employers (10 reported workers each); 0 skips one;
--national-persons, --page-requests, --load-users, --load-minutes (0 users skips the load test).
field (issue 17): one agent's sync batch of --field-rows against the roster import of the same rows, and
--field-devices phones sending --field-items each at once to `cakupan serve` (bench/field.py).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
NAMES = ("billing", "rosters", "coverage", "compliance", "national", "populated", "pages", "load", "field")


def _run(module: str, *args: object) -> int:
    return subprocess.call([sys.executable, "-m", f"bench.{module}", *map(str, args)])  # noqa: S603


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"any of {', '.join(NAMES)} (default: all)")
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--sqlite-members", type=int, default=100_000)
    parser.add_argument("--period", default="2025-04")
    parser.add_argument("--roster-rows", type=int, default=1_000_000)
    parser.add_argument("--coverage-members", type=int, default=5_000_000)
    parser.add_argument("--compliance-employers", type=int, default=1_000_000)
    parser.add_argument("--national-persons", type=int, default=10_000_000)
    parser.add_argument(
        "--small-persons", type=int, default=50_000, help="the page benchmark's small data set"
    )
    parser.add_argument("--page-requests", type=int, default=20)
    parser.add_argument("--load-users", type=int, default=200)
    parser.add_argument("--load-minutes", type=float, default=10)
    parser.add_argument(
        "--populated-template", default="bench_national", help="the populated registry to copy"
    )
    parser.add_argument("--field-rows", type=int, default=10_000, help="the field sync batch (issue 17)")
    parser.add_argument("--field-devices", type=int, default=500)
    parser.add_argument("--field-items", type=int, default=20)
    args = parser.parse_args()
    unknown = set(args.names) - set(NAMES)
    if unknown:
        parser.error(f"unknown benchmark: {', '.join(sorted(unknown))}")
    chosen = set(args.names or NAMES)
    url = os.environ.get("DATABASE_URL", PG_DEFAULT)
    if not url.startswith("postgres"):
        parser.error("DATABASE_URL must name a PostgreSQL server: the benchmarks measure the production path")
    code = 0
    if "billing" in chosen:
        if args.members:
            code |= _run("billing", "--period", args.period, "--url", url, "--members", args.members)
        if args.sqlite_members:
            code |= _run(
                "billing", "--period", args.period, "--url", "sqlite", "--members", args.sqlite_members
            )
    if "rosters" in chosen and args.roster_rows:
        code |= _run("rosters", "--url", url, "--rows", args.roster_rows)
    if "coverage" in chosen and args.coverage_members:
        code |= _run("coverage", "--url", url, "--members", args.coverage_members)
    if "compliance" in chosen and args.compliance_employers:
        n = args.compliance_employers
        code |= _run("compliance", "--url", url, "--employers", n, "--workers", 10 * n)
    national = args.national_persons
    if "national" in chosen and national:
        code |= _run("national", "--url", url, "--persons", national)
    if "populated" in chosen:
        code |= _run(
            "populated", "--url", url, "--template", args.populated_template, "--period", args.period
        )
    if "pages" in chosen and national:
        sizes = f"{args.small_persons},{national}"
        code |= _run("pages", "--url", url, "--sizes", sizes, "--requests", args.page_requests)
    if "load" in chosen and national and args.load_users:
        code |= _run(
            "load",
            "--url",
            url,
            "--persons",
            national,
            "--users",
            args.load_users,
            "--minutes",
            args.load_minutes,
        )
    if "field" in chosen and (args.field_rows or args.field_devices):
        code |= _run(
            "field",
            "--url",
            url,
            "--rows",
            args.field_rows,
            "--devices",
            args.field_devices,
            "--items",
            args.field_items,
        )
    return code


if __name__ == "__main__":
    sys.exit(main())
