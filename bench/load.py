"""Load test (issue 13): `cakupan serve` on loopback under a mix of every role's pages and API calls.

`python -m bench.load --persons 10000000 --users 200 --minutes 10` (`python -m bench load`; a short try:
`--persons 50000 --users 20 --minutes 1`) starts `cakupan serve` on 127.0.0.1 and a free port against the
national data set of that size (bench/national.py, built first when missing), with the worker count
`cakupan serve` chooses unless --workers is given, and runs Locust headless against it
(bench/locustfile.py: each user signs in through the login form as one role and opens that role's pages
and API lists with 1–5 s between requests). It prints requests/s, the error count and p50/p95/p99 (ms),
overall and per page, and once more for pages and API calls alone (the sign-ins, a deliberately slow
password hash each, once per user, are in Locust's totals but are not what a page costs), and writes
Locust's CSV and the server's log under bench/results/. Goals (issue 13, at 10 M persons, 200 users for 10
minutes): 0 errors, p95 under 1 s.

Locust, not a client of our own: it is the established tool, its FastHttpUser (gevent) keeps 200 users in
one process at a small CPU cost beside the server on two cores, and its percentiles and CSV are the ones
people know how to read.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.national import NATIONAL, PG_DEFAULT, database_url

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
BIN = Path(sys.executable).parent
GOAL_P95_MS = 1000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"cakupan serve stopped with exit code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/login/", timeout=5):  # noqa: S310 - our own loopback URL
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise RuntimeError(f"cakupan serve did not answer on {url} within {seconds:.0f}s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's own process group (the wrapper and its gunicorn), then SIGKILL after 30 s."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def _summary(stats_csv: Path) -> list[dict[str, str]]:
    with stats_csv.open(newline="") as f:
        return list(csv.DictReader(f))


def _verdict(*, errors: float, p95: float) -> str:
    """The issue's load goal, judged in one place: no error and p95 under GOAL_P95_MS."""
    return "met" if errors == 0 and p95 < GOAL_P95_MS else "NOT met"


def _print(rows: list[dict[str, str]], seconds: float) -> dict[str, float]:
    print(f"{'page':<42} {'requests':>9} {'errors':>7} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7}")
    total: dict[str, float] = {}
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        name = row["Name"]
        print(
            f"{name[:42]:<42} {row['Request Count']:>9} {row['Failure Count']:>7} "
            f"{float(row['Requests/s']):7.2f} {row['50%']:>7} {row['95%']:>7} {row['99%']:>7}"
        )
        if name == "Aggregated":
            total = {
                "requests": float(row["Request Count"]),
                "errors": float(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"]),
                "p95": float(row["95%"]),
                "p99": float(row["99%"]),
            }
    if total:
        verdict = _verdict(errors=total["errors"], p95=total["p95"])
        print(
            f"[load] {total['requests']:.0f} requests in {seconds:.0f}s: {total['rps']:.1f}/s, "
            f"{total['errors']:.0f} errors, p50 {total['p50']:.0f} ms, p95 {total['p95']:.0f} ms, "
            f"p99 {total['p99']:.0f} ms (goal: 0 errors and p95 < {GOAL_P95_MS} ms: {verdict})",
            flush=True,
        )
    return total


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument(
        "--url", default=os.environ.get("DATABASE_URL", PG_DEFAULT), help="a PostgreSQL server"
    )
    parser.add_argument("--persons", type=int, default=NATIONAL, help="size of the national data set")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: what cakupan serve picks)")
    args = parser.parse_args()
    if not args.url.startswith("postgres"):
        print("bench.load runs on PostgreSQL only", file=sys.stderr)
        return 2
    code = subprocess.call(  # noqa: S603
        [sys.executable, "-m", "bench.national", "--url", args.url, "--persons", str(args.persons)]
    )
    if code:
        return code
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / ".gitignore").write_text("*\n")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M")
    label = database_url(args.url, args.persons).rsplit("/", 1)[-1]
    prefix = RESULTS / f"load-{label}-{args.users}u-{stamp}"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(args.url, args.persons),
        "CAKUPAN_SECRET_KEY": secrets.token_urlsafe(50),
        "CAKUPAN_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    env.pop("CAKUPAN_DEBUG", None)
    env.pop("CAKUPAN_DEMO", None)
    serve = [str(BIN / "cakupan"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if args.workers:
        serve += ["--workers", str(args.workers)]
    log = Path(f"{prefix}-server.log").open("wb")  # noqa: SIM115 - closed in the finally below
    locust_log = Path(f"{prefix}-locust.log").open("wb")  # noqa: SIM115
    # Its own process group, so that stopping it also stops gunicorn and its workers.
    server = subprocess.Popen(serve, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # noqa: S603
    try:
        _wait_until_up(base, server)
        print(
            f"[load] {label}: {args.users} users for {args.minutes:g} min against {base} "
            f"(server log {log.name})",
            flush=True,
        )
        began = time.monotonic()
        subprocess.call(  # noqa: S603 - Locust exits 1 when any request failed; the figures say so
            [
                str(BIN / "locust"),
                "-f",
                str(HERE / "locustfile.py"),
                "--headless",
                "--host",
                base,
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{max(1, round(args.minutes * 60))}s",
                "--stop-timeout",
                "10",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=HERE.parent,
            env={
                **os.environ,
                "PYTHONPATH": str(HERE.parent),
                "BENCH_LOAD_PAGES_JSON": f"{prefix}-pages.json",
            },
            stdout=locust_log,
            stderr=subprocess.STDOUT,
        )
        took = time.monotonic() - began
    finally:
        _stop(server)
        log.close()
        locust_log.close()
    total = _print(_summary(Path(f"{prefix}_stats.csv")), took)
    pages_json = Path(f"{prefix}-pages.json")
    if pages_json.exists():
        pages = json.loads(pages_json.read_text())
        verdict = _verdict(errors=pages["errors"], p95=pages["p95"])
        print(
            f"[load] pages and API calls without sign-in: {pages['requests']} requests, "
            f"{pages['requests'] / took:.1f}/s, {pages['errors']} errors, p50 {pages['p50']:.0f} ms, "
            f"p95 {pages['p95']:.0f} ms, p99 {pages['p99']:.0f} ms (goal: {verdict})",
            flush=True,
        )
        for error in pages["first_errors"]:
            print(f"  {error}")
    return 0 if total else 1


if __name__ == "__main__":
    sys.exit(main())
