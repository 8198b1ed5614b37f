"""Field sync benchmark (issue 17), PostgreSQL, databases of its own (<db>_bench_field*), dropped first.

1. ratio: the same N BPU rows (bench.rosters' generator: 5 % spoiled) imported once as a sponsor's roster
   (`roster_import`) and once as one agent's sync batch (`batch_sync`, each item through the registry
   services in a savepoint), each in a fresh copy of the same migrated database, in the same run. Goal of
   the issue: the batch at most 2x the roster import.
2. load: `cakupan serve` on loopback; D devices (one approved agent each, token auth) each POST one batch of
   I items (three quarters enrolments, a quarter collections of those members) at once from a thread pool,
   then a tenth of the batches sent again (a phone that lost the answer). Checked in the database after:
   every item stored exactly once, no person or collection twice. Requests/s and p95 of the first round.

`python -m bench.field --url postgresql://…/test --rows 10000 --devices 500 --items 20` (0 skips a part).
"""
# ruff: noqa: S603 - SQL text from this module's constants; our own loopback server and scripts

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.load import BIN, _free_port, _stop, _wait_until_up

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench-field"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
REGIONS = ["35.73", "35.07", "32.16"]  # every district bench.rosters' generator uses
SPONSOR = "Bench field sponsor"


def _named(url: str, suffix: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{parts.path.lstrip('/')}_bench_field{suffix}"))


def _create(url: str, template: str | None = None) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        copy = f' TEMPLATE "{urlsplit(template).path.lstrip("/")}"' if template else ""
        conn.execute(f'CREATE DATABASE "{name}"{copy}')


def _django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cakupan.settings")
    os.environ["CAKUPAN_VAR_DIR"] = str(WORK)
    import django

    django.setup()


def _step(step: str, url: str, *args: object) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.field", "--step", step, "--url", url, *map(str, args)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


# --- steps (each in its own process: one database per Django process) ------------------------------------


def step_setup(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command

    from cakupan.accounts.models import Role, User
    from cakupan.field.models import Agent
    from cakupan.regions.services import branch_office_upsert, regions_load
    from cakupan.registry.models import Sponsor

    call_command("migrate", verbosity=0)
    regions_load()
    office = branch_office_upsert(code="FLD", name="Bench field", seat="35.73", regions=REGIONS)
    Sponsor.objects.create(name=SPONSOR, kind=Sponsor.Kind.APBD, region_id="35.73")
    User.objects.create_user(username="bench", password="x", role=Role.NATIONAL_ADMIN)  # noqa: S106
    agent = User.objects.create_user(
        username="agen_bench",
        password="x",  # noqa: S106 - a bench user that never signs in
        role=Role.AGENT,
        branch_office=office,
    )
    Agent.objects.create(user=agent, branch_office=office, regions=REGIONS, status=Agent.Status.APPROVED)
    return {"office": office.pk}


def _rows(n: int) -> list[list[str]]:
    from bench.rosters import roster_rows

    return roster_rows(n, seed=4, segment="BPU")


def _item(row: list[str]) -> dict[str, Any]:
    """A roster row as the phone would send it (the same values; a spoiled one stays spoiled)."""
    nik, name, born, sex, district, phone, income, sector = row
    day, month, year = [*born.split("/"), "", "", ""][:3]
    return {
        "client_id": str(uuid.uuid4()),
        "kind": "enrolment",
        "nik": nik,
        "full_name": name,
        "birth_date": f"{year}-{month}-{day}",
        "sex": sex,
        "phone": phone,
        "address_region": district,
        "occupation": "pedagang",
        "declared_income": int(income) if income.isdigit() else income,
        "programs": ["JKK", "JKM"],
        "bpu_sector": "transport" if sector == "transportasi" else "other",
        "consent": True,
    }


def step_roster(args: argparse.Namespace) -> dict[str, Any]:
    import polars as pl

    from bench.rosters import HEADER_BPU
    from cakupan.accounts.models import User
    from cakupan.enrolment.services import roster_import
    from cakupan.registry.models import Membership, Sponsor

    rows = _rows(args.rows)
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / "roster.csv"
    pl.DataFrame(
        {h: [r[c] for r in rows] for c, h in enumerate(HEADER_BPU)}, schema=dict.fromkeys(HEADER_BPU, pl.Utf8)
    ).write_csv(path)
    sponsor = Sponsor.objects.get(name=SPONSOR)
    started = time.perf_counter()
    record = roster_import(
        actor=User.objects.get(username="bench"), path_or_file=path, as_=("sponsor", sponsor.pk)
    )
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "imported": record.imported,
        "rejected": record.rejected,
        "memberships": Membership.objects.count(),
    }


def step_sync(args: argparse.Namespace) -> dict[str, Any]:
    from cakupan.accounts.models import User
    from cakupan.field.services.sync import batch_sync
    from cakupan.registry.models import Membership

    items = [_item(r) for r in _rows(args.rows)]
    agent = User.objects.get(username="agen_bench")
    started = time.perf_counter()
    result = batch_sync(actor=agent, device="bench", items=items)
    seconds = time.perf_counter() - started
    again = time.perf_counter()
    second = batch_sync(actor=agent, device="bench", items=items)
    resend = time.perf_counter() - again
    return {
        "seconds": seconds,
        "accepted": result.accepted,
        "rejected": len(result.rejected),
        "memberships": Membership.objects.count(),
        "resend_seconds": resend,
        "resend_duplicates": second.duplicates,
    }


def step_load_setup(args: argparse.Namespace) -> dict[str, Any]:
    """D approved agents with a token each (bulk: no password hashing), their batches written to a file."""
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    from cakupan.accounts.models import Role, User
    from cakupan.field.models import Agent
    from cakupan.regions.models import BranchOffice
    from cakupan.registry.nik import nik_compose

    office = BranchOffice.objects.get(code="FLD")
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(username=f"agen_{d:04d}", password=password, role=Role.AGENT, branch_office=office)
            for d in range(args.devices)
        ]
    )
    Agent.objects.bulk_create(
        [Agent(user=u, branch_office=office, regions=REGIONS, status=Agent.Status.APPROVED) for u in users]
    )
    tokens = Token.objects.bulk_create([Token(user=u, key=Token.generate_key()) for u in users])
    enrol = args.items * 3 // 4
    batches = []
    serial = 0
    for d, token in enumerate(tokens):
        items = []
        for k in range(enrol):
            serial += 1
            born = dt.date(1970 + serial % 30, 1 + serial % 12, 1 + serial % 28)
            sex = "LP"[serial % 2]
            district = ("35.07.01", "35.73.01", "32.16.01")[serial % 3]
            nik = nik_compose(district_code=district, birth_date=born, sex=sex, serial=1 + serial // 3 % 9999)
            items.append(
                {
                    "client_id": str(uuid.uuid4()),
                    "kind": "enrolment",
                    "nik": nik,
                    "full_name": f"Warga {d} {k}",
                    "birth_date": born.isoformat(),
                    "sex": sex,
                    "phone": "081234567890",
                    "address_region": district,
                    "occupation": "nelayan",
                    "declared_income": 1_000_000,
                    "programs": ["JKK", "JKM"],
                    "consent": True,
                }
            )
        for k in range(args.items - enrol):
            items.append(
                {
                    "client_id": str(uuid.uuid4()),
                    "kind": "collection",
                    "nik": items[k % enrol]["nik"],
                    "amount": 16_800,
                    "months": 1,
                    "receipt": f"KW-{d}-{k}",
                    "collected_at": dt.datetime.now(dt.UTC).isoformat(),
                }
            )
        batches.append({"token": token.key, "body": {"device": f"hp-{d}", "items": items}})
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "batches.json").write_text(json.dumps(batches))
    return {"agents": len(users), "items": sum(len(b["body"]["items"]) for b in batches)}


