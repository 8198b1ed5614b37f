"""The demo's compliance story (demo.s2_compliance): the Batang labour agency's report matched with the
registry, the classes and the 500 missing workers, the review queue, the first warning, and the pages.

The set is loaded once for this module at a small scale (the Batang company's 1,500/1,000 never scale)
inside a transaction rolled back at the end.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from cakupan.accounts.models import User
from cakupan.compliance.models import (
    Case,
    CaseStep,
    Finding,
    FindingClass,
    MatchRun,
    ReviewItem,
    StepKind,
    WorkforceReport,
)
from cakupan.compliance.selectors import dashboard
from cakupan.demo import s2_batang, s2_compliance
from cakupan.demo.services import DemoResult, demo_load
from cakupan.registry.models import Employer, Employment, Membership

SCALE = 0.01
SEED = 77


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_load(seed=SEED, scale=SCALE)
        transaction.set_rollback(True)


def _findings() -> dict[str, Finding]:
    run = MatchRun.objects.get()
    return {f.reported.name: f for f in Finding.objects.filter(run=run).select_related("reported")}


def test_the_batang_company_is_pds_workers_with_its_500_unregistered_employees_missing(
    demo: DemoResult, db: Any
) -> None:
    company = Employer.objects.get(name=s2_batang.COMPANY_NAME)
    finding = _findings()[s2_batang.COMPANY_NAME]
    assert (finding.klass, finding.method, finding.employer_id) == (
        FindingClass.PDS_WORKERS,
        "npp",
        company.pk,
    )
    assert (finding.reported.reported_workers, finding.registered_workers) == (1500, 1000)
    assert finding.missing_workers == 500
    registered = Membership.objects.filter(employer=company, status="active").values("person_id")
    unregistered = Employment.objects.filter(employer=company, end_date__isnull=True).exclude(
        person_id__in=registered
    )
    assert sorted(finding.missing_niks) == sorted(unregistered.values_list("person__nik", flat=True))
    assert len(finding.missing_niks) == 500
    assert finding.branch_office is not None
    assert (finding.region_id, finding.branch_office.code) == ("33.25", "PKL")
    # The gap is the product's: 500 workers priced alike (plus what averaging the wages adds).
    assert finding.gap_workers > 0
    assert finding.gap_workers % 500 == 0
    assert finding.gap == finding.gap_workers + finding.gap_wages + finding.gap_programmes


def test_every_class_of_the_report(demo: DemoResult, db: Any) -> None:
    findings = _findings()
    classes = {name: (f.klass, f.method) for name, f in findings.items()}
    assert classes == {
        s2_batang.COMPANY_NAME: (FindingClass.PDS_WORKERS, "npp"),
        # In the registry with an NPP but nobody registered: PDS workers, every worker missing.
        "CV Contoh Mebel Batang": (FindingClass.PDS_WORKERS, "nib"),
        "PT Fiktif Batang Plastik": (FindingClass.PDS_WORKERS, "nib"),
        # Not in the registry at all: PWBD.
        "PT Fiktif Sepatu Kandeman": (FindingClass.PWBD, "none"),
        "PT Fiktif Kaca Nusantara": (FindingClass.PWBD, "none"),
        s2_batang.UNDERWAGED_NAME: (FindingClass.PDS_WAGES, "npp"),
        s2_batang.GROWN_NAME: (FindingClass.PDS_PROGRAMMES, "name"),
        s2_batang.LOGISTICS_NAME: (FindingClass.COMPLIANT, "npp"),
        "Gudang Contoh Batang Logistik": (FindingClass.REVIEW, "review"),
    }
    for name in s2_batang.NOT_REGISTERING:
        f = findings[name]
        assert f.registered_workers == 0
        assert f.missing_workers == f.reported.reported_workers == len(f.missing_niks) > 0
        assert f.gap > 0
    for name in ("PT Fiktif Sepatu Kandeman", "PT Fiktif Kaca Nusantara"):
        assert findings[name].employer is None
        assert findings[name].gap > 0
    underwaged = findings[s2_batang.UNDERWAGED_NAME]
    assert underwaged.gap_wages == underwaged.gap > 0
    assert (
        len(underwaged.underwaged_niks)
        == underwaged.registered_workers
        == underwaged.reported.reported_workers
    )
    grown = findings[s2_batang.GROWN_NAME]
    assert grown.missing_programmes == ["JP"]
    assert grown.gap == grown.gap_programmes > 0
    assert findings[s2_batang.LOGISTICS_NAME].gap == 0
    run = MatchRun.objects.get()
    assert run.total_gap == sum(f.gap for f in findings.values())
    assert demo.counts["compliance_findings"] == len(findings) == 9


def test_the_name_only_depot_waits_in_the_review_queue(demo: DemoResult, db: Any) -> None:
    item = ReviewItem.objects.get()
    assert item.status == ReviewItem.Status.PENDING
    assert item.reported.name == "Gudang Contoh Batang Logistik"
    assert item.candidate.name == s2_batang.LOGISTICS_NAME
    assert 0.75 <= item.score < 0.93


def test_a_case_on_the_company_at_its_first_warning(demo: DemoResult, db: Any) -> None:
    case = Case.objects.get()
    assert case.employer is not None
    assert case.employer.name == s2_batang.COMPANY_NAME
    assert case.status == Case.Status.OPEN
    assert case.gap == _findings()[s2_batang.COMPANY_NAME].gap
    step = CaseStep.objects.get(case=case)
    assert (step.kind, step.issued_on) == (StepKind.WARNING_1, s2_compliance.WARNING_DAY)
    assert bytes(step.letter).startswith(b"%PDF")
    client = Client()
    client.force_login(User.objects.get(username="staf_pekalongan"))
    letter = client.get(reverse("compliance:letter", args=[step.pk]))
    assert letter.status_code == 200
    assert letter["Content-Type"] == "application/pdf"


def test_the_dashboard_shows_batang_to_its_agency_and_branch(demo: DemoResult, db: Any) -> None:
    company = _findings()[s2_batang.COMPANY_NAME]
    for username in ("disnaker_batang", "staf_pekalongan"):
        user = User.objects.get(username=username)
        data = dashboard(user=user)
        assert data["by_class"][FindingClass.PDS_WORKERS]["n"] == 3
        assert set(data["by_class"]) == {
            FindingClass.PDS_WORKERS,
            FindingClass.PWBD,
            FindingClass.PDS_WAGES,
            FindingClass.PDS_PROGRAMMES,
            FindingClass.REVIEW,
        }
        assert data["potential"] == MatchRun.objects.get().total_gap
        assert data["pipeline"] == {StepKind.WARNING_1: 1, "closed": 0}
        client = Client()
        client.force_login(user)
        page = client.get(reverse("compliance:dashboard")).content.decode()
        assert s2_batang.COMPANY_NAME in page
        assert "Rp" + f"{company.gap:,}".replace(",", ".") in page  # Indonesian digit grouping
        assert "PT Fiktif Sepatu Kandeman" in page
    staff = Client()
    staff.force_login(User.objects.get(username="staf_pekalongan"))
    assert "Gudang Contoh Batang Logistik" in staff.get(reverse("compliance:review")).content.decode()


def test_other_scopes_do_not_see_batang(demo: DemoResult, db: Any) -> None:
    assert dashboard(user=User.objects.get(username="staf_malang"))["potential"] == 0
    hr = dashboard(user=User.objects.get(username="hr_batang"))
    assert hr["potential"] == _findings()[s2_batang.COMPANY_NAME].gap


def test_rerun_adds_nothing_and_reset_rebuilds_the_report(demo: DemoResult, db: Any) -> None:
    again = demo_load(seed=SEED, scale=SCALE)
    assert not again.created
    assert (WorkforceReport.objects.count(), MatchRun.objects.count(), Case.objects.count()) == (1, 1, 1)
    gaps = {name: f.gap for name, f in _findings().items()}
    rebuilt = demo_load(seed=SEED, scale=SCALE, reset=True)
    assert rebuilt.created
    assert (WorkforceReport.objects.count(), MatchRun.objects.count(), Case.objects.count()) == (1, 1, 1)
    assert ReviewItem.objects.count() == 1
    assert {name: f.gap for name, f in _findings().items()} == gaps
