"""Letters of the enforcement steps: Django templates (templates/compliance/letters/) rendered to PDF by
WeasyPrint. Letters are official documents in Bahasa Indonesia, whatever the user's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from cakupan.compliance.models import CaseStep, Finding
from cakupan.rules.sanctions import SanctionTables

MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
LISTED_NIKS = 500  # the annex lists at most this many NIKs; the count is always complete


def tanggal(day: dt.date | None) -> str:
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}" if day else "-"


def rupiah_id(amount: int | None) -> str:
    return "Rp" + f"{amount or 0:,}".replace(",", ".")


def _evidence(findings: list[Finding]) -> list[dict[str, Any]]:
    return [
        {
            "period": f.reported.period,
            "reported_workers": f"{f.reported.reported_workers:,}".replace(",", "."),
            "registered_workers": f"{f.registered_workers:,}".replace(",", "."),
            "missing_workers": f"{f.missing_workers:,}".replace(",", "."),
            "reported_wages": rupiah_id(f.reported.reported_wages),
            "registered_wages": rupiah_id(f.registered_wages),
            "missing_programmes": ", ".join(f.missing_programmes) or "-",
            "klass": f.klass,
            "gap": rupiah_id(f.gap),
            "missing_niks": len(f.missing_niks),
            "underwaged_niks": len(f.underwaged_niks),
        }
        for f in findings
    ]


def letter_render(*, step: CaseStep, tables: SanctionTables) -> bytes:
    from weasyprint import HTML

    case = step.case
    findings = list(case.findings.select_related("reported").order_by("reported__period", "id"))
    missing = sorted({n for f in findings for n in f.missing_niks})
    underwaged = sorted({n for f in findings for n in f.underwaged_niks})
    context = {
        "step": step,
        "case": case,
        "today": tanggal(step.issued_on),
        "deadline": tanggal(step.deadline),
        "fine": rupiah_id(step.amount),
        "gap": rupiah_id(case.gap),
        "evidence": _evidence(findings),
        "missing_count": len(missing),
        "missing_niks": missing[:LISTED_NIKS],
        "underwaged_count": len(underwaged),
        "underwaged_niks": underwaged[:LISTED_NIKS],
        "tables": tables,
        "warning_days": tables.warning_working_days.value,
        "fine_rate": str(tables.fine_rate.value).replace(".", ","),
        "fine_days": tables.fine_max_days.value,
        "office": case.branch_office.name if case.branch_office else "BPJS Ketenagakerjaan",
        "region": case.region.name,
    }
    with translation.override("id"):
        html = render_to_string(f"compliance/letters/{step.kind}.html", context)
    return bytes(HTML(string=html).write_pdf())