def step_load_check(args: argparse.Namespace) -> dict[str, Any]:
    from django.db.models import Count

    from cakupan.field.models import Collection, SyncItem
    from cakupan.registry.models import Membership, Person

    twice = (
        SyncItem.objects.values("agent", "client_id").annotate(n=Count("id")).filter(n__gt=1).count()
        + Person.objects.values("nik").annotate(n=Count("id")).filter(n__gt=1).count()
        + Collection.objects.values("agent", "receipt").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    return {
        "items": SyncItem.objects.filter(agent__user__username__startswith="agen_0").count(),
        "accepted": SyncItem.objects.filter(
            agent__user__username__startswith="agen_0", outcome="accepted"
        ).count(),
        "memberships": Membership.objects.count(),
        "collections": Collection.objects.count(),
        "stored_twice": twice,
    }


STEPS = {
    "setup": step_setup,
    "roster": step_roster,
    "sync": step_sync,
    "load-setup": step_load_setup,
    "load-check": step_load_check,
}


# --- the load round --------------------------------------------------------------------------------------


def _post(base: str, batch: dict[str, Any]) -> tuple[float, int, dict[str, Any]]:
    data = json.dumps(batch["body"]).encode()
    request = urllib.request.Request(  # noqa: S310 - our own loopback server
        f"{base}/api/v1/field/batches/",
        data=data,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Token {batch['token']}"},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 - loopback
            body = json.loads(response.read())
            status = response.status
    except urllib.error.HTTPError as exc:
        body, status = {}, exc.code
    return time.perf_counter() - started, status, body


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)] if ordered else 0.0


