"""Eligibility decided from hand-built registry and contribution data: each rule and each boundary."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cakupan.benefits.eligibility import eligibility_assess
from cakupan.benefits.eligibility.rules import citizen_check, longest_run, window_before
from cakupan.benefits.tests.factories import bill, paid_months, pay, periods, pu_member
from cakupan.registry import services
from cakupan.rules.benefits import benefit_compute
from cakupan.rules.period import Period

pytestmark = pytest.mark.django_db

OLD_RULE_DAY = dt.date(2025, 2, 6)  # last day of PP 37/2021
NEW_RULE_DAY = dt.date(2025, 2, 7)  # PP 6/2025 in force


def check(result: Any, code: str) -> dict[str, Any]:
    found = [c for c in result.as_dict()["checks"] if c["code"] == code]
    assert len(found) == 1, result.as_dict()["checks"]
    return found[0]


def req(result: Any) -> dict[str, Any]:
    assert result.request is not None
    return dict(result.request)


def jkp(member: Any, day: dt.date, reason: str | None = "dismissal", claim: dt.date | None = None) -> Any:
    return eligibility_assess(
        person=member.person, benefit="JKP", event_date=day, claim_date=claim or day, end_reason=reason
    )


def test_window_and_runs_are_calendar_months() -> None:
    months = window_before(dt.date(2025, 2, 6), 24)
    assert (months[0], months[-1], len(months)) == (Period(2023, 2), Period(2025, 1), 24)
    assert (
        longest_run([Period(2024, 1), Period(2024, 2), Period(2024, 4), Period(2024, 5), Period(2024, 6)])
        == 3
    )
    assert longest_run([Period(2024, 12), Period(2025, 1)]) == 2
    assert longest_run([]) == 0


def test_jkp_twelve_paid_with_six_consecutive(world: Any) -> None:
    member = pu_member(world.admin, world.hospital, 1)
    paid_months(member, periods("2024-01", 12))
    result = jkp(member, OLD_RULE_DAY)
    assert check(result, "jkp_contributions")["status"] == "pass"
    assert result.decision == "eligible"
    assert result.paid_months == 12
    assert req(result)["contribution_months"] == 12


def test_jkp_twelve_paid_but_never_six_in_a_row_fails(world: Any) -> None:
    member = pu_member(world.admin, world.hospital, 2)
    # Runs of 5, 5 and 2 months (gaps in between): 12 paid months, longest run 5.
    months = periods("2023-03", 5) + periods("2023-09", 5) + periods("2024-03", 2)
    paid_months(member, months)
    result = jkp(member, OLD_RULE_DAY)
    c = check(result, "jkp_contributions")
    assert c["status"] == "fail"
    assert "longest run 5" in c["message"]
    assert result.decision == "not_eligible"
    # One more month joins a run to six: now it passes.
    paid_months(member, ["2023-08"])
    assert check(jkp(member, OLD_RULE_DAY), "jkp_contributions")["status"] == "pass"


def test_jkp_eleven_months_fail_and_unpaid_or_late_bills_do_not_count(world: Any) -> None:
    member = pu_member(world.admin, world.hospital, 3)
    paid_months(member, periods("2024-01", 11))
    bill(member, "2024-12")  # billed, never paid
    late = bill(member, "2023-12")
    pay(late, dt.date(2025, 3, 1))  # paid after the dismissal: not paid at the event
    result = jkp(member, OLD_RULE_DAY)
    assert check(result, "jkp_contributions")["status"] == "fail"
    assert result.paid_months == 11


def test_jkp_months_outside_the_24_month_window_do_not_count(world: Any) -> None:
    member = pu_member(world.admin, world.hospital, 4)
    paid_months(member, periods("2021-03", 12))  # ended 2022-02, before the window (2023-02 .. 2025-01)
    assert check(jkp(member, OLD_RULE_DAY), "jkp_contributions")["status"] == "fail"


def test_jkp_without_contribution_records_needs_review(world: Any) -> None:
    member = pu_member(world.admin, world.hospital, 5)
    result = jkp(member, OLD_RULE_DAY)
    assert check(result, "jkp_contributions")["status"] == "unknown"
    assert result.decision == "needs_review"


def test_jkp_rule_version_boundary_6_vs_7_february_2025(world: Any) -> None:
    member = pu_member(world.admin, world.hospital, 6)
    paid_months(member, periods("2024-01", 13))
    old, new = jkp(member, OLD_RULE_DAY), jkp(member, NEW_RULE_DAY)
    # The contribution rule after PP 6/2025 is an unconfirmed placeholder: flagged.
    assert check(old, "jkp_contributions")["confidence"] == "C"
    assert check(new, "jkp_contributions")["confidence"] == "U"
    assert any(u["code"] == "jkp_contributions" for u in new.unconfirmed)
    assert not any(u["code"] == "jkp_contributions" for u in old.unconfirmed)
    # Claim window: 3 months under PP 37/2021, 6 under PP 6/2025.
    assert "2025-05-06" in check(old, "claim_window")["message"]
    assert "2025-08-07" in check(new, "claim_window")["message"]


@pytest.mark.parametrize(
    ("event", "claim", "status"),
    [
        (OLD_RULE_DAY, dt.date(2025, 5, 6), "pass"),  # last day of the 3-month window
        (OLD_RULE_DAY, dt.date(2025, 5, 7), "fail"),
        (NEW_RULE_DAY, dt.date(2025, 5, 8), "pass"),  # the same delay is fine under the 6-month rule
        (NEW_RULE_DAY, dt.date(2025, 8, 7), "pass"),
        (NEW_RULE_DAY, dt.date(2025, 8, 8), "fail"),
    ],
)
def test_jkp_claim_window_3_or_6_months(world: Any, event: dt.date, claim: dt.date, status: str) -> None:
    member = pu_member(world.admin, world.hospital, 7)
    assert check(jkp(member, event, claim=claim), "claim_window")["status"] == status


@pytest.mark.parametrize(
    ("reason", "status"),
    [
        ("dismissal", "pass"),
        ("contract_terminated_early", "pass"),
        ("resignation", "fail"),
        ("contract_end", "fail"),
        ("retirement", "fail"),
        (None, "unknown"),
    ],
)
def test_jkp_excluded_end_reasons(world: Any, reason: str | None, status: str) -> None:
    member = pu_member(world.admin, world.hospital, 8)
    assert check(jkp(member, NEW_RULE_DAY, reason=reason), "jkp_reason")["status"] == status


def test_jkp_citizen_and_registration_age(world: Any) -> None:
    # The registry refuses JKP to a foreign national at enrolment, so the rule is checked on its own too.
    assert citizen_check(citizenship="WNA").status == "fail"
    citizen = pu_member(world.admin, world.hospital, 9)
    assert check(jkp(citizen, NEW_RULE_DAY), "jkp_citizen")["status"] == "pass"
    # Born 1 Mar 1967, registered 1 Mar 2021: 54 on the day, too old; one day younger passes.
    too_old = pu_member(world.admin, world.hospital, 10, born=dt.date(1967, 3, 1))
    assert check(jkp(too_old, NEW_RULE_DAY), "jkp_registration_age")["status"] == "fail"
    young = pu_member(world.admin, world.hospital, 11, born=dt.date(1967, 3, 2))
    assert check(jkp(young, NEW_RULE_DAY), "jkp_registration_age")["status"] == "pass"


def test_jkp_programmes_required_by_employer_size(world: Any) -> None:
    # The hospital is medium-sized: JP is required as well (Perpres 109/2013).
    no_jp = pu_member(world.admin, world.hospital, 12, programs=("JKK", "JKM", "JHT", "JKP"))
    c = check(jkp(no_jp, NEW_RULE_DAY), "jkp_programmes")
    assert c["status"] == "fail"
    assert "JP" in c["message"]
    small = services.employer_register(
        actor=world.admin,
        npp="NPP00777",
        name="UD Kecil",
        legal_form="CV",
        size_class="kecil",
        kbli="47111",
        risk_class=1,
        region="32.16.01",
        branch_office=world.bekasi.pk,
    )
    small_member = pu_member(world.admin, small, 13, programs=("JKK", "JKM", "JHT", "JKP"))
    assert check(jkp(small_member, NEW_RULE_DAY), "jkp_programmes")["status"] == "pass"


def test_membership_must_be_active_at_the_event_with_the_programme(world: Any) -> None:
    before = eligibility_assess(person=world.nurse, benefit="JKM", event_date=dt.date(2019, 12, 31))
    assert check(before, "membership")["status"] == "fail"
    assert before.request is None
    during = eligibility_assess(person=world.nurse, benefit="JKM", event_date=dt.date(2024, 6, 1))
    assert check(during, "membership")["status"] == "pass"
    assert during.programmes == ["JHT", "JKK", "JKM", "JKP", "JP"]
    # The sponsored driver holds JKK and JKM only: no JHT.
    driver = eligibility_assess(person=world.driver, benefit="JHT", event_date=dt.date(2025, 6, 1))
    assert check(driver, "membership")["status"] == "fail"
    services.membership_end(
        actor=world.admin, membership=world.driver_membership, end_date=dt.date(2025, 8, 31)
    )
    ended = eligibility_assess(person=world.driver, benefit="JKM", event_date=dt.date(2025, 9, 1))
    assert check(ended, "membership")["status"] == "fail"


def test_last_reported_wage_is_the_base_and_a_higher_compliance_wage_warns(world: Any) -> None:
    result = eligibility_assess(person=world.nurse, benefit="JKK_DEATH", event_date=dt.date(2024, 6, 1))
    assert result.wage == 4_500_000  # basic 4,000,000 + fixed allowance 500,000
    assert req(result)["monthly_wage"] == 4_500_000
    assert check(result, "wage")["status"] == "pass"
    warned = eligibility_assess(
        person=world.nurse, benefit="JKK_DEATH", event_date=dt.date(2024, 6, 1), compliance_wage=6_000_000
    )
    assert check(warned, "wage")["status"] == "note"
    assert "below the wage in compliance data" in check(warned, "wage")["message"]


def test_employer_more_than_3_months_in_arrears_pays_jkk_first(world: Any) -> None:
    member = pu_member(world.admin, world.factory, 14)
    # Bills for Jan-Apr 2025 never paid: the oldest fell due 15 Feb 2025.
    for period in periods("2025-01", 4):
        bill(member, period)
    accident = dt.date(2025, 5, 15)  # exactly 3 months after the oldest due date: not MORE than 3
    on_time = eligibility_assess(person=member.person, benefit="JKK_STMB", event_date=accident)
    assert on_time.employer_pays_first is False
    late = eligibility_assess(person=member.person, benefit="JKK_STMB", event_date=dt.date(2025, 5, 16))
    assert late.employer_pays_first is True
    assert check(late, "employer_pays_first")["status"] == "note"
    assert late.decision == "eligible"  # the worker is covered; who pays first changes


def test_arrears_settled_before_the_accident_do_not_count(world: Any) -> None:
    member = pu_member(world.admin, world.factory, 15)
    for period in periods("2025-01", 4):
        pay(bill(member, period), dt.date(2025, 5, 10))
    result = eligibility_assess(person=member.person, benefit="JKK_DEATH", event_date=dt.date(2025, 6, 1))
    assert result.employer_pays_first is False


def test_jp_180_months_note(world: Any) -> None:
    member = pu_member(world.admin, world.hospital, 16, start=dt.date(2021, 3, 1))
    paid_months(member, periods("2021-03", 20))
    result = eligibility_assess(person=member.person, benefit="JP", event_date=dt.date(2025, 1, 10))
    c = check(result, "jp_months")
    assert result.paid_months == 20
    assert "fewer than 180" in c["message"]
    assert c["confidence"] == "B"
    assert req(result)["contribution_months"] == 20


def test_wage_reported_to_the_labour_agency_above_the_bpjs_wage_warns(world: Any, tmp_path: Any) -> None:
    """The compliance data comes from a real WLKP import and match, not from the caller."""
    import csv

    from cakupan.compliance.services import compliance_match_run, report_import

    report = tmp_path / "wlkp.csv"
    workers = tmp_path / "pekerja.csv"
    with report.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "NIB",
                "NPP",
                "Nama Perusahaan",
                "Alamat",
                "Kode Wilayah",
                "Periode",
                "Jumlah Pekerja",
                "Total Upah",
                "Skala Usaha",
                "KBLI",
            ]
        )
        out.writerow(
            ["", "NPP00001", "RS Contoh Sehat", "", "35.73.01", "2024-03", 1, 6_000_000, "menengah", "86101"]
        )
    with workers.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["NPP", "NIK", "Nama", "Upah"])
        out.writerow(["NPP00001", world.nurse.nik, "Ners Contoh", 6_000_000])
    imported = report_import(actor=world.admin, source=report, workers=workers)
    compliance_match_run(actor=world.admin, report=imported)

    warned = eligibility_assess(person=world.nurse, benefit="JKK_DEATH", event_date=dt.date(2024, 6, 1))
    assert check(warned, "wage")["status"] == "note"
    assert "Rp6,000,000" in check(warned, "wage")["message"]
    # A report from after the event is not evidence for it.
    before = eligibility_assess(person=world.nurse, benefit="JKK_DEATH", event_date=dt.date(2024, 2, 1))
    assert check(before, "wage")["status"] == "pass"


def test_pp82_2019_scholarship_counts_months_paid_not_calendar_years(world: Any) -> None:
    # Issue 18: the scholarship's 3 years are contribution months paid (masa iur); a gap must be seen.
    # 2021-03 .. 2024-02: three full calendar years before the event; each month is paid on its due date,
    # the 15th of the next, so February 2024 is paid on 15 March, before the event.
    event = dt.date(2024, 3, 20)
    months = periods("2021-03", 36)
    gap = pu_member(world.admin, world.hospital, 30, start=dt.date(2021, 3, 1))
    paid_months(gap, months[:20])
    bill(gap, months[20])  # billed, never paid
    paid_months(gap, months[21:])
    result = eligibility_assess(person=gap.person, benefit="JKM", event_date=event)
    assert result.paid_months == 35
    assert req(result)["contribution_months"] == 35
    answer = benefit_compute({**req(result), "children": 1})
    assert answer["scholarship"] == {"eligible": False, "max_total": 0}
    assert answer["total"] == 42_000_000  # the JKM cash itself is due

    full = pu_member(world.admin, world.factory, 31, start=dt.date(2021, 3, 1))
    paid_months(full, months)
    result = eligibility_assess(person=full.person, benefit="SCHOLARSHIP", event_date=event)
    assert req(result)["contribution_months"] == 36
    answer = benefit_compute({**req(result), "school_levels": ["SMP"]})
    assert answer["eligible"] is True
    assert answer["total"] == 0  # a scholarship is reported on its own, not in the cash total
    assert [c["amount"] for c in answer["components"]] == [2_000_000]

    # Bills that start years after the membership cannot tell the months paid before them: the calculator
    # counts calendar years and says so.
    late = pu_member(world.admin, world.factory, 32, start=dt.date(2019, 1, 1))
    paid_months(late, periods("2024-06", 5))
    result = eligibility_assess(person=late.person, benefit="JKM", event_date=dt.date(2024, 11, 10))
    assert "contribution_months" not in req(result)
    answer = benefit_compute({**req(result), "children": 1})
    assert answer["scholarship"]["eligible"] is True
    assert any("calendar years" in reason for reason in answer["reasons"])
