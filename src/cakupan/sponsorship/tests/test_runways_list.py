"""The sponsors' list reads every listed sponsor's runway at once: the same answer as the runway contract
for each (billed, paid, not billed, no funded period), in a number of queries that does not grow."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cakupan.contributions.models import PayerAccount
from cakupan.contributions.services.payments import payment_record
from cakupan.sponsorship.selectors import runway, runways_for
from cakupan.sponsorship.services.funding import funded_period_create
from cakupan.sponsorship.tests.factories import apbd_sponsor, bill_months, sponsored

pytestmark = pytest.mark.django_db


def _sponsors(world: Any, count: int, offset: int) -> list[Any]:
    out = []
    for i in range(count):
        sponsor = apbd_sponsor(world.admin, name=f"APBD Daftar {offset + i}")
        if i % 3:  # every third has no funded period
            funded_period_create(
                actor=world.admin,
                sponsor=sponsor,
                source="apbd_regency",
                document=f"DPA {offset + i}",
                amount=1_000_000 * (i + 1),
                first_month="2026-01",
                last_month="2026-12",
                declared_income=1_000_000,
                member_cap=100,
            )
        for serial in range(1 + i % 2):
            sponsored(world.admin, sponsor, 100 * (offset + i) + serial)
        out.append(sponsor)
    return out


def test_the_list_reads_the_same_runways_in_constant_queries(world: Any) -> None:
    few = _sponsors(world, 3, 0)
    bill_months("2026-01", "2026-02")
    payment_record(
        actor=world.admin,
        account=PayerAccount.objects.get(kind="sponsor", sponsor=few[1]),
        amount=16_800,
        paid_on="2026-03-10",
        reference="SP2D-L",
        source="page",
    )
    more = _sponsors(world, 6, 10)  # not billed yet
    for sponsors in (few, few + more):
        listed = runways_for(sponsors)
        for sponsor in sponsors:
            assert listed[sponsor.pk] == runway(user=world.admin, sponsor_id=sponsor.pk), sponsor.name
    counts = []
    for sponsors in (few, few + more):
        with CaptureQueriesContext(connection) as queries:
            runways_for(sponsors)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
