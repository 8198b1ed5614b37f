"""Sponsored coverage in the demo (issue 15), written through the sponsorship services after the users:

- Kota Malang's APBD: a 2026 funded period for 26,500 members at Rp16,800 a month (12 months, the regency
  budget's DPA), cap 26,500 (the demo's cohort is `figures.APBD_COHORT` scaled);
- RS Hermina's CSR: agreements from the cohort's start (June 2025): one ended seven months ago, one ends the
  month after this one (cover ending within 60 days of the load: its 30/60-day alert is raised), and a
  renewal after it; Kota Malang's APBD has its 2027 period (it takes drivers over);
- ten villages of Kab. Malang (the first village of ten districts in the Kemendagri list) as sponsors from
  their village funds (APBDes, June 2025 to December 2026), three members each (built with the other
  rows); when bills exist (a billing run before this step), six of them pay and four stay in arrears;
- a DTKS-style candidate list for Kota Malang matched for the APBD sponsor, with every class present;
- the ends of the CSR's cover (`endings_story`): a cohort followed since its agreement ended seven months ago,
  and the cohort ending next month with each action decided; the city's agreement grants full data.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from lokal import wilayah

from cakupan.accounts.models import User
from cakupan.accounts.permissions import SYSTEM
from cakupan.contributions.models import Bill, PayerAccount
from cakupan.contributions.services.payments import payment_record
from cakupan.registry.models import Membership, Sponsor
from cakupan.registry.nik import nik_compose
from cakupan.rules.period import Period
from cakupan.sponsorship.models import (
    ArrearsLetter,
    BillFlag,
    CoverEnding,
    FundedPeriod,
    SponsorVillage,
    TargetList,
)
from cakupan.sponsorship.services.agreements import agreement_set
from cakupan.sponsorship.services.alerts import alerts_raise
from cakupan.sponsorship.services.endings import cover_endings_apply, cover_endings_decide
from cakupan.sponsorship.services.endings_follow import retention_follow
from cakupan.sponsorship.services.funding import funded_period_create
from cakupan.sponsorship.services.target_lists import target_list_match
from cakupan.sponsorship.services.villages import village_link

from . import figures as f
from .people import Population
from .s4_kota_malang import APBD_NAME, CSR_NAME

Say = Callable[[str, int | None], None]
APBD_MEMBERS = 26_500
APBD_PRICE = 16_800  # JKK 1 % of Rp1,000,000 + JKM Rp6,800 (APBD-funded: no PP 50/2025 discount)
CSR_PRICE = 8_400  # the same, halved by PP 50/2025 for the transport sector from January 2026
VILLAGE_REGENCY = "35.07"
VILLAGE_PREFIX = "APBDes "
TARGET_FILE = "dtks-kota-malang-2026.csv"
OFFICE_USER = "staf_malang"
VILLAGE_MEMBERS = 3
VILLAGE_START = dt.date(2025, 6, 1)
PAST_MONTHS = 7  # the CSR's first agreement ended this many months ago: its cohort followed 3 and 6 months
WORKER_USER = "pekerja"  # the demo worker, a CSR driver


def _villages() -> list[Any]:
    districts = wilayah.list_wilayah(VILLAGE_REGENCY)[:10]
    return [wilayah.list_wilayah(d.code)[0] for d in districts]


def build(pop: Population) -> list[tuple[Sponsor, Any]]:
    """The ten village sponsors and their members, as rows of the bulk load (three members each, from
    June 2025, JKK + JKM on Rp1,000,000): the village rows and funded periods follow in `sponsorship_load`."""
    out = []
    for village in _villages():
        sponsor = pop.sponsor(
            name=f"{VILLAGE_PREFIX}{village.name} ({village.code})",
            kind=Sponsor.Kind.APBD,
            regency=village.code[:8],
        )
        for _ in range(VILLAGE_MEMBERS):
            person = pop.person(regency=VILLAGE_REGENCY, age=(25, 60))
            pop.bpu(
                person,
                start=VILLAGE_START,
                sector="other",
                payer_kind="sponsor",
                sponsor=sponsor,
                income=1_000_000,
            )
        out.append((sponsor, village))
    return out


def _target_file(apbd: Sponsor, csr: Sponsor) -> Path:
    """Every class: APBD members, CSR drivers, hospital staff, self-paying workers, new NIKs, bad NIKs."""

    def niks(q: QuerySet[Membership], n: int) -> list[tuple[str, str]]:
        return list(q.order_by("pk").values_list("person__nik", "person__full_name")[:n])

    active = Membership.objects.filter(status=Membership.Status.ACTIVE, person_regency="35.73")
    rows = (
        niks(active.filter(sponsor=apbd), 40)
        + niks(active.filter(sponsor=csr), 12)
        + niks(active.filter(payer_kind="employer"), 25)
        + niks(active.filter(payer_kind="self"), 15)
    )
    fresh = [
        (
            nik_compose(
                district_code="35.73.0" + str(1 + i % 5),
                birth_date=dt.date(1975 + i % 25, 1 + i % 12, 1 + i % 27),
                sex="L" if i % 2 else "P",
                serial=9000 + i,
            ),
            f"Calon Penerima {i} {f.SURNAMES[1]}",
        )
        for i in range(60)
    ]
    invalid = [
        ("3573" + "0" * 12, "NIK Kosong"),
        ("35730112", "NIK Pendek"),
        ("9973011201900001", "Provinsi Salah"),
    ]
    path = Path(settings.VAR_DIR) / "demo" / TARGET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["NIK", "Nama", "Alamat", "Desil"])
        for i, (nik, name) in enumerate([*rows, *fresh, *invalid, rows[0]]):
            writer.writerow([nik, name, f"Jl. Contoh No. {i + 1}, Kota Malang", 1 + i % 4])
    return path


def sponsorship_load(*, users: list[User], built: list[tuple[Sponsor, Any]], say: Say) -> dict[str, int]:
    by_name = {u.username: u for u in users}
    office = by_name[OFFICE_USER]
    apbd = Sponsor.objects.get(name=APBD_NAME)
    csr = Sponsor.objects.get(name=CSR_NAME)
    funded_period_create(
        actor=office,
        sponsor=apbd,
        source="apbd_regency",
        document="DPA Dinas Tenaga Kerja Kota Malang 2026",
        amount=APBD_MEMBERS * APBD_PRICE * 12,
        first_month="2026-01",
        last_month="2026-12",
        declared_income=1_000_000,
        member_cap=APBD_MEMBERS,
    )
    now = Period.of(timezone.localdate())
    ends, past = now.shift(1), now.shift(-PAST_MONTHS)
    # The CSR's agreements: the first ended `past` (its cohort followed since), the second ends next month
    # (its cohort's endings are being decided), the third, signed, pays for those renewed.
    for document, first, last in (
        ("Perjanjian CSR RS Hermina Contoh 2025", Period(2025, 6), past),
        ("Perjanjian CSR RS Hermina Contoh (lanjutan)", past.shift(1), ends),
        ("Perjanjian CSR RS Hermina Contoh (perpanjangan)", ends.shift(1), ends.shift(12)),
    ):
        funded_period_create(
            actor=office,
            sponsor=csr,
            source="csr",
            document=document,
            amount=f.CSR_DRIVERS * 16_800 * (first.months_until(last) + 1),
            first_month=str(first),
            last_month=str(last),
            declared_income=1_000_000,
            member_cap=f.CSR_DRIVERS,
        )
    # Kota Malang's next budget year: it takes over drivers the CSR hands over.
    funded_period_create(
        actor=office,
        sponsor=apbd,
        source="apbd_regency",
        document="DPA Dinas Tenaga Kerja Kota Malang 2027",
        amount=APBD_MEMBERS * APBD_PRICE * 12,
        first_month="2027-01",
        last_month="2027-12",
        declared_income=1_000_000,
        member_cap=APBD_MEMBERS,
    )
    villages = []
    for sponsor, village in built:
        village_link(actor=office, sponsor=sponsor, village=village.code)
        funded_period_create(
            actor=office,
            sponsor=sponsor,
            source="apbdes",
            document=f"APBDes {village.name} 2025-2026",
            amount=VILLAGE_MEMBERS * APBD_PRICE * 19,
            first_month="2025-06",
            last_month="2026-12",
            declared_income=1_000_000,
            member_cap=5,
        )
        villages.append(sponsor)
    say("S6 sponsorship: village sponsors of Kab. Malang", len(villages))
    paid = 0
    for sponsor in villages[:6]:  # the others stay in arrears
        account = PayerAccount.objects.filter(kind="sponsor", sponsor=sponsor).first()
        due = (
            sum(Bill.objects.completed().filter(account=account).values_list("amount_due", flat=True))
            if account
            else 0
        )
        if account is not None and due:
            payment_record(
                actor=office,
                account=account,
                amount=due,
                paid_on=timezone.localdate(),
                reference=f"SP2D-DESA-{sponsor.pk}",
                source="page",
            )
            paid += 1
    target = target_list_match(actor=office, sponsor=apbd, source=_target_file(apbd, csr))
    say("S6 sponsorship: DTKS list rows matched", target.rows)
    alerts = alerts_raise(actor=SYSTEM)
    say("S6 sponsorship: runway alerts", len(alerts))
    endings = endings_story(office=office, apbd=apbd, csr=csr, past=past, ends=ends)
    say("S6 sponsorship: cover endings decided", endings["cover_endings"])
    agreement_set(actor=office, sponsor=apbd, full_data=True)  # the city's agreement grants full data
    return {
        **endings,
        "funded_periods": 5 + len(villages),
        "village_sponsors": len(villages),
        "villages_paid": paid,
        "target_rows": target.rows,
        "alerts": len(alerts),
    }


def endings_story(*, office: User, apbd: Sponsor, csr: Sponsor, past: Period, ends: Period) -> dict[str, int]:
    """Ending sponsored cover, each action shown (issue 15 point 3), on the CSR's drivers:

    - the cohort of the agreement that ended `past` (seven months ago): six ended, six converted to
      self-paid (their first bills unpaid, so the inactivity rule finds them non-active), the rest renewed;
      applied and followed 3 and 6 months later (12: not yet);
    - the cohort whose cover ends next month: the demo worker's own driver and two more converted (the
      message on /me/), three ended, four handed over to Kota Malang's APBD (waiting for its answer), twenty
      renewed, the rest not decided yet (the office's home queue).
    """
    worker = User.objects.filter(username=WORKER_USER).values_list("person_id", flat=True).first() or 0
    drivers = list(
        Membership.objects.filter(sponsor=csr, status=Membership.Status.ACTIVE)
        .exclude(person_id=worker)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    own = Membership.objects.filter(sponsor=csr, person_id=worker).values_list("pk", flat=True).first()

    def decide(month: Period, action: str, ids: list[int] | None, **extra: Any) -> None:
        cover_endings_decide(
            actor=office, sponsor=csr, month=str(month), action=action, memberships=ids, **extra
        )

    decide(past, "end", drivers[0:6])
    decide(past, "convert", drivers[6:12])
    decide(past, "renew", None)
    cover_endings_apply(actor=SYSTEM)
    retention_follow(actor=SYSTEM)
    decide(ends, "convert", [*([own] if own else []), *drivers[12:14]])
    decide(ends, "end", drivers[14:17])
    decide(ends, "move", drivers[17:21], to_sponsor=apbd.pk)
    decide(ends, "renew", drivers[21:41])
    return {"cover_endings": CoverEnding.objects.filter(sponsor=csr).count()}


def demo_sponsors() -> Q:
    """The demo's sponsors: Kota Malang's APBD, the CSR and the villages this module registers."""
    return Q(name__in=[APBD_NAME, CSR_NAME]) | Q(
        name__startswith=VILLAGE_PREFIX, village__regency=VILLAGE_REGENCY
    )


def sponsorship_delete(sponsors: QuerySet[Sponsor]) -> dict[str, int]:
    """What the sponsorship services wrote for the demo's sponsors, before the sponsors go."""
    deleted: dict[str, int] = {}
    for label, queryset in (
        ("target lists", TargetList.objects.filter(sponsor__in=sponsors)),
        ("cover endings", CoverEnding.objects.filter(Q(sponsor__in=sponsors) | Q(to_sponsor__in=sponsors))),
        ("funded periods", FundedPeriod.objects.filter(sponsor__in=sponsors)),
        ("bill flags", BillFlag.objects.filter(sponsor__in=sponsors)),
        ("arrears letters", ArrearsLetter.objects.filter(sponsor__in=sponsors)),
        ("village sponsors", SponsorVillage.objects.filter(sponsor__in=sponsors)),
    ):
        deleted[label] = queryset.delete()[1].get(queryset.model._meta.label, 0)
    return deleted
