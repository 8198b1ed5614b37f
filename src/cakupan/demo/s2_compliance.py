"""S2, Kabupaten Batang: the labour agency's workforce report (WLKP) of the demo period, matched with the
registry through the compliance services, and a first warning to the company that registered part of its
workers.

The report is what the Batang employers told the Dinas Ketenagakerjaan: their open employments as the
registry holds them (head count, wages, and the worker list with NIKs), plus what the registry cannot know.
It is written as the CSV files an agency would upload and goes through `report_import` and
`compliance_match_run` under the agency's login, so every class and Rupiah amount on the compliance pages
comes from the product:

- PT Contoh Batang Industri (NPP): 1,500 reported, 1,000 registered: PDS workers, its 500 unregistered
  employees' NIKs listed as missing;
- CV Contoh Mebel Batang, PT Fiktif Batang Plastik (NIB): they hold an NPP but registered none of their
  workers. The matcher finds them in the registry, so they come out as PDS workers with every worker
  missing, not as PWBD: PWBD is for an employer the registry does not know at all;
- PT Fiktif Sepatu Kandeman, PT Fiktif Kaca Nusantara: new factories of the Batang industrial estate that
  report to the agency (NIB from OSS) but never registered with BPJS Ketenagakerjaan: PWBD;
- PT Contoh Olahan Ikan Batang (NPP): pays a fifth more than the wage it registered: PDS wages, every
  listed worker under-waged;
- CV Contoh Batik Batang (name only): grown to a medium business and reported so, still without JP: PDS
  programmes;
- PT Contoh Batang Logistik (NPP): compliant;
- "Gudang Contoh Batang Logistik" (name only): close to a registered name but not close enough: the
  review queue asks a person.
Then the Pekalongan branch opens a case on PT Contoh Batang Industri and issues the first written warning
(its letter is a PDF on the case page).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from cakupan.accounts.models import User
from cakupan.compliance.models import Finding, StepKind, WorkforceReport
from cakupan.compliance.services import case_open, case_step_issue, compliance_match_run, report_import
from cakupan.regions.models import Region
from cakupan.registry.models import Employer, Employment

from . import figures as f
from . import s2_batang
from .staffing import size_class
from .story import DEMO_PERIOD, Say

REPORT_FILE = f"wlkp-disnaker-batang-{DEMO_PERIOD}.csv"  # also how `demo_delete` finds the report
WORKERS_FILE = f"wlkp-disnaker-batang-{DEMO_PERIOD}-pekerja.csv"
IMPORTER = "disnaker_batang"  # the agency uploads and matches its report (actors.LOGINS)
CASE_WORKER = "staf_pekalongan"  # the branch serving Batang enforces
# The first working day after figures.AS_OF (a Saturday): the warning's deadline has passed by the time
# anyone looks at the demo, so the second warning can be issued from the case page.
WARNING_DAY = dt.date(2025, 11, 3)
# The under-waged employer pays 6/5 of the wage it registered.
PAID, REGISTERED = 6, 5

# By what the report names each registered employer: NPP and NIB, NIB only (the agency knows an employer
# by its OSS business number), or its name only.
BY_NIB = frozenset(s2_batang.NOT_REGISTERING)
BY_NAME = frozenset({s2_batang.GROWN_NAME})


@dataclass(frozen=True)
class Unregistered:
    """An employer that reports to the labour agency and is not in the registry (as the report has it)."""

    name: str
    district: str
    kbli: str
    workers: int  # at scale 1
    wage: int  # average monthly wage
    with_nib: bool = True


NOT_IN_REGISTRY = (
    Unregistered("PT Fiktif Sepatu Kandeman", "Kandeman", f.KBLI_FOOTWEAR, 240, 2_700_000),
    Unregistered("PT Fiktif Kaca Nusantara", "Gringsing", f.KBLI_SHEET_GLASS, 90, 3_100_000),
    # A depot reported under its own name: the matcher asks whether it is PT Contoh Batang Logistik.
    Unregistered("Gudang Contoh Batang Logistik", "Batang", f.KBLI_WAREHOUSING, 8, 2_800_000, with_nib=False),
)
REPORT_HEADER = [
    "NIB", "NPP", "Nama Perusahaan", "Alamat", "Kode Wilayah", "Periode", "Jumlah Pekerja", "Total Upah",
    "Skala Usaha", "KBLI",
]  # fmt: skip
WORKERS_HEADER = ["NIB", "NPP", "NIK", "Nama Pekerja", "Upah"]


def _csv(header: list[str], rows: list[list[Any]], name: str) -> io.BytesIO:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    content = io.BytesIO(text.getvalue().encode())
    content.name = name
    return content


def _free_nibs(count: int) -> list[str]:
    """NIBs no employer in the database holds (demo NIBs are random 13-digit numbers, these a series)."""
    candidates = [f"{9_120_000_000_000 + n}" for n in range(count + 20)]
    taken = set(Employer.objects.filter(nib__in=candidates).values_list("nib", flat=True))
    return [nib for nib in candidates if nib not in taken][:count]


def report_files(*, scale: float) -> tuple[io.BytesIO, io.BytesIO]:
    """The agency's report and worker list: the Batang demo employers' open employments, and the
    employers the registry does not know. Two queries."""
    employers = list(
        Employer.objects.filter(npp__startswith=f.NPP_PREFIX, region__parent_id=f.BATANG)
        .select_related("region")
        .order_by("npp")
    )
    jobs: dict[int, list[tuple[str, str, int]]] = {e.pk: [] for e in employers}
    for employer_id, nik, name, basic, allowance in (
        Employment.objects.filter(employer__in=employers, end_date__isnull=True)
        .order_by("employer_id", "person__nik")
        .values_list("employer_id", "person__nik", "person__full_name", "basic_wage", "fixed_allowance")
    ):
        jobs[employer_id].append((nik, name, basic + allowance))
    rows: list[list[Any]] = []
    workers: list[list[Any]] = []
    for e in employers:
        listed = jobs[e.pk]
        if e.name == s2_batang.UNDERWAGED_NAME:
            listed = [(nik, name, wage * PAID // REGISTERED // 1000 * 1000) for nik, name, wage in listed]
        nib = "" if e.name in BY_NAME else e.nib
        npp = "" if e.name in BY_NAME | BY_NIB else e.npp
        size = s2_batang.GROWN_SIZE if e.name == s2_batang.GROWN_NAME else e.size_class
        address = f"Kec. {e.region.name}, Kabupaten Batang"
        wages = sum(wage for _nik, _name, wage in listed)
        rows.append([nib, npp, e.name, address, e.region_id, DEMO_PERIOD, len(listed), wages, size, e.kbli])
        if nib or npp:
            workers += [[nib, npp, nik, name, wage] for nik, name, wage in listed]
    districts = dict(
        Region.objects.filter(parent_id=f.BATANG, level=3).values_list("name", "code").order_by("code")
    )
    nibs = iter(_free_nibs(len(NOT_IN_REGISTRY)))
    for u in NOT_IN_REGISTRY:
        count = f.scaled(u.workers, scale, floor=3)
        nib = next(nibs) if u.with_nib else ""
        address = f"Kec. {u.district}, Kabupaten Batang"
        region = districts[u.district]
        size = size_class(u.workers)
        rows.append([nib, "", u.name, address, region, DEMO_PERIOD, count, count * u.wage, size, u.kbli])
    return _csv(REPORT_HEADER, rows, REPORT_FILE), _csv(WORKERS_HEADER, workers, WORKERS_FILE)


def compliance_load(*, scale: float, users: list[User], say: Say) -> dict[str, int]:
    """Import and match the report as the agency, then open the case and its first warning as the branch."""
    by_name = {u.username: u for u in users}
    agency, branch = by_name[IMPORTER], by_name[CASE_WORKER]
    source, workers = report_files(scale=scale)
    report: WorkforceReport = report_import(
        actor=agency, source=source, workers=workers, file_name=REPORT_FILE, workers_file_name=WORKERS_FILE
    )
    say("S2 Batang: employers in the labour agency's report", report.employers)
    run = compliance_match_run(actor=agency, report=report)
    say("S2 Batang: findings (estimated monthly gap, Rp)", run.total_gap)
    company = Finding.objects.get(run=run, employer__name=s2_batang.COMPANY_NAME)
    case = case_open(actor=branch, finding_ids=[company.pk])
    case_step_issue(actor=branch, case=case, kind=StepKind.WARNING_1, today=WARNING_DAY)
    say("S2 Batang: cases opened (first warning issued)", 1)
    return {"compliance_findings": sum(run.counts.values()), "compliance_cases": 1}
