"""One payer per person per month at import: a candidate another payer has come to pay since the match is
refused at enrolment by the roster import itself (enrolment/services/merge.py, reasons
`membership_other_sponsor` naming the sponsor, `membership_other_payer`), and the target list answers with
the import's words and classes the row as the payer's. A cover that has ended does not count; one still
running (even if it ends within the month) does: the list makes no decision of its own."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation

from cakupan.registry import services
from cakupan.registry.models import Membership
from cakupan.rules.period import Period
from cakupan.sponsorship.models import MatchClass, TargetRow
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
        payer_kind="sponsor" if sponsor is not None else "self",
        sponsor=sponsor,
        declared_income=1_000_000,
        bpu_sector="other",
    )


def test_a_candidate_paid_by_another_sponsor_is_refused_with_its_name(world: Any, tmp_path: Path) -> None:
    apbd = apbd_sponsor(world.admin)
    other = apbd_sponsor(world.admin, name="APBD Provinsi Contoh")
    now = Period.of(timezone.localdate())
    nxt = now.shift(1)  # the month the list enrols from
    funded_period_create(
        actor=world.admin,
        sponsor=apbd,
        source="apbd_regency",
        document="DPA",
        first_month=str(now.shift(-6)),
        last_month=str(now.shift(6)),
        amount=10_000_000,
        declared_income=1_000_000,
        member_cap=10,
    )
    taken, ended, free = person(world.admin, 31), person(world.admin, 32), person(world.admin, 33)
    ending, own = person(world.admin, 34), person(world.admin, 35)
    rows = [(p.nik, p.full_name, "1") for p in (taken, ended, free, ending, own)]
    target = target_list_match(actor=world.branch_malang, sponsor=apbd, source=write_list(tmp_path, rows))
    assert target.counts["not_covered"] == 5
    # Since the match: the province pays for one from this month, and for another until the middle of the
    # month asked for (a cover ending within it); a third's province cover has ended; a fourth pays itself.
    _paid_by(world, taken, other, now.first_day)
    old = _paid_by(world, ended, other, now.shift(-5).first_day)
    services.membership_end(actor=world.admin, membership=old, end_date=now.shift(-1).last_day)
    short = _paid_by(world, ending, other, now.shift(-5).first_day)
    services.membership_end(actor=world.admin, membership=short, end_date=nxt.first_day.replace(day=15))
    _paid_by(world, own, None, now.shift(-2).first_day)
    out = target_list_enrol(actor=world.branch_malang, target_list=target, start_month=str(nxt))
    named = "Untuk bulan-bulan ini peserta sudah dibayar oleh sponsor lain: APBD Provinsi Contoh."
    assert out["refused"] == sorted(
        [
            {"nik": taken.nik, "message": named},
            {"nik": ending.nik, "message": named},
            {"nik": own.nik, "message": "Peserta sudah aktif di segmen ini dengan pembayar lain."},
        ],
        key=lambda r: r["nik"],
    )
    assert out["enrolled"] == 2  # free, and the one whose province cover ended
    classes = dict(TargetRow.objects.filter(target_list=target).values_list("nik", "klass"))
    assert classes[taken.nik] == classes[ending.nik] == MatchClass.OTHER_SPONSOR
    assert classes[own.nik] == MatchClass.SELF_PAID
    row = TargetRow.objects.get(target_list=target, nik=taken.nik)
    assert (row.klass, row.other_sponsor_id, row.enrolled) == (MatchClass.OTHER_SPONSOR, other.pk, False)
    assert TargetRow.objects.get(target_list=target, nik=own.nik).other_sponsor_id is None
    assert not Membership.objects.filter(person__in=[taken, ending, own], sponsor=apbd).exists()
    assert Membership.objects.filter(person__in=[free, ended], sponsor=apbd).count() == 2
    target.refresh_from_db()
    assert (target.counts["other_sponsor"], target.counts["self_paid"]) == (2, 1)


def test_the_answer_speaks_the_readers_language(world: Any, tmp_path: Path) -> None:
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
    taken, free = person(world.admin, 41), person(world.admin, 42)
    rows = [(p.nik, p.full_name, "") for p in (taken, free)]
    target = target_list_match(actor=world.branch_malang, sponsor=apbd, source=write_list(tmp_path, rows))
    _paid_by(world, taken, other, dt.date(2026, 6, 1))
    with translation.override("en"):
        out = target_list_enrol(actor=world.branch_malang, target_list=target, start_month="2026-07")
    assert out["refused"] == [
        {
            "nik": taken.nik,
            "message": "Already paid for these months by another sponsor: APBD Provinsi Contoh.",
        }
    ]
    assert out["enrolled"] == 1
