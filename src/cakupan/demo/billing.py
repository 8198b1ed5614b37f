"""Bills and payments for the demo, so that bills, arrears and the homes look like a working office.

Billing runs through the billing service (`billing_run`, as the monthly cron does) for the BILLED_MONTHS
months up to the month the demo is loaded in: arrears are read as of today, so months billed relative to
the load date keep the ageing realistic (a bill of last month is days overdue, not a year). The registry
rows stay those of the seed; only the billed months follow the calendar.

Payments are written set-based (one INSERT … SELECT for payments, one for their allocations, whatever the
number of bills), as a bank statement import would record them, with the pattern of a typical office
decided by a number from the payer's own NPP or NIK (so the same seed gives the same pattern, after
`--reset` too, whatever ids the rows get):
- most payers (82 in 100) pay each bill in full a few days before its due date;
- 3 in 100 pay each bill about three weeks late;
- 2 in 100 paid only half of their bill of two months ago;
- 5 in 100 stopped paying three months ago, 3 in 100 stopped two months ago;
- 3 in 100 never paid a demo bill: an employer among them is more than three months in arrears (rules.md §4),
  so the branch office's home has employers to call.
The state budget and the sponsors (APBD, CSR) pay on time; a village's fund pays in the sponsorship step,
where some villages stay in arrears. Bills not yet due are paid only by the payers
whose payment day has come.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import connection
from django.utils import timezone

from cakupan.accounts.permissions import SYSTEM
from cakupan.contributions.arrears import add_months
from cakupan.contributions.models import Allocation, Bill, PayerAccount, Payment
from cakupan.contributions.services.billing import billing_run
from cakupan.core.sqlnames import table
from cakupan.demo.s6_sponsorship import VILLAGE_PREFIX
from cakupan.registry.models import Employer, Person, Sponsor

Say = Callable[[str, int | None], None]

BILLED_MONTHS = 6
# The demo's payments: how `--reset` finds them; then the month as a bank writes it (DEMO-202607).
REFERENCE_PREFIX = "DEMO-"


def billed_periods(today: dt.date) -> list[str]:
    """The BILLED_MONTHS months up to today's, oldest first ("YYYY-MM")."""
    first = add_months(today.replace(day=1), -(BILLED_MONTHS - 1))
    return [f"{add_months(first, k):%Y-%m}" for k in range(BILLED_MONTHS)]


def _sql(pg: str, lite: str) -> str:
    return pg if connection.vendor == "postgresql" else lite


def _days(column: str, days: str) -> str:
    """`column` (a date) moved by the SQL integer expression `days`."""
    return _sql(f"({column} + ({days}))", f"date({column}, ({days}) || ' days')")


def payments_load(*, periods: list[str], today: dt.date) -> dict[str, int]:
    """Pay the demo bills of `periods` in the office's typical pattern (module docstring). Two statements."""
    rank = "CASE b.period " + " ".join(
        f"WHEN '{p}' THEN {len(periods) - 1 - i}" for i, p in enumerate(periods)
    )
    rank += " END"  # 0: the latest month billed
    # 0..99 from the payer's natural key: the NPP's serial; the NIK's birth date and serial mixed.
    nik = "CAST(SUBSTR(p.nik, {}, {}) AS INTEGER)"
    h = (
        f"((CASE WHEN a.kind = '{PayerAccount.Kind.EMPLOYER}' THEN CAST(SUBSTR(e.npp, 5, 4) AS INTEGER)"
        f" WHEN a.kind = '{PayerAccount.Kind.SELF}' THEN {nik.format(7, 2)} * 7 + {nik.format(9, 2)} * 13"
        f" + {nik.format(11, 2)} * 3 + {nik.format(13, 4)} ELSE 50 END) % 100)"
    )
    steady = f"a.kind IN ('{PayerAccount.Kind.GOVERNMENT}', '{PayerAccount.Kind.SPONSOR}')"
    # A village's fund pays when its village pays (the sponsorship step, which marks the villages later:
    # some stay in arrears). Known here by the demo's name for them.
    village = (
        f"(a.sponsor_id IS NOT NULL AND a.sponsor_id IN (SELECT id FROM {table(Sponsor)} WHERE name LIKE %s))"  # noqa: S608
    )
    pays = (
        f"NOT {village} AND ({steady} OR {h} >= 11 OR ({h} >= 3 AND {h} < 8 AND {rank} >= 3)"
        f" OR ({h} >= 8 AND {h} < 11 AND {rank} >= 2))"
    )
    late = f"(NOT {steady} AND {h} >= 11 AND {h} < 14)"
    half = f"(NOT {steady} AND {h} >= 14 AND {h} < 16 AND {rank} = 2)"
    paid_on = (
        f"CASE WHEN {late} THEN {_days('b.due_date', '20')} ELSE {_days('b.due_date', f'-({h} % 7)')} END"
    )
    payment, bill, account, allocation = table(Payment), table(Bill), table(PayerAccount), table(Allocation)
    employer, person = table(Employer), table(Person)
    placeholders = ", ".join(["%s"] * len(periods))
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {payment} (account_id, amount, paid_on, reference, source, status, review_note,
                                   created_at, recorded_by_id, reviewed_by_id, reviewed_at)
            SELECT account_id, amount, paid_on, reference, %s, %s, '', %s, NULL, NULL, NULL FROM (
                SELECT b.account_id,
                       CASE WHEN {half} THEN b.amount_due / 2 ELSE b.amount_due END AS amount,
                       {paid_on} AS paid_on,
                       %s || REPLACE(b.period, '-', '') AS reference
                FROM {bill} b JOIN {account} a ON a.id = b.account_id
                LEFT JOIN {employer} e ON e.id = a.employer_id LEFT JOIN {person} p ON p.id = a.person_id
                WHERE b.period IN ({placeholders}) AND b.amount_due > 0 AND {pays}
            ) AS due WHERE paid_on <= %s
            """.replace(" % ", " %% "),  # noqa: S608 - table names, periods and constants only
            [
                Payment.Source.BANK_STATEMENT,
                Payment.Status.ACCEPTED,
                now,
                REFERENCE_PREFIX,
                *periods,
                VILLAGE_PREFIX + "%",
                today,
            ],
        )
        payments = cursor.rowcount
        cursor.execute(
            f"""
            INSERT INTO {allocation} (payment_id, bill_id, amount, created_at)
            SELECT p.id, b.id, p.amount, %s
            FROM {bill} b JOIN {payment} p
                ON p.account_id = b.account_id AND p.reference = %s || REPLACE(b.period, '-', '')
            WHERE b.period IN ({placeholders})
            """,  # noqa: S608 - table names only
            [now, REFERENCE_PREFIX, *periods],
        )
        allocations = cursor.rowcount
    return {"payments": payments, "allocations": allocations}


def billing_load(*, say: Say, today: dt.date | None = None) -> dict[str, int]:
    """Run billing for the demo's months, then record the payments. Returns the counts written."""
    today = today or timezone.localdate()
    periods = billed_periods(today)
    lines = 0
    for period in periods:
        run = billing_run(period=period, actor=SYSTEM)
        lines += int(run.counts.get("lines", 0) or 0)
        say(f"billing {period}: bill lines", int(run.counts.get("lines", 0) or 0))
    paid = payments_load(periods=periods, today=today)
    say("payments recorded", paid["payments"])
    bills = Bill.objects.filter(period__in=periods).count()
    return {"billed_months": len(periods), "bills": bills, "bill_lines": lines, **paid}