def load_round(url: str, args: argparse.Namespace) -> dict[str, Any]:
    setup = _step("load-setup", url, "--devices", args.devices, "--items", args.items)
    batches = json.loads((WORK / "batches.json").read_text())
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CAKUPAN_SECRET_KEY": secrets.token_urlsafe(50),
        "CAKUPAN_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    env.pop("CAKUPAN_DEBUG", None)
    serve = [str(BIN / "cakupan"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if args.workers:
        serve += ["--workers", str(args.workers)]
    WORK.mkdir(parents=True, exist_ok=True)
    with (WORK / "server.log").open("wb") as log:
        server = subprocess.Popen(
            serve, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            _wait_until_up(base, server, 300)
            began = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                first = list(pool.map(lambda b: _post(base, b), batches))
            took = time.perf_counter() - began
            # A phone whose batch failed (timeout, 503) sends it again until it is answered, as the app
            # does; then a tenth of all batches once more, as a phone that lost a 200 answer would.
            retried = 0
            failed_batches = [b for b, (_s, status, _b) in zip(batches, first, strict=True) if status != 200]
            for _round in range(5):
                if not failed_batches:
                    break
                retried += len(failed_batches)
                with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                    answers = list(pool.map(lambda b: _post(base, b), failed_batches))
                failed_batches = [
                    b for b, (_s, status, _b) in zip(failed_batches, answers, strict=True) if status != 200
                ]
            with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                again = list(pool.map(lambda b: _post(base, b), batches[::10]))
        finally:
            _stop(server)
    check = _step("load-check", url)
    failed = sum(1 for _s, status, _b in first if status != 200)
    return {
        **setup,
        "seconds": took,
        "requests_per_s": len(first) / took,
        "items_per_s": setup["items"] / took,
        "p50_ms": 1000 * sorted(s for s, _st, _b in first)[len(first) // 2],
        "p95_ms": 1000 * _p95([s for s, _st, _b in first]),
        "failed_requests": failed,
        "retried_batches": retried,
        "still_failing": len(failed_batches),
        "accepted_answers": sum(b.get("accepted", 0) for _s, _st, b in first),
        "resent_batches": len(again),
        "resent_statuses": sorted({st for _s, st, _b in again}),
        "resent_duplicates": sum(b.get("duplicates", 0) for _s, _st, b in again),
        "resent_accepted": sum(b.get("accepted", 0) for _s, _st, b in again),
        **{f"db_{k}": v for k, v in check.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.field")
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL", PG_DEFAULT))
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--devices", type=int, default=500)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=50, help="batches in flight at once")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: what cakupan serve picks)")
    parser.add_argument("--step", choices=sorted(STEPS))
    args = parser.parse_args()
    if args.step:
        _django(args.url)
        print(json.dumps(STEPS[args.step](args)))
        return 0
    if not args.url.startswith("postgres"):
        print("bench.field runs on PostgreSQL only", file=sys.stderr)
        return 2
    base = _named(args.url, "")
    _create(base)
    _step("setup", base)
    if args.rows:
        roster_db, sync_db = _named(args.url, "_roster"), _named(args.url, "_sync")
        _create(roster_db, template=base)
        _create(sync_db, template=base)
        roster = _step("roster", roster_db, "--rows", args.rows)
        sync = _step("sync", sync_db, "--rows", args.rows)
        ratio = sync["seconds"] / roster["seconds"]
        print(f"[field] {args.rows:,} rows: roster import {json.dumps(roster)}", flush=True)
        print(f"[field] {args.rows:,} rows: sync batch {json.dumps(sync)}", flush=True)
        print(f"[field] ratio sync / roster {ratio:.2f} (goal <= 2)", flush=True)
    if args.devices and args.items:
        load_db = _named(args.url, "_load")
        _create(load_db, template=base)
        result = load_round(load_db, args)
        print(f"[field] load: {json.dumps(result)}", flush=True)
        expected = result["items"]
        ok = (
            result["db_items"] == expected
            and result["db_stored_twice"] == 0
            and result["resent_accepted"] == 0
        )
        print(f"[field] load: every item stored once: {'yes' if ok else 'NO'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
