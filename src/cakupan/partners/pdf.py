"""The scorecard as a PDF for the partners' quarterly meeting (WeasyPrint), in Bahasa Indonesia as the
letters are: the parties, each KPI's latest value against its target and path, and its trend."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from cakupan.partners.models import Agreement
from cakupan.partners.scorecard import scorecard
from cakupan.partners.selectors import party_names


def scorecard_pdf(agreement: Agreement, period: str | None = None) -> bytes:
    from weasyprint import HTML  # imported here: loading pango costs time every other page can skip

    with translation.override("id"):
        card = scorecard(agreement, period)
        html = render_to_string("partners/scorecard_pdf.html", {**card, "parties": party_names(agreement)})
    return bytes(HTML(string=html).write_pdf())
