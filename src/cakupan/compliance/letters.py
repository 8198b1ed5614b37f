"""Letters of the enforcement steps: Django templates (templates/compliance/letters/) rendered to PDF by
WeasyPrint. Letters are official documents in Bahasa Indonesia, whatever the user's language."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from cakupan.compliance.models import Case, CaseStep, Finding
from cakupan.core import display
from cakupan.partners.models import PartnerAgency
from cakupan.regions.models import Region
from cakupan.rules.sanctions import SanctionTables

LISTED_NIKS = 500  # the annex lists at most this many NIKs; the count is always complete


# Amounts, counts and dates as everywhere else (core.display), in Indonesian whatever the user's language.
def _count(n: int) -> str:
    return display.count(n, lang="id")


def _rupiah(amount: int | None) -> str:
    return display.rupiah(amount or 0, lang="id")


def _evidence(findings: list[Finding]) -> list[dict[str, Any]]:
    return [
        {
            "period": display.month(f.reported.period, lang="id"),
            "reported_workers": _count(f.reported.reported_workers),
            "registered_workers": _count(f.registered_workers),
            "missing_workers": _count(f.missing_workers),
            "reported_wages": _rupiah(f.reported.reported_wages),
            "registered_wages": _rupiah(f.registered_wages),
            "missing_programmes": ", ".join(f.missing_programmes) or "-",
            "klass": f.klass,
            "gap": _rupiah(f.gap),
            "missing_niks": len(f.missing_niks),
            "underwaged_niks": len(f.underwaged_niks),
        }
        for f in findings
    ]


def _copies(case: Case) -> list[str]:
    """Tembusan: the labour agency of the employer's regency (a partner agency when we have one, else
    the office by its function), and the provincial labour inspectors."""
    regency = Region.objects.filter(code=case.region_id[:5]).first()
    province = Region.objects.filter(code=case.region_id[:2]).first()
    agency = (
        PartnerAgency.objects.filter(kind=PartnerAgency.Kind.LABOUR, region_id=case.region_id[:5])
        .order_by("name")
        .first()
    )
    place = regency.name if regency else case.region.name
    first = f"Kepala {agency.name}" if agency else f"Kepala Dinas yang membidangi ketenagakerjaan {place}"
    second = "Pengawas Ketenagakerjaan " + (f"Provinsi {province.name}" if province else "Provinsi")
    return [first, second]


def _signatory(step: CaseStep) -> dict[str, str]:
    """Who signs: the officer who issued the step, on behalf of the head of the office (a.n.)."""
    case = step.case
    office = case.branch_office.name if case.branch_office else "Kantor Pusat BPJS Ketenagakerjaan"
    user = step.issued_by
    name = (user.get_full_name() or user.get_username()) if user is not None else ""
    return {"on_behalf": f"a.n. Kepala {office}", "name": name}


def letter_render(*, step: CaseStep, tables: SanctionTables) -> bytes:
    from weasyprint import HTML

    case = step.case
    findings = list(case.findings.select_related("reported").order_by("reported__period", "id"))
    missing = sorted({n for f in findings for n in f.missing_niks})
    underwaged = sorted({n for f in findings for n in f.underwaged_niks})
    latest = findings[-1] if findings else None
    office = case.branch_office
    seat = office.region.name if office is not None and office.region_id else ""
    context = {
        # The count the evidence table gives for the latest month, and the NIKs of the worker list: a
        # report without a worker list counts the workers but cannot name them.
        "latest_period": display.month(latest.reported.period, lang="id") if latest else "",
        "missing_workers": _count(latest.missing_workers if latest else 0),
        "listed": any(f.reported.workers.exists() for f in findings),
        "letterhead": {
            "office": office.name if office else "Kantor Pusat",
            "seat": seat,
        },
        "signatory": _signatory(step),
        "copies": _copies(case),
        "step": step,
        "case": case,
        "today": display.date(step.issued_on, lang="id"),
        "deadline": display.date(step.deadline, lang="id"),
        "fine": _rupiah(step.amount),
        "gap": _rupiah(case.gap),
        "evidence": _evidence(findings),
        "missing_count": len(missing),
        "missing_niks": missing[:LISTED_NIKS],
        "underwaged_count": len(underwaged),
        "underwaged_niks": underwaged[:LISTED_NIKS],
        "tables": tables,
        "warning_days": tables.warning_working_days.value,
        "fine_rate": display.percent_points(tables.fine_rate.value, lang="id"),
        "fine_days": tables.fine_max_days.value,
        "office": case.branch_office.name if case.branch_office else "BPJS Ketenagakerjaan",
        "region": case.region.name,
    }
    with translation.override("id"):
        html = render_to_string(f"compliance/letters/{step.kind}.html", context)
    return bytes(HTML(string=html).write_pdf())
