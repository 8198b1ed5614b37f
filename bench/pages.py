"""Page benchmark (issue 13): server time of every page and API list, for each role, at two registry sizes.

`python -m bench.pages` (`python -m bench pages`) measures on the national data sets of bench/national.py
(`--sizes 50000,10000000`: `bench_national_50k` and `bench_national`, built first when missing) and
`python -m bench.pages --sqlite-demo` on the SQLite demo database (`cakupan demo load`: `staf_malang`
against `admin`).

What is requested, as each role of the data set (bench/national.py USERNAMES; signed in by the session):
- every URL of the URLconf that takes no argument and answers GET (pages, API lists, home, forms),
  except sign-in and sign-out, language switch, the OpenAPI documents and downloads (.xlsx, .pdf,
  export.*: exports are jobs);
- one detail page per model (page and API): an id the role may see, found by the role's own selector
  (the first row, unordered), or none when the role sees no such row.

How: in process, through Django's test client and the whole middleware stack (server time, no network),
one warm-up request, then `--requests` requests (fewer when the warm-up took over a second: as many as
fit in `--timeout`, at least 3); p50 and p95 by nearest rank. Every query runs under
`statement_timeout = --timeout` (10 s), so a slow page is reported as ">10 s" instead of hanging the run.
403, 404 and 405 are "refused" (not the role's page, not timed); any other status ≥ 400 and any exception
is a failure, reported with its status.

Goals (issue 13): every p95 ≤ 300 ms at 10 M persons; p95(10 M) / p95(50 k) ≤ 1.5 for every page and
role; on the SQLite demo, every page's p95 for staf_malang ≤ 2 × the admin's. The table is printed and
written, with every figure, to bench/results/pages-<time>.json and .md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import logging
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.national import NATIONAL, PG_DEFAULT, USERNAMES, database_url

RESULTS = Path(__file__).resolve().parent / "results"
GOAL_P95_MS = 300.0
GOAL_RATIO = 1.5
GOAL_SQLITE_RATIO = 2.0
SKIPPED_PREFIXES = ("/api/schema/", "/api/docs/", "/api/redoc/", "/i18n/", "/login/", "/logout/")
SKIPPED_SUFFIXES = (".xlsx", ".pdf", ".csv")
REFUSED = (403, 404, 405)
# The query a URL needs to be a page at all (without it: HTTP 400, as it should).
QUERIES = {"/api/v1/coverage/": lambda: {"period": _last_snapshot()}}
# One detail page per model: the URLs that take its id.
DETAILS: dict[str, tuple[str, ...]] = {
    "person": (
        "/persons/{}/",
        "/api/v1/persons/{}/",
        "/api/v1/persons/{}/employments/",
        "/api/v1/persons/{}/memberships/",
    ),
    "employer": ("/employers/{}/", "/api/v1/employers/{}/"),
    "employment": ("/employment/{}/", "/api/v1/employments/{}/"),
    "membership": ("/memberships/{}/", "/api/v1/memberships/{}/"),
    "sponsor": ("/api/v1/sponsors/{}/",),
    "payer account": ("/contributions/accounts/{}/",),
    "bill": ("/contributions/bills/{}/",),
    "claim": ("/benefits/claims/{}/", "/api/v1/claims/{}/"),
}


@dataclass
class Result:
    """One page for one role: `outcome` is ok, refused, failed or timeout."""

    outcome: str
    status: int | None = None
    p50: float | None = None
    p95: float | None = None
    requests: int = 0
    note: str = ""
    times: list[float] = field(default_factory=list)


def _last_snapshot() -> str:
    """The newest month with a coverage snapshot (the API answers only those)."""
    from django.db.models import Max

    from cakupan.coverage.models import CoverageSnapshot

    period = CoverageSnapshot.objects.aggregate(last=Max("period"))["last"]
    return period or (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")


def _paths() -> list[str]:
    """Every URL of the URLconf without arguments, as a path, in URLconf order."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    seen: list[str] = []
    for route in walk(get_resolver().url_patterns, "/"):
        if route.startswith("/admin/") or "<" in route or "(?P" in route or "\\" in route:
            continue
        path = route.replace("^", "").replace("$", "")
        if path.startswith(SKIPPED_PREFIXES) or path.endswith(SKIPPED_SUFFIXES) or "/export." in path:
            continue
        if path not in seen:
            seen.append(path)
    return seen


