"""Billing benchmark: the product's `billing_run` against the floor of one INSERT … SELECT.

`python -m bench.billing --url postgresql://…/test --members 1000000` works in a database of its own
(`<name>_bench`, dropped and created here; schema by `migrate`), or `--url sqlite` in var/bench.sqlite3.
It generates N active PU members set-based (INSERT … SELECT over generate_series or a recursive CTE), then
times (a) billing_run for the period: members/s and peak memory (ru_maxrss), and (b) the floor: the same
PU lines (employer part and JKP government part) computed in SQL and inserted with one INSERT … SELECT into
the product's bill-line table (same indexes and constraints) under two fresh bills. It checks that both
produce the same amounts and prints the ratio product / floor. Goals: ratio <= 1.5, >= 11,500 members/s,
peak < 2 GB.
"""
# ruff: noqa: S608 - SQL text built from integers and rule-table constants of this file, no input

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
EMPLOYERS = 2_000


def _prepare_database(url: str) -> str:
    """A fresh database for the bench; returns the DATABASE_URL to use."""
    if url == "sqlite":
        path = ROOT / "var" / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_bench"
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name))


def _series(n: int, vendor: str) -> str:
    if vendor == "postgresql":
        return f"SELECT generate_series(1, {n}) AS i"
    return f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) SELECT i FROM s"


def _pad(expr: str, width: int, vendor: str) -> str:
    if vendor == "postgresql":
        return f"lpad(({expr})::text, {width}, '0')"
    return f"substr('{'0' * width}' || ({expr}), -{width}, {width})"


def _generate(n: int) -> None:
    from django.db import connection

    from cakupan.regions.services import branch_office_upsert, regions_load
    from cakupan.registry.models import Employer

    regions_load()
    office = branch_office_upsert(code="BEN", name="Bench", seat="32.16", regions=["32.16"])
    Employer.objects.bulk_create(
        Employer(
            npp=f"B{i:07d}",
            name=f"Bench employer {i}",
            legal_form="PT",
            size_class="besar",
            kbli="10750",
            risk_class=1 + i % 5,
            region_id="32.16.01",
            branch_office=office,
        )
        for i in range(EMPLOYERS)
    )
    first_employer = Employer.objects.order_by("id").values_list("id", flat=True).first()
    vendor = connection.vendor
    now = "CURRENT_TIMESTAMP"
    series = _series(n, vendor)
    # Wages cluster like real pay (minimum wages, pay scales): 2,000 basic wages in steps of Rp2,500 and
    # four allowance levels; the employer (hence risk class) varies independently.
    with connection.cursor() as c:
        c.execute(
            "INSERT INTO registry_person (nik, full_name, birth_date, sex, phone, address_region_id, "
            "citizenship, nik_warnings, created_at, updated_at) "
            f"SELECT '9' || {_pad('i', 15, vendor)}, 'Bench ' || i, '1990-01-01', 'L', '', "
            f"'32.16.01', 'WNI', '[]', {now}, {now} FROM ({series}) s"
        )
        c.execute(
            "INSERT INTO registry_employment (person_id, employer_id, start_date, end_date, basic_wage, "
            "fixed_allowance, occupation, civil_service, created_at, updated_at) "
            f"SELECT id, {first_employer} + (id * 7) % {EMPLOYERS}, '2024-01-01', NULL, "
            f"2000000 + ((id * 7919) % 2000) * 2500, (id % 4) * 250000, 'other', 'NON_ASN', {now}, {now} "
            "FROM registry_person WHERE full_name LIKE 'Bench %'"
        )
        c.execute(
            "INSERT INTO registry_membership (person_id, kpj, segment, jkk, jkm, jht, jp, jkp, start_date, "
            "end_date, status, payer_kind, employer_id, employment_id, sponsor_id, declared_income, "
            "bpu_sector, created_at, updated_at) "
            f"SELECT person_id, '5' || {_pad('id', 10, vendor)}, 'PU', TRUE, TRUE, TRUE, TRUE, "
            f"TRUE, '2024-01-01', NULL, 'active', 'employer', employer_id, id, NULL, NULL, '', {now}, {now} "
            "FROM registry_employment"
        )
        c.execute("ANALYZE")


def _half_up(expr: str, rate: Decimal) -> str:
    """SQL for round_half_up(expr * rate / 100) in integer arithmetic (exact on both databases)."""
    _sign, digits, exponent = rate.as_tuple()
    assert isinstance(exponent, int)
    numerator = int("".join(map(str, digits))) * (10 ** max(exponent, 0))
    denominator = 100 * 10 ** max(-exponent, 0)
    return f"((2 * ({expr}) * {numerator} + {denominator}) / (2 * {denominator}))"


