"""Billing runs on a real database: amounts, due dates, idempotence, resume, query counts, the command."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import holidays
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cakupan.contributions.models import Bill, BillingRun, BillLine, PayerAccount
from cakupan.contributions.services.billing import billing_run
from cakupan.contributions.services.billing_dates import due_date_for
from cakupan.contributions.services.billing_partitions import partitions_ensure
from cakupan.contributions.tests.factories import bpu_member_make, pu_member_make
from cakupan.core.errors import InvalidInput
from cakupan.registry.models import Membership
from cakupan.rules.contributions import contribution_assess
from cakupan.rules.period import Period

pytestmark = pytest.mark.django_db


def state() -> list[tuple[Any, ...]]:
    """Everything a run writes, without ids and timestamps, for comparing two databases' outcomes."""
    bills = sorted(
        Bill.objects.values_list("account__virtual_account", "period", "due_date", "amount_due", "members")
    )
    lines = sorted(
        BillLine.objects.values_list(
            "bill__account__virtual_account",
            "membership__kpj",
            "base",
            "jkk",
            "jkm",
            "jht",
            "jp",
            "jkp",
            "employer_share",
            "worker_share",
            "government_share",
            "sponsor_share",
            "amount",
        )
    )
    return [*bills, *lines]


def line_of(member: Membership, kind: str) -> BillLine:
    return BillLine.objects.select_related("bill__account").get(membership=member, bill__account__kind=kind)


def test_nurse_bill_matches_hand_figures_and_the_calculator(world: Any) -> None:
    nurse = Membership.objects.get(person=world.nurse)
    run = billing_run(period="2025-04")
    assert run.status == "done"
    employer = line_of(nurse, "employer")
    # Wage 4,000,000 + 500,000; risk class 2: JKK 0.54%, JKM 0.30%, JHT 3.7% + 2%, JP 2% + 1% (under the cap).
    assert (employer.jkk, employer.jkm, employer.jht, employer.jp, employer.jkp) == (
        24_300,
        13_500,
        166_500 + 90_000,
        90_000 + 45_000,
        0,
    )
    assert (employer.employer_share, employer.worker_share, employer.amount) == (294_300, 135_000, 429_300)
    assert employer.base == 4_500_000
    government = line_of(nurse, "government")
    assert (government.jkp, government.government_share, government.amount) == (9_900, 9_900, 9_900)
    single = contribution_assess(
        {
            "segment": "PU",
            "period": "2025-04",
            "programs": nurse.programs,
            "monthly_wage": 4_500_000,
            "risk_class": world.hospital.risk_class,
        }
    )
    totals = single["totals"]
    assert employer.employer_share == totals["employer"]
    assert employer.worker_share == totals["worker"]
    assert government.government_share == totals["government"]
    bill = employer.bill
    assert bill.account.employer_id == world.hospital.pk
    assert (bill.amount_due, bill.members) == (429_300, 1)
    # PU: the 15th of the following month (rules.md §4); 15 May 2025 is a Thursday and no holiday.
    assert bill.due_date == dt.date(2025, 5, 15)
    assert dt.date(2025, 5, 15) not in holidays.country_holidays("ID", years=2025)


def test_a_bill_per_payer_kind(world: Any) -> None:
    own = bpu_member_make(world.admin, 1, income=2_000_000)
    apbn = bpu_member_make(world.admin, 2, income=1_000_000, payer_kind="government")
    run = billing_run(period="2025-05")
    kinds = dict(Bill.objects.filter(period="2025-05").values_list("account__kind", "amount_due"))
    # Employer: the nurse (429,300); the operator has an employment but no membership.
    assert kinds["employer"] == 429_300
    # Self-paying BPU, income 2,000,000: JKK 1% 20,000 + JKM 6,800 + JHT 2% 40,000 (rules.md §3).
    assert line_of(own, "self").worker_share == 66_800
    # Sponsored driver (CSR), 1,000,000: JKK 10,000 + JKM 6,800.
    assert kinds["sponsor"] == 16_800
    assert line_of(world.driver_membership, "sponsor").sponsor_share == 16_800
    # Government: the nurse's JKP 9,900 and the APBN-funded BPU member's 10,000 + 6,800 + 20,000.
    assert line_of(apbn, "government").government_share == 36_800
    assert kinds["government"] == 9_900 + 36_800
    assert kinds["self"] == 66_800
    assert run.counts["new_bills"] == 4
    assert run.counts["new_lines"] == 5
    self_bill = Bill.objects.get(period="2025-05", account__kind="self")
    assert self_bill.due_date == dt.date(2025, 5, 15)  # BPU: the same month (rules.md §3)
    assert PayerAccount.objects.filter(virtual_account__startswith="88").count() == 4


def test_due_date_moves_past_weekend_and_public_holiday() -> None:
    # 15 June 2025 is a Sunday: May 2025 PU contributions are due Monday 16 June.
    assert dt.date(2025, 6, 15).weekday() == 6
    assert due_date_for(period=Period(2025, 5), payer_kind="employer") == dt.date(2025, 6, 16)
    # 15 April 2022 was Good Friday, a public holiday (package data), then a weekend: Monday 18 April.
    id_holidays = holidays.country_holidays("ID", years=2022)
    assert dt.date(2022, 4, 15) in id_holidays
    assert dt.date(2022, 4, 18) not in id_holidays
    assert due_date_for(period=Period(2022, 3), payer_kind="employer") == dt.date(2022, 4, 18)
    assert due_date_for(period=Period(2022, 4), payer_kind="self") == dt.date(2022, 4, 18)