def _finders() -> dict[str, Callable[[Any], Any]]:
    """For each detail model, the role's own selector (what its list page shows)."""
    from cakupan.benefits.selectors import claim_list
    from cakupan.contributions.selectors_payments import bill_list, payer_accounts
    from cakupan.registry import selectors as registry

    return {
        "person": lambda user: registry.person_list(user=user),
        "employer": lambda user: registry.employer_list(user=user),
        "employment": lambda user: registry.employment_list(user=user),
        "membership": lambda user: registry.membership_list(user=user),
        "sponsor": lambda user: registry.sponsor_list(user=user),
        "payer account": lambda user: payer_accounts(user=user),
        "bill": lambda user: bill_list(user=user),
        "claim": lambda user: claim_list(user=user),
    }


def _detail_paths(user: Any) -> tuple[list[str], list[str]]:
    """The detail URLs of the first row of each model the user sees; and notes on the models skipped."""
    from django.db import OperationalError, connection, transaction

    paths, notes = [], []
    for model, find in _finders().items():
        try:
            with transaction.atomic():
                pk = find(user).order_by().values_list("pk", flat=True).first()
        except OperationalError as exc:
            connection.close()
            notes.append(f"{model}: finding an id failed ({exc.__class__.__name__}: {str(exc).strip()[:80]})")
            continue
        if pk is None:
            notes.append(f"{model}: none in scope")
            continue
        paths += [template.format(pk) for template in DETAILS[model]]
    return paths, notes


def _is_timeout(exc: BaseException) -> bool:
    from psycopg import errors

    while exc is not None:
        if isinstance(exc, errors.QueryCanceled):
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


def _request(client: Any, path: str) -> tuple[int | None, float, BaseException | None]:
    query = QUERIES.get(path)
    began = time.perf_counter()
    try:
        answer = client.get(path, query() if query else None)
    except Exception as exc:
        return None, (time.perf_counter() - began) * 1000, exc
    return answer.status_code, (time.perf_counter() - began) * 1000, None


