"""The card as a PDF (WeasyPrint): one page the size of an ID card (ISO/IEC 7810 ID-1, 85.6 x 54 mm).

Always in Bahasa Indonesia, as the letters are: it is shown to a hospital, a police officer, an employer.
It carries the card's date, not a status: paper cannot know the status of a later day, the QR code can.
"""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from cakupan.cards.qr import qr_data_uri
from cakupan.cards.selectors import CardFace

STYLESHEET = "cards/cards.css"
SCREEN_ONLY = "/* screen only"


def _stylesheet() -> str:
    # The page's own stylesheet, so that the card looks the same on screen and on paper.
    path = finders.find(STYLESHEET)
    with open(str(path), encoding="utf-8") as handle:
        return handle.read().split(SCREEN_ONLY, 1)[0]


def card_pdf(face: CardFace) -> bytes:
    from weasyprint import HTML  # imported here: loading pango costs time every other page can skip

    with translation.override("id"):
        html = render_to_string(
            "cards/card_pdf.html",
            {"face": face, "qr": qr_data_uri(face.url) if face.url else "", "stylesheet": _stylesheet()},
        )
    return bytes(HTML(string=html).write_pdf())
