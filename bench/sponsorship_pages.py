"""`python -m bench.sponsorship_pages [--villages N] [--members M] [--requests R]` (issue 15): the runway and
arrears pages of a regency whose N villages (default 500, of Kab. Aceh Utara, 11.08: 852 villages) each
sponsor M members (default 3) from their village fund, with a funded period each, six months billed and
two villages in three in arrears. Timed in process through Django's test client and the whole middleware
stack (server time, as bench/pages.py), as the regency's branch staff: the sponsors' list (runway of each
listed sponsor), the regency's village arrears page, one village's page (runway, endings, retention) and
the runway API. p50 and p95 by nearest rank; goal (issue 15) p95 < 300 ms. PostgreSQL, a database of its
own (<db>_bench_sponsorship_pages), dropped first.
"""
# ruff: noqa: S106 - SQL text from this module's constants and generated integers; a bench user

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from urllib.parse import urlsplit, urlunsplit

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
REGENCY = "11.08"


def _prepare_database(url: str) -> str:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_bench_sponsorship_pages"
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name))


def _build(villages: int, members: int, months: list[str], last: str) -> tuple[object, object]:
    from django.db import connection, transaction
    from lokal import wilayah

    from cakupan.accounts.models import User
    from cakupan.contributions.models import Bill, PayerAccount
    from cakupan.contributions.services.billing import billing_run
    from cakupan.contributions.services.payments import payment_record
    from cakupan.regions.services import branch_office_upsert
    from cakupan.registry.services.scope_keys import scope_keys_rebuild
    from cakupan.sponsorship.services.funding import funded_period_create
    from cakupan.sponsorship.services.villages import village_sponsor_register

    office = branch_office_upsert(
        code="LSK", name="Kantor Cabang Lhokseumawe", seat="11.73", regions=[REGENCY]
    )
    admin = User.objects.create_user(username="bench", password="x", role="national_admin")
    staff = User.objects.create_user(username="staf", password="x", role="branch_staff", branch_office=office)
    codes = [v.code for d in wilayah.list_wilayah(REGENCY) for v in wilayah.list_wilayah(d.code)][:villages]
    sponsors = []
    for code in codes:
        sponsor = village_sponsor_register(actor=admin, village=code)
        funded_period_create(
            actor=admin,
            sponsor=sponsor,
            source="apbdes",
            document=f"APBDes {code}",
            amount=members * 16_800 * 12,
            first_month=months[0],
            last_month=last,
            declared_income=1_000_000,
            member_cap=members + 2,
        )
        sponsors.append(sponsor)
    start = dt.date.fromisoformat(months[0] + "-01")
    with transaction.atomic(), connection.cursor() as c:
        for index, sponsor in enumerate(sponsors):
            district = sponsor.region_id  # the village's district, 11.08.xx
            c.execute(
                "WITH p AS (INSERT INTO registry_person (nik, full_name, birth_date, sex, phone, "
                "address_region_id, citizenship, nik_warnings, created_at, updated_at) "
                "SELECT replace(%s, '.', '') || '010190' || lpad((%s * 10 + i)::text, 4, '0'), "
                "'Warga Desa ' || i, DATE '1990-01-01', 'L', '', %s, 'WNI', '[]'::jsonb, now(), now() "
                "FROM generate_series(1, %s) i RETURNING id) "
                "INSERT INTO registry_membership (person_id, kpj, segment, jkk, jkm, jht, jp, jkp, "
                "start_date, status, payer_kind, sponsor_id, declared_income, bpu_sector, created_at, "
                "updated_at) "
                "SELECT p.id, lpad(p.id::text, 11, '0'), 'BPU', TRUE, TRUE, FALSE, FALSE, FALSE, %s, "
                "'active', 'sponsor', %s, 1000000, 'other', now(), now() FROM p",
                [district, index, district, members, start, sponsor.pk],
            )
    scope_keys_rebuild()
    for month in months:
        billing_run(period=month)
    for index, sponsor in enumerate(sponsors):
        if index % 3:
            continue  # two in three stay in arrears
        account = PayerAccount.objects.get(kind="sponsor", sponsor=sponsor)
        due = sum(Bill.objects.filter(account=account).values_list("amount_due", flat=True))
        payment_record(
            actor=admin,
            account=account,
            amount=due,
            paid_on=dt.date.today(),
            reference=f"SP2D-{index}",
            source="page",
        )
    with connection.cursor() as c:
        c.execute("ANALYZE")
    return staff, sponsors[0]


def _measure(client: object, path: str, requests: int) -> tuple[int, float, float]:
    times = []
    status = client.get(path).status_code  # type: ignore[attr-defined]
    for _ in range(requests):
        began = time.perf_counter()
        client.get(path)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - began) * 1000)
    times.sort()

    def rank(q: float) -> float:
        return times[max(0, min(len(times) - 1, int(-(-q * len(times) // 1)) - 1))]

    return status, rank(0.5), rank(0.95)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sponsorship_pages")
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL", PG_DEFAULT))
    parser.add_argument("--villages", type=int, default=500)
    parser.add_argument("--members", type=int, default=3)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    if not args.url.startswith("postgres"):
        print("bench.sponsorship_pages runs on PostgreSQL only", file=sys.stderr)
        return 2
    os.environ["DATABASE_URL"] = _prepare_database(args.url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cakupan.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from cakupan.regions.services import regions_load
    from cakupan.rules.period import Period

    call_command("migrate", verbosity=0)
    regions_load()
    now = Period.of(dt.date.today())
    months = [str(now.shift(-k)) for k in range(5, -1, -1)]
    started = time.perf_counter()
    staff, village = _build(args.villages, args.members, months, str(now.shift(6)))
    print(
        f"[sponsorship pages] {args.villages} villages of {REGENCY} x {args.members} members, "
        f"{len(months)} months billed: built in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(staff)
    pk = village.pk  # type: ignore[attr-defined]
    for path in (
        "/sponsorship/",
        f"/sponsorship/villages/{REGENCY}/",
        f"/sponsorship/{pk}/",
        f"/api/v1/sponsors/{pk}/runway/",
    ):
        status, p50, p95 = _measure(client, path, args.requests)
        verdict = "ok" if p95 < 300 else "OVER 300 ms"
        print(f"  {path:<40} {status}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {verdict}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