def _nearest_rank(values: list[float], q: float) -> float:
    """The smallest value with at least a fraction `q` of the values at or below it."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = math.ceil(len(ordered) * q)
    return ordered[max(0, min(len(ordered), rank) - 1)]


def measure(client: Any, path: str, *, requests: int, timeout_s: float) -> Result:
    """One warm-up request, then the timed ones; a page that times out or fails is not repeated."""
    from django.db import connection

    gc.collect()
    status, elapsed, exc = _request(client, path)
    if exc is not None:
        connection.close()
        if _is_timeout(exc):
            return Result("timeout", note=f">{timeout_s:g} s")
        return Result("failed", note=f"{exc.__class__.__name__}: {str(exc).strip()[:160]}")
    assert status is not None
    if status in REFUSED:
        return Result("refused", status=status)
    if status >= 400:
        return Result("failed", status=status, note=f"HTTP {status}")
    count = requests if elapsed < 1000 else max(3, min(requests, int(timeout_s * 1000 / elapsed)))
    times: list[float] = []
    for _ in range(count):
        status, elapsed, exc = _request(client, path)
        if exc is not None or status is None or status >= 400:
            connection.close()
            outcome = "timeout" if exc is not None and _is_timeout(exc) else "failed"
            return Result(outcome, status=status, note=f"after {len(times)} requests: {exc or status}"[:200])
        times.append(elapsed)
    return Result(
        "ok",
        status=status,
        p50=_nearest_rank(times, 0.5),
        p95=_nearest_rank(times, 0.95),
        requests=count,
        times=[round(t, 1) for t in times],
    )


def _setup(url: str | None, timeout_s: float) -> None:
    """Django on `url` (or the settings' default), every connection under the statement timeout."""
    if url:
        os.environ["DATABASE_URL"] = url
    os.environ.pop("CAKUPAN_DEBUG", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cakupan.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db.backends.signals import connection_created

    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    milliseconds = int(timeout_s * 1000)

    def limit(sender: Any, connection: Any, **kwargs: Any) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute(f"SET statement_timeout = {milliseconds}")

    connection_created.connect(limit, weak=False)
    # Refusals, timeouts and failures are all reported in the table; their tracebacks would bury it.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    logging.getLogger("django.security").setLevel(logging.CRITICAL)


def _use(url: str) -> None:
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = urlsplit(url).path.lstrip("/")


def _chosen(path: str, pattern: str) -> bool:
    """`--paths` entries: a prefix, or the whole path when it ends with `$`."""
    return path == pattern[:-1] if pattern.endswith("$") else path.startswith(pattern)


def run_roles(
    usernames: dict[str, str],
    *,
    requests: int,
    timeout_s: float,
    label: str,
    prefixes: tuple[str, ...] = (),
) -> dict[str, dict[str, Result]]:
    """Every page as every role of `usernames` (role -> username) on the current database; only those
    starting with one of `prefixes` when given."""
    from django.test import Client

    from cakupan.accounts.models import User

    paths = _paths()
    out: dict[str, dict[str, Result]] = {}
    for role, username in usernames.items():
        user = User.objects.get(username=username)
        client = Client(raise_request_exception=True)
        client.force_login(user)
        details, notes = _detail_paths(user)
        for note in notes:
            print(f"[pages] {label} {role}: {note}", flush=True)
        out[role] = {}
        began = time.monotonic()
        for path in paths + details:
            if prefixes and not any(_chosen(path, p) for p in prefixes):
                continue
            out[role][path] = measure(client, path, requests=requests, timeout_s=timeout_s)
        slow = sum(1 for r in out[role].values() if r.outcome == "timeout")
        failed = sum(1 for r in out[role].values() if r.outcome == "failed")
        print(
            f"[pages] {label} {role} ({username}): {len(out[role])} URLs in {time.monotonic() - began:.0f}s"
            f"; {slow} over the timeout, {failed} failed",
            flush=True,
        )
    return out


def _cell(r: Result | None) -> str:
    if r is None:
        return "–"
    if r.outcome == "ok":
        return f"{r.p50:.0f} / {r.p95:.0f}"
    if r.outcome == "timeout":
        return r.note
    if r.outcome == "refused":
        return f"({r.status})"
    return f"FAIL {r.status or r.note[:30]}"


def _ratio(big: Result | None, small: Result | None) -> float | None:
    if big is None or small is None or small.outcome != "ok" or not small.p95:
        return None
    if big.outcome == "timeout":
        return float("inf")
    return big.p95 / small.p95 if big.outcome == "ok" and big.p95 is not None else None


def report(results: dict[str, dict[str, dict[str, Result]]], *, ratio_goal: float, p95_goal: bool) -> str:
    """A markdown table per data set (p50 / p95 ms per role), the ratios of the last to the first data
    set, and a summary against the goals."""
    labels = list(results)
    roles = list(next(iter(results.values())))
    lines: list[str] = []
    for label in labels:
        paths = list(dict.fromkeys(p for role in roles for p in results[label].get(role, {})))
        lines += [f"### {label}: p50 / p95 ms", "", "| URL | " + " | ".join(roles) + " |"]
        lines.append("|---" * (len(roles) + 1) + "|")
        for path in paths:
            cells = [_cell(results[label].get(role, {}).get(path)) for role in roles]
            lines.append(f"| `{path}` | " + " | ".join(cells) + " |")
        lines.append("")
    summary: list[str] = []
    big = labels[-1]
    if p95_goal:
        over = [
            (role, path, r)
            for role in roles
            for path, r in results[big][role].items()
            if r.outcome == "timeout" or (r.outcome == "ok" and (r.p95 or 0) > GOAL_P95_MS)
        ]
        timed = sum(
            1 for role in roles for r in results[big][role].values() if r.outcome in ("ok", "timeout")
        )
        summary.append(f"- {big}: {len(over)} of {timed} pages over p95 {GOAL_P95_MS:.0f} ms")
    if len(labels) > 1:
        small = labels[0]
        ratios = {
            (role, path): _ratio(r, results[small][role].get(path))
            for role in roles
            for path, r in results[big][role].items()
        }
        known = {k: v for k, v in ratios.items() if v is not None}
        lines += [f"### ratio of p95, {big} / {small}", "", "| URL | " + " | ".join(roles) + " |"]
        lines.append("|---" * (len(roles) + 1) + "|")
        for path in dict.fromkeys(path for _role, path in ratios):
            cells = []
            for role in roles:
                value = ratios.get((role, path))
                cells.append("–" if value is None else ("∞" if value == float("inf") else f"{value:.2f}"))
            lines.append(f"| `{path}` | " + " | ".join(cells) + " |")
        lines.append("")
        bad = sorted((v, k) for k, v in known.items() if v > ratio_goal)
        worst = max(known.values(), default=0.0)
        summary.append(
            f"- ratio {big} / {small}: {len(bad)} of {len(known)} over {ratio_goal}; worst "
            + ("∞ (timeout)" if worst == float("inf") else f"{worst:.2f}")
        )
    failures = [
        f"{label} {role} `{path}`: {r.status or ''} {r.note}"
        for label in labels
        for role in roles
        for path, r in results[label].get(role, {}).items()
        if r.outcome == "failed"
    ]
    summary.append(f"- failures: {len(failures)}")
    summary += [f"  - {f}" for f in failures]
    return "\n".join(["## Summary", "", *summary, "", *lines])


def _write(results: dict[str, dict[str, dict[str, Result]]], text: str, meta: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / ".gitignore").write_text("*\n")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M")
    data = {
        "meta": meta,
        "results": {
            label: {role: {path: asdict(r) for path, r in pages.items()} for role, pages in roles.items()}
            for label, roles in results.items()
        },
    }
    (RESULTS / f"pages-{stamp}.json").write_text(json.dumps(data, indent=1))
    path = RESULTS / f"pages-{stamp}.md"
    path.write_text(f"# Page benchmark {stamp}\n\n{json.dumps(meta)}\n\n{text}\n")
    return path


def _size_label(persons: int) -> str:
    return database_url(PG_DEFAULT, persons).rsplit("/", 1)[-1]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages")
    parser.add_argument(
        "--url", default=os.environ.get("DATABASE_URL", PG_DEFAULT), help="a PostgreSQL server"
    )
    parser.add_argument("--sizes", default=f"50000,{NATIONAL}", help="persons of each data set, small first")
    parser.add_argument("--roles", default=",".join(USERNAMES), help=f"any of {', '.join(USERNAMES)}")
    parser.add_argument(
        "--paths",
        default="",
        help="only the URLs starting with one of these (comma-separated; ending in $: exactly), details too",
    )
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per query (statement_timeout)")
    parser.add_argument("--sqlite-demo", action="store_true", help="staf_malang vs admin on the SQLite demo")
    args = parser.parse_args()
    meta: dict[str, Any] = {"requests": args.requests, "timeout_s": args.timeout, "paths": args.paths}
    prefixes = tuple(p.strip() for p in args.paths.split(",") if p.strip())
    if args.sqlite_demo:
        _setup(None, args.timeout)
        from django.db import connection

        if connection.vendor != "sqlite":
            print("--sqlite-demo: unset DATABASE_URL (the demo's SQLite database)", file=sys.stderr)
            return 2
        meta["database"] = str(connection.settings_dict["NAME"])
        usernames = {"admin": "admin", "staf_malang": "staf_malang"}
        found = run_roles(
            usernames, requests=args.requests, timeout_s=args.timeout, label="sqlite demo", prefixes=prefixes
        )
        # The ratio table compares the last "data set" to the first: here the branch officer to the admin.
        results = {
            "admin": {"page": found["admin"]},
            "staf_malang": {"page": found["staf_malang"]},
        }
        text = report(results, ratio_goal=GOAL_SQLITE_RATIO, p95_goal=False)
    else:
        if not args.url.startswith("postgres"):
            print("bench.pages runs on PostgreSQL (or --sqlite-demo)", file=sys.stderr)
            return 2
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
        roles = [r for r in args.roles.split(",") if r]
        unknown = set(roles) - set(USERNAMES)
        if unknown:
            parser.error(f"unknown role: {', '.join(sorted(unknown))}")
        for persons in sizes:  # build (or find) each data set first, in its own process
            code = subprocess.call(  # noqa: S603
                [sys.executable, "-m", "bench.national", "--url", args.url, "--persons", str(persons)]
            )
            if code:
                return code
        urls = {_size_label(n): database_url(args.url, n) for n in sizes}
        meta["sizes"] = sizes
        _setup(next(iter(urls.values())), args.timeout)
        results = {}
        for label, url in urls.items():
            _use(url)
            results[label] = run_roles(
                {role: USERNAMES[role] for role in roles},
                requests=args.requests,
                timeout_s=args.timeout,
                label=label,
                prefixes=prefixes,
            )
        text = report(results, ratio_goal=GOAL_RATIO, p95_goal=True)
    path = _write(results, text, meta)
    print(text)
    print(f"[pages] written to {path} and .json", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