def _floor_sql(period: str, employer_bill: int, government_bill: int) -> str:
    from cakupan.contributions.services.billing_sql import LINE_COLUMNS
    from cakupan.rules.contributions import contribution_tables
    from cakupan.rules.period import Period

    rules = contribution_tables().for_period(Period.parse(period))
    assert rules.pu_jkk is not None
    assert rules.pu_jkm is not None
    assert rules.pu_jht is not None
    assert rules.pu_jp is not None
    assert rules.jp_wage_cap is not None
    assert rules.pu_jkp is not None
    w = "(e.basic_wage + e.fixed_allowance)"
    jkk = (
        "CASE r.risk_class "
        + " ".join(
            f"WHEN {i + 1} THEN {_half_up(w, rate.value)}" for i, rate in enumerate(rules.pu_jkk.rates)
        )
        + " END"
    )
    jkm = _half_up(w, rules.pu_jkm.employer.value)
    jht_e, jht_w = _half_up(w, rules.pu_jht.employer.value), _half_up(w, rules.pu_jht.worker.value)
    jp_base = (
        f"(CASE WHEN {w} < {rules.jp_wage_cap.cap.value} THEN {w} ELSE {rules.jp_wage_cap.cap.value} END)"
    )
    jp_e, jp_w = _half_up(jp_base, rules.pu_jp.employer.value), _half_up(jp_base, rules.pu_jp.worker.value)
    cap = rules.pu_jkp.wage_cap.value
    jkp = _half_up(f"(CASE WHEN {w} < {cap} THEN {w} ELSE {cap} END)", rules.pu_jkp.government.value)
    source = (
        "FROM registry_membership m JOIN registry_employment e ON e.id = m.employment_id "
        "JOIN registry_employer r ON r.id = m.employer_id WHERE m.status = 'active' AND m.segment = 'PU'"
    )
    employer_part = (
        f"SELECT {employer_bill}, m.id, {w}, {jkk}, {jkm}, {jht_e} + {jht_w}, {jp_e} + {jp_w}, 0, "
        f"{jkk} + {jkm} + {jht_e} + {jp_e}, {jht_w} + {jp_w}, 0, 0, "
        f"{jkk} + {jkm} + {jht_e} + {jht_w} + {jp_e} + {jp_w} {source}"
    )
    government_part = (
        f"SELECT {government_bill}, m.id, {w}, 0, 0, 0, 0, {jkp}, 0, 0, {jkp}, 0, {jkp} {source}"
    )
    return (
        f"INSERT INTO contributions_billline ({', '.join(LINE_COLUMNS)}) "
        f"{employer_part} UNION ALL {government_part}"
    )


def _sums(bill_ids: list[int] | None, period: str) -> tuple[int, ...]:
    from django.db.models import Sum

    from cakupan.contributions.models import PARTY_COLUMNS, PROGRAM_COLUMNS, BillLine

    lines = BillLine.objects.filter(bill__period=period)
    lines = lines.filter(bill_id__in=bill_ids) if bill_ids else lines
    columns = (*PROGRAM_COLUMNS, *PARTY_COLUMNS, "amount")
    sums = lines.aggregate(**{c: Sum(c) for c in columns}, n=Sum(1))
    return tuple(sums[c] or 0 for c in (*columns, "n"))


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.billing")
    parser.add_argument(
        "--url", required=True, help="postgresql://… (a <name>_bench database is used) or sqlite"
    )
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--period", default="2025-04")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = _prepare_database(args.url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cakupan.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from cakupan.contributions.models import Bill, PayerAccount
    from cakupan.contributions.services.billing import billing_run
    from cakupan.registry.models import Sponsor

    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    began = time.monotonic()
    _generate(args.members)
    print(f"[{vendor}] generated {args.members:,} PU members in {time.monotonic() - began:.1f}s", flush=True)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.monotonic()
    run = billing_run(period=args.period)
    product = time.monotonic() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert run.status == "done", run.job.log if run.job else run.status
    product_sums = _sums(None, args.period)

    # The floor: two fresh bills (sponsor accounts made for the bench) and one INSERT … SELECT.
    bills = []
    for name in ("floor employer part", "floor government part"):
        sponsor = Sponsor.objects.create(name=name, kind="donor", region_id="32.16")
        account = PayerAccount.objects.create(
            kind="sponsor", sponsor=sponsor, virtual_account=f"99{sponsor.pk:014d}"
        )
        bills.append(Bill.objects.create(account=account, period=args.period, due_date="2025-05-15"))
    sql = _floor_sql(args.period, bills[0].pk, bills[1].pk)
    began = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    floor = time.monotonic() - began
    floor_sums = _sums([b.pk for b in bills], args.period)
    product_only = tuple(p - f for p, f in zip(_sums(None, args.period), floor_sums, strict=True))
    agree = product_only == product_sums == floor_sums

    n = run.counts["members"]
    print(
        f"[{vendor}] members billed: {n:,}; lines: {run.counts['lines']:,}; skipped: {run.counts['skipped']}"
    )
    print(f"[{vendor}] product billing_run: {product:.2f}s = {n / product:,.0f} members/s")
    print(
        f"[{vendor}] peak memory (ru_maxrss): {peak_mb:,.0f} MB (before the run: {rss_before / 1024:,.0f} MB)"
    )
    print(f"[{vendor}] floor INSERT … SELECT: {floor:.2f}s = {n / floor:,.0f} members/s")
    print(f"[{vendor}] ratio product/floor: {product / floor:.2f} (goal <= 1.5)")
    print(f"[{vendor}] same amounts as the floor: {'yes' if agree else 'NO'}")
    if not agree:
        print(f"  product {product_sums}\n  floor   {floor_sums}", file=sys.stderr)
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