def test_a_holiday_due_date_on_a_real_bill(world: Any) -> None:
    billing_run(period="2022-03")
    bill = Bill.objects.get(period="2022-03", account__kind="employer")
    assert bill.due_date == dt.date(2022, 4, 18)


def test_rerun_changes_nothing(world: Any) -> None:
    for serial in range(3):
        pu_member_make(world.admin, world.factory, serial, wage=5_000_000 + serial)
    first = billing_run(period="2025-04")
    before = state()
    counts = (PayerAccount.objects.count(), Bill.objects.count(), BillLine.objects.count())
    second = billing_run(period="2025-04")
    assert second.pk != first.pk
    assert state() == before
    assert (PayerAccount.objects.count(), Bill.objects.count(), BillLine.objects.count()) == counts
    assert second.counts["new_lines"] == 0
    assert second.counts["new_bills"] == 0
    assert second.counts["lines"] == first.counts["lines"] == 8  # 4 PU members: employer + JKP lines


def test_killed_run_resumes_to_the_clean_state(world: Any) -> None:
    for serial in range(7):
        pu_member_make(world.admin, world.factory, serial, wage=4_000_000 + 1_000 * serial)
    clean = billing_run(period="2025-04", chunk_size=3)
    clean_state = state()
    BillLine.objects.all().delete()
    Bill.objects.all().delete()
    BillingRun.objects.all().delete()

    killed = billing_run(period="2025-04", chunk_size=3, stop_after_chunks=1)
    killed.refresh_from_db()
    assert killed.status == "running"
    assert 0 < BillLine.objects.count() < len([x for x in clean_state if len(x) > 5])
    resumed = billing_run(period="2025-04", chunk_size=3)
    assert resumed.pk == killed.pk
    assert resumed.status == "done"
    assert state() == clean_state
    assert resumed.counts["members"] == clean.counts["members"] == 8


def test_exception_in_a_chunk_fails_the_run_and_a_rerun_finishes(world: Any) -> None:
    for serial in range(4):
        pu_member_make(world.admin, world.factory, serial, wage=6_000_000)

    def boom(done: int, total: int) -> None:
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        billing_run(period="2025-04", chunk_size=2, progress=boom)
    failed = BillingRun.objects.get()
    assert failed.status == "failed"
    assert failed.cursor > 0
    done = billing_run(period="2025-04", chunk_size=2)
    assert done.status == "done"
    assert BillLine.objects.filter(bill__account__kind="employer").count() == 5


def test_rejected_members_are_skipped_with_a_reason(world: Any) -> None:
    member = pu_member_make(world.admin, world.factory, 1, wage=5_000_000)
    employment = member.employment
    assert employment is not None
    employment.end_date = dt.date(2024, 12, 31)  # no wage for the period any more
    employment.save()
    Membership.objects.filter(pk=member.pk).update(employment=None)
    run = billing_run(period="2025-04")
    assert run.status == "done"
    assert run.counts["skipped"] == 1
    assert run.counts["skipped_reasons"] == {"PU monthly_wage: This field is required.": 1}
    assert run.counts["skipped_examples"] == [[member.pk, "PU monthly_wage: This field is required."]]
    assert not BillLine.objects.filter(membership=member).exists()
    # The bill made for the member's employer before its price was known is removed: it owes nothing.
    assert not Bill.objects.filter(account__employer=member.employer, period="2025-04").exists()


def _queries_for(world: Any, members: int, offset: int) -> int:
    for serial in range(members):
        pu_member_make(world.admin, world.factory, offset + serial, wage=3_000_000 + 1_000 * serial)
    # The month's partitions of bill lines (PostgreSQL) are made once, by whichever run comes first.
    partitions_ensure(Period.parse("2025-04"))
    with CaptureQueriesContext(connection) as ctx:
        billing_run(period="2025-04")
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_members(world: Any) -> None:
    small = _queries_for(world, 5, 0)
    BillLine.objects.all().delete()
    Bill.objects.all().delete()
    BillingRun.objects.all().delete()
    PayerAccount.objects.all().delete()
    large = _queries_for(world, 45, 100)
    assert BillLine.objects.filter(bill__account__kind="employer").count() == 51
    assert small == large


def test_bad_period_is_a_field_error(world: Any) -> None:
    for bad in ("2025-13", "April", "2025-4", "1990-01"):
        with pytest.raises(InvalidInput) as exc:
            billing_run(period=bad)
        assert exc.value.errors[0].field == "period"
    assert not BillingRun.objects.exists()


def test_command_runs_and_reports(world: Any) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("billing", "run", "--period", "2025-04", stdout=out, stderr=err)
    summary = json.loads(out.getvalue())
    assert summary["status"] == "done"
    assert summary["counts"]["new_lines"] == 2
    assert "1/1 members" in err.getvalue()


def test_command_bad_period_exits_2(world: Any) -> None:
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("billing", "run", "--period", "2025-99", stdout=out)
    assert exc.value.code == 2
    assert json.loads(out.getvalue())["errors"][0]["field"] == "period"
