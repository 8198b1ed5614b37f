"""One payer per person per month at import: a candidate another sponsor has come to pay for the same
months is refused at enrolment with that sponsor's name (and classed as covered by it); a cover ended before
the months asked for does not count (`other_payers`, one query). The roster import makes the same refusal in
its own decision set (enrolment/services/merge.py, tested in enrolment/tests/test_rules.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cakupan.registry import services
from cakupan.registry.models import Membership
from cakupan.sponsorship.models import MatchClass, TargetRow
from cakupan.sponsorship.overlap import other_payers
from cakupan.sponsorship.services.funding import funded_period_create
from cakupan.sponsorship.services.target_lists import target_list_enrol, target_list_match
from cakupan.sponsorship.tests.factories import apbd_sponsor, person
from cakupan.sponsorship.tests.test_target_lists import write_list

pytestmark = pytest.mark.django_db


def _paid_by(world: Any, who: Any, sponsor: Any, start: dt.date) -> Membership:
    return services.membership_enrol(
        actor=world.admin,
        person=who,
        segment="BPU",
        programs=["JKK", "JKM"],
        start_date=start,
        payer_kind="sponsor",
        sponsor=sponsor,
        declared_income=1_000_000,
        bpu_sector="other",
    )


def test_a_candidate_paid_by_another_sponsor_is_refused_with_its_name(world: Any, tmp_path: Path) -> None:
    apbd = apbd_sponsor(world.admin)
    other = apbd_sponsor(world.admin, name="APBD Provinsi Contoh")
    funded_period_create(
        actor=world.admin,
        sponsor=apbd,
        source="apbd_regency",
        document="DPA",
        first_month="2026-01",
        last_month="2026-12",
        amount=10_000_000,
        declared_income=1_000_000,
        member_cap=10,
    )
    taken, ended, free = person(world.admin, 31), person(world.admin, 32), person(world.admin, 33)
    rows = [(p.nik, p.full_name, "1") for p in (taken, ended, free)]
    target = target_list_match(actor=world.branch_malang, sponsor=apbd, source=write_list(tmp_path, rows))
    assert target.counts["not_covered"] == 3
    # Since the match: the province pays for one from June; another's province cover ended in May.
    _paid_by(world, taken, other, dt.date(2026, 6, 1))
    old = _paid_by(world, ended, other, dt.date(2026, 1, 1))
    services.membership_end(actor=world.admin, membership=old, end_date=dt.date(2026, 5, 31))
    with CaptureQueriesContext(connection) as queries:
        found = other_payers([taken.nik, ended.nik, free.nik], sponsor_id=apbd.pk, start=dt.date(2026, 7, 1))
    assert len(queries.captured_queries) == 1
    assert {nik: p.name for nik, p in found.items()} == {taken.nik: "APBD Provinsi Contoh"}
    assert other_payers([taken.nik], sponsor_id=other.pk, start=dt.date(2026, 7, 1)) == {}  # its own payer
    out = target_list_enrol(actor=world.branch_malang, target_list=target, start_month="2026-07")
    assert out["refused"] == [
        {
            "nik": taken.nik,
            "message": "Untuk bulan-bulan ini peserta sudah dibayar oleh sponsor lain: APBD Provinsi Contoh.",
        }
    ]
    assert out["enrolled"] == 2
    row = TargetRow.objects.get(target_list=target, nik=taken.nik)
    assert (row.klass, row.other_sponsor_id) == (MatchClass.OTHER_SPONSOR, other.pk)
    assert not Membership.objects.filter(person=taken, sponsor=apbd).exists()
    target.refresh_from_db()
    assert target.counts["other_sponsor"] == 1
