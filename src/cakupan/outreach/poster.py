"""The event's QR poster (A4 PDF, WeasyPrint + segno): the event's name, date and place, a large QR code
of the absolute sign-up URL, the URL and the code written out for those who type it, and three steps in
Indonesian. Always Indonesian, as the cards and letters are: it hangs in a market, not on a screen."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from cakupan.cards.qr import qr_data_uri
from cakupan.outreach.models import Event


def poster_pdf(event: Event, url: str) -> bytes:
    from weasyprint import HTML  # imported here: loading pango costs time every other page can skip

    with translation.override("id"):
        html = render_to_string(
            "outreach/poster_pdf.html", {"event": event, "url": url, "qr": qr_data_uri(url)}
        )
    return bytes(HTML(string=html).write_pdf())
