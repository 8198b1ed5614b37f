"""The demo data set at a small scale: the scenario figures, the registry's invariants, logins, rerun.

The set is loaded once for this module inside a transaction that is rolled back at the end, so other test
modules never see it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from cakupan.accounts.models import Role, User
from cakupan.accounts.scope import scope_for
from cakupan.contributions.models import Bill, PayerAccount, Payment
from cakupan.contributions.selectors_payments import arrears_by_payer
from cakupan.core.models import AuditEvent
from cakupan.coverage.health import health_view
from cakupan.coverage.models import SnapshotBuild, WorkforceStat
from cakupan.coverage.selectors import coverage_show, target_list
from cakupan.demo import figures, s5_lhokseumawe, story
from cakupan.demo.actors import LOGINS
from cakupan.demo.billing import billed_periods
from cakupan.demo.services import DemoResult, demo_load
from cakupan.registry.models import (
    PROGRAMS_BY_SEGMENT,
    Employer,
    Employment,
    Membership,
    Person,
    Sponsor,
)
from cakupan.registry.nik import nik_check
from cakupan.registry.selectors import person_list
from cakupan.registry.services.scope_keys import scope_keys_differences
from cakupan.registry.tests.scope_oracle import assert_scope_keys_consistent
from cakupan.sponsorship.models import CoverEnding, SponsorVillage
from cakupan.sponsorship.selectors_endings import endings_soon, retention

SCALE = 0.02
SEED = 4242


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_load(seed=SEED, scale=SCALE)
        transaction.set_rollback(True)


def _active(qs: Any) -> Any:
    return qs.filter(status=Membership.Status.ACTIVE)


def test_batang_company_has_1500_employees_of_whom_1000_are_registered(demo: DemoResult, db: Any) -> None:
    company = Employer.objects.get(name="PT Contoh Batang Industri")
    assert company.region_id.startswith("33.25.")
    assert company.branch_office.code == "PKL"
    employees = Employment.objects.filter(employer=company, end_date__isnull=True)
    assert employees.count() == 1500
    members = _active(Membership.objects.filter(employer=company, segment="PU"))
    assert members.count() == 1000
    assert members.filter(employment__employer=company, employment__person=F("person")).count() == 1000
    assert employees.exclude(person__memberships__employer=company).count() == 500


def test_two_batang_companies_registered_nobody(demo: DemoResult, db: Any) -> None:
    nobody = (
        Employer.objects.filter(region__code__startswith="33.25.")
        .annotate(staff=Count("employments", distinct=True), members=Count("memberships", distinct=True))
        .filter(staff__gt=0, members=0)
    )
    assert sorted(nobody.values_list("name", flat=True)) == [
        "CV Contoh Mebel Batang",
        "PT Fiktif Batang Plastik",
    ]


def test_kab_malang_has_22_registered_facilities_some_unregistered_and_the_bpu_cohort(
    demo: DemoResult, db: Any
) -> None:
    facilities = Employer.objects.filter(region__code__startswith="35.07.").exclude(facility_type="")
    registered = facilities.filter(memberships__status="active").distinct()
    assert registered.count() == 22
    assert set(registered.values_list("facility_type", flat=True)) == {"rumah_sakit", "klinik"}
    for employer in registered:  # all their staff are registered
        staff = employer.employments.filter(end_date__isnull=True).count()
        assert _active(employer.memberships).count() == staff > 0
    assert facilities.exclude(pk__in=registered).filter(employments__isnull=False).distinct().count() == 6
    # The village funds' members (s6_sponsorship) are not the article's self-paying cohort, nor are the
    # workers enrolled from the outreach events' sign-ups (s8_outreach), nor the members the field agents
    # enrolled this month (s9_field).
    from cakupan.outreach.models import SignUp

    bpu = _active(
        Membership.objects.filter(segment="BPU", person__address_region__code__startswith="35.07.")
        .exclude(sponsor__village__isnull=False)
        .exclude(pk__in=SignUp.objects.filter(membership__isnull=False).values("membership_id"))
        .exclude(field_items__isnull=False)
    )
    assert bpu.count() == round(27_000 * SCALE)
    assert not bpu.exclude(payer_kind="self").exists()


def test_kota_malang_sponsors(demo: DemoResult, db: Any) -> None:
    apbd = Sponsor.objects.get(name="APBD Kota Malang")
    assert (apbd.kind, apbd.region_id, apbd.employer_id) == ("apbd", "35.73", None)
    cohort = _active(apbd.memberships.filter(segment="BPU", payer_kind="sponsor", bpu_sector="other"))
    assert cohort.count() == apbd.memberships.count() == round(26_500 * SCALE)
    assert not cohort.exclude(person__address_region__code__startswith="35.73.").exists()

    csr = Sponsor.objects.get(name="CSR RS Hermina Contoh")
    assert csr.kind == "csr"
    assert csr.employer is not None
    assert csr.employer.name.startswith("RS Hermina Contoh")
    assert csr.employer.facility_type == "rumah_sakit"
    assert csr.employer.region_id.startswith("35.73.")
    drivers = _active(csr.memberships.filter(segment="BPU", payer_kind="sponsor", bpu_sector="transport"))
    # 103 drivers; the cohort of the CSR's first agreement, over, had six ended and six made self-paid
    # (s6_sponsorship.endings_story); the other decisions take effect when their month is over.
    gone = CoverEnding.objects.filter(
        sponsor=csr, action__in=["end", "convert"], ended_month__lt=f"{timezone.localdate():%Y-%m}"
    )
    assert drivers.count() + gone.count() == 103
    assert gone.count() == 12
    # Followed 3 and 6 months after: the renewed still covered, the ended and the unpaid self-paid not.
    office = User.objects.get(username="staf_malang")
    followed = retention(user=office, sponsor_id=csr.pk).rows
    assert [(r.members, r.still[3], r.still[6], r.still[12]) for r in followed] == [
        (26, None, None, None),  # the cohort ending next month: decided, not followed yet
        (103, (91, 103), (91, 103), None),
    ]
    # The cohort ending next month: every action decided for some, the rest waiting.
    [ending] = endings_soon(user=office, sponsor_id=csr.pk)
    assert ending.decided == {"convert": 3, "end": 3, "move": 4, "renew": 20}
    assert (ending.pending, ending.due) == (4, 91 - 30)
    # JKK + JKM for Rp16,800 a month: Rp1,000,000 declared income (rules.md §3).
    assert set(drivers.values_list("jkk", "jkm", "jht", "declared_income")) == {
        (True, True, False, 1_000_000)
    }


def test_bekasi_clinic_staff_formal_and_informal(demo: DemoResult, db: Any) -> None:
    clinics = Employer.objects.filter(region__code__startswith="32.16.", facility_type="klinik")
    assert clinics.count() == 20
    formal = _active(Membership.objects.filter(employer__in=clinics, segment="PU"))
    occupations = set(formal.values_list("employment__occupation", flat=True))
    assert {"medis", "kesehatan"} <= occupations
    informal = _active(
        Membership.objects.filter(
            segment="BPU", payer_kind="self", person__address_region__code__startswith="32.16."
        )
    )
    assert informal.count() == round(600 * SCALE)
    assert informal.filter(jht=True).exists()
    assert informal.filter(jht=False).exists()


def test_lhokseumawe_health_workers(demo: DemoResult, db: Any) -> None:
    facilities = Employer.objects.filter(region__code__startswith="11.73.").exclude(facility_type="")
    kinds = set(facilities.values_list("facility_type", flat=True))
    assert kinds == {"rumah_sakit", "puskesmas", "klinik", "praktik_mandiri", "bidan", "apotek"}
    staff = Employment.objects.filter(employer__in=facilities, end_date__isnull=True)
    assert set(staff.values_list("civil_service", flat=True)) == {"ASN", "NON_ASN"}
    enrolled = staff.filter(
        person__memberships__employer__in=facilities, person__memberships__status="active"
    )
    enrolled = enrolled.distinct()
    not_enrolled = staff.exclude(pk__in=enrolled)
    assert enrolled.count() > not_enrolled.count() > 0
    assert not _active(Membership.objects.filter(employer__in=facilities, jht=False)).exists()
    government = _active(Membership.objects.filter(employer__in=facilities.filter(legal_form="INSTANSI")))
    assert set(government.values_list("jkk", "jkm", "jht", "jp", "jkp")) == {(True, True, True, False, False)}


def test_every_nik_is_valid_and_its_warnings_stored(demo: DemoResult, db: Any) -> None:
    persons = list(Person.objects.values_list("nik", "birth_date", "sex", "nik_warnings", "full_name"))
    assert len(persons) == demo.counts["persons"]
    for nik, birth, sex, warnings, name in persons:
        check = nik_check(nik, birth_date=birth, sex=sex)
        assert check.valid, (nik, check.errors)
        assert warnings == [w.as_dict() for w in check.warnings]
        assert name.rsplit(" ", 1)[1] in figures.SURNAMES
    assert any(warnings for *_, warnings, _name in persons)  # some NIKs differ from the birth date


def test_every_membership_follows_the_segment_and_payer_rules(demo: DemoResult, db: Any) -> None:
    memberships = Membership.objects.select_related("employment", "person")
    assert memberships.count() == demo.counts["memberships"]
    kpjs = set()
    # The field agents' members (s9_field) were enrolled in the last month, after the demo's AS_OF.
    field_members = set(Membership.objects.filter(field_items__isnull=False).values_list("pk", flat=True))
    for m in memberships:
        assert set(m.programs) <= set(PROGRAMS_BY_SEGMENT[m.segment])
        assert {"JKK", "JKM"} <= set(m.programs)
        assert m.jht or not m.jkp
        assert len(m.kpj) == 11
        assert m.kpj.isdigit()
        kpjs.add(m.kpj)
        assert m.start_date >= m.person.birth_date
        assert m.start_date <= figures.AS_OF or m.pk in field_members
        if m.segment == "PU":
            assert m.payer_kind == "employer"
            assert m.employment is not None
            assert (m.employment.employer_id, m.employment.person_id) == (m.employer_id, m.person_id)
            assert m.start_date >= m.employment.start_date
        else:
            assert m.segment == "BPU"
            assert m.employer_id is None
            assert m.payer_kind in ("self", "sponsor")
            assert m.declared_income is not None
            assert m.declared_income > 0
            assert m.bpu_sector in ("transport", "other")
            assert (m.sponsor_id is not None) == (m.payer_kind == "sponsor")
    assert len(kpjs) == demo.counts["memberships"]


def test_employers_wages_and_dates(demo: DemoResult, db: Any) -> None:
    for e in Employer.objects.all():
        assert e.npp.startswith(figures.NPP_PREFIX)
        assert len(e.npp) == 8
        assert len(e.kbli) == 5
        assert 1 <= e.risk_class <= 5
        assert e.branch_office.regions.filter(code=e.region_id[:5]).exists()
    for job in Employment.objects.select_related("person"):
        assert isinstance(job.basic_wage, int)
        assert 2_500_000 <= job.monthly_wage <= 15_000_000
        assert job.basic_wage % 1000 == job.fixed_allowance % 1000 == 0
        assert job.start_date >= job.person.birth_date + dt.timedelta(days=18 * 365)
        assert job.end_date is None or job.end_date >= job.start_date


def test_every_job_has_its_wage_history_and_the_nurse_had_a_raise(demo: DemoResult, db: Any) -> None:
    from cakupan.registry.models import WageHistory

    assert not Employment.objects.filter(wages__isnull=True).exists()
    # The latest row of each job is its current wage.
    for job in Employment.objects.prefetch_related("wages"):
        assert max(job.wages.all(), key=lambda w: w.start_month).monthly_wage == job.monthly_wage
    raises = WageHistory.objects.filter(start_month=dt.date(2025, 1, 1)).filter(
        employment__wages__start_month__lt=dt.date(2025, 1, 1)
    )
    nurse = User.objects.get(username="perawat").person_id
    assert [r.employment.person_id for r in raises.select_related("employment")] == [nurse]


def test_one_audit_event_with_the_counts(demo: DemoResult, db: Any) -> None:
    events = AuditEvent.objects.filter(action="demo_load")
    assert events.count() == 1
    changes = events.get().changes
    assert changes["counts"] == demo.counts
    assert (changes["seed"], changes["scale"]) == (SEED, SCALE)
    assert changes["article_figures"]["S4_apbd_vulnerable_workers"] == 26_500


def test_every_login_works_and_sees_its_scope(demo: DemoResult, db: Any, client: Any) -> None:
    roles = {login.role for login in demo.logins}
    assert roles == set(Role.values)
    for login in demo.logins:
        assert client.login(username=login.username, password=login.password), login.username
        client.logout()
    assert User.objects.get(username="admin").role == Role.NATIONAL_ADMIN
    hr = User.objects.get(username="hr_batang")
    assert hr.employer is not None
    assert hr.employer.name == "PT Contoh Batang Industri"
    assert person_list(user=hr).count() == 1500
    sponsor = User.objects.get(username="sponsor_hermina")
    assert person_list(user=sponsor).count() == 103 - 6  # six became self-paid (s6_sponsorship)
    worker = User.objects.get(username="pekerja")
    assert scope_for(worker).person_id == worker.person_id
    assert _active(Membership.objects.filter(person=worker.person, sponsor__kind="csr")).exists()
    staff = User.objects.get(username="staf_pekalongan")
    assert staff.branch_office is not None
    assert set(staff.branch_office.regions.values_list("code", flat=True)) == {"33.25", "33.26", "33.75"}


def test_rerun_changes_nothing(demo: DemoResult, db: Any) -> None:
    before = (Person.objects.count(), Membership.objects.count(), User.objects.count())
    again = demo_load(seed=SEED, scale=SCALE)
    assert not again.created
    assert again.counts == demo.counts
    assert (Person.objects.count(), Membership.objects.count(), User.objects.count()) == before
    assert AuditEvent.objects.filter(action="demo_load").count() == 1


def test_reset_rebuilds_the_same_data(demo: DemoResult, db: Any) -> None:
    niks = set(Person.objects.values_list("nik", flat=True))
    rebuilt = demo_load(seed=SEED, scale=SCALE, reset=True)
    assert rebuilt.created
    assert rebuilt.counts == demo.counts
    assert set(Person.objects.values_list("nik", flat=True)) == niks  # the seed decides every row
    assert User.objects.filter(username__in=[login.username for login in LOGINS]).count() == len(LOGINS)
    assert not Person.objects.filter(~Q(full_name__endswith=" Contoh") & ~Q(full_name__endswith=" Fiktif"))
    assert scope_keys_differences() == []  # the delete and the load rebuilt the keys


def test_billing_and_payments_look_like_a_working_office(demo: DemoResult, db: Any) -> None:
    today = timezone.localdate()
    periods = billed_periods(today)
    assert demo.counts["billed_months"] == len(periods) == 6
    # Up to today's month; besides, the first bills of members converted to self-paid when their sponsor's
    # cover ended, for the month after it (s6_sponsorship.endings_story).
    converted = CoverEnding.objects.filter(action="convert").values("person_id")
    first_bills = Bill.objects.filter(account__kind="self", account__person__in=converted)
    assert set(Bill.objects.exclude(pk__in=first_bills).values_list("period", flat=True)) == set(periods)
    assert first_bills.count() == converted.count() == 9
    # The billing step's payments, and the villages' that the sponsorship step pays (s6_sponsorship).
    # And the cash the field agents collected (s9_field), each collection a payment.
    paid = demo.counts["payments"] + demo.counts["villages_paid"] + demo.counts["field_collections"]
    assert paid == Payment.objects.count() > 0
    due = PayerAccount.objects.filter(bills__amount_due__gt=0, bills__due_date__lt=today).distinct().count()
    behind = arrears_by_payer(user=User.objects.get(username="admin"), as_of=today)
    assert 0 < len(behind) < due / 4  # some payers in arrears, most not
    assert any(row["account"].kind == "employer" and row["standing"].behind for row in behind)
    # The state budget and the sponsors pay on time, but for the villages the sponsorship step leaves in
    # arrears (s6_sponsorship: the first six villages pay).
    assert not [row for row in behind if row["account"].kind == "government"]
    sponsors_behind = {row["account"].sponsor_id for row in behind if row["account"].kind == "sponsor"}
    villages = set(SponsorVillage.objects.values_list("sponsor_id", flat=True))
    assert sponsors_behind <= villages
    assert len(sponsors_behind) == len(villages) - demo.counts["villages_paid"] == 4


def test_scope_keys_match_the_rules(demo: DemoResult, db: Any) -> None:
    # The demo writes with bulk_create and raw SQL, then rebuilds the keys once (demo.services).
    assert_scope_keys_consistent()


# --- the coverage story (demo.story) ------------------------------------------------------------


def test_kota_malang_rate_in_the_demo_period(demo: DemoResult, db: Any) -> None:
    admin = scope_for(User.objects.get(username="admin"))
    show = coverage_show(scope=admin, region="35.73", period=story.DEMO_PERIOD)
    # 43.4 % of BPS's 436,742 employed is 189,546 active participants at scale 1; scaled here.
    assert round(story.KOTA_MALANG_ACTIVE / 436_742, 3) == 0.434
    assert show["active"] == round(189_546 * SCALE)
    assert show["workforce"] == 436_742
    assert not show["workforce_detail"]["synthetic"]
    assert show["rate"] == round(round(189_546 * SCALE) / 436_742, 4)
    # The city-budget and CSR cohorts appear in the sector breakdown.
    assert show["by_sector"]["vulnerable-apbd"] == round(26_500 * SCALE)
    assert show["by_sector"]["csr"] == 103
    # The generated members are formal workers with an employment, and self-paying informal workers.
    assert show["by_segment"]["PU"] > show["by_segment"]["BPU"] > 0


def test_snapshots_workforce_and_malang_targets(demo: DemoResult, db: Any) -> None:
    assert list(SnapshotBuild.objects.order_by("period").values_list("period", flat=True)) == story.PERIODS
    assert WorkforceStat.objects.get(region_id="35.07").synthetic
    assert WorkforceStat.objects.filter(region_id="35", synthetic=True).exists()
    admin = scope_for(User.objects.get(username="admin"))
    rows = target_list(scope=admin, period="2020-12")
    targets = {(r["target"].branch_office.code, r["progress"]["segment"]): r["progress"] for r in rows}
    assert targets[("MLG", "all")]["target"] == 234_000
    assert targets[("MLG", "BPU")]["target"] == 45_000
    for progress in targets.values():
        assert progress["active"] is not None
        assert progress["achievement"] == round(progress["active"] / progress["target"], 4)


def test_lhokseumawe_health_workers_by_facility_type(demo: DemoResult, db: Any) -> None:
    agency = scope_for(User.objects.get(username="dinkes_lhokseumawe"))
    view = health_view(scope=agency, region="", day=figures.AS_OF)
    assert view["region"] == "11.73"
    assert [r["type"] for r in view["rows"]] == [
        "rumah_sakit", "klinik", "puskesmas", "praktik_mandiri", "bidan", "apotek",
    ]  # fmt: skip
    total = view["total"]
    assert total["facilities"] == len(s5_lhokseumawe.FACILITIES)
    assert 0 < total["covered"] < total["reported"]
    assert total["jht"] == total["registered"]  # the agreement: JHT for every enrolled health worker


def test_kab_malang_outreach_funnel_has_every_step(demo: DemoResult, db: Any) -> None:
    """Issue 16: the 2020 socialisation of the seed article and this year's market events, with a funnel
    whose every step has a count (some NIKs fail, some members never pay or lapse)."""
    from cakupan.outreach.funnel import event_funnel
    from cakupan.outreach.models import Event

    assert Event.objects.filter(date=dt.date(2020, 2, 26), region__code__startswith="35.07.").exists()
    assert Event.objects.filter(status="planned", signups__isnull=True).exists()
    market = Event.objects.get(name__startswith="Sosialisasi Pasar Kepanjen")
    row = event_funnel(event=market)
    assert row.signups > row.valid_nik > row.members > row.active_3m > 0
    assert 0 < row.paid_first <= row.members
    assert demo.counts["outreach_lapsed"] == 5


def test_field_agents_in_kab_malang(demo: DemoResult, db: Any) -> None:
    """S9: agents with a month of synced enrolments and collections, a conflict, and one agent whose
    members died within weeks of enrolment (issue 17)."""
    from cakupan.field.models import Agent
    from cakupan.field.selectors_review import early_claims
    from cakupan.registry.models import Sponsor

    assert "agen_malang" in {login.username for login in demo.logins}
    agents = Agent.objects.filter(user__username__in=["agen_malang", "agen_kepanjen", "agen_dampit"])
    assert agents.count() == 3
    assert demo.counts["field_enrolments"] > 0
    assert demo.counts["field_conflicts"] == 1
    flags = early_claims(agents, Sponsor.objects.none())
    early = demo.counts["field_early_claims"]
    assert early >= 3
    assert [(g.key.user.username, g.claims) for g in flags["agents"]] == [("agen_kepanjen", early)]
