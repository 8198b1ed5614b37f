"""The card's QR code (segno): the verify URL as an SVG image, for the page and the PDF alike."""

from __future__ import annotations

import segno


def qr_data_uri(url: str) -> str:
    """An SVG data URI (the CSP allows `data:` images, not inline markup with styles). Error correction M
    (15 %) survives a scratched printout or a cracked phone screen; without width and height but with a
    viewBox, the image scales to whatever size the stylesheet gives it."""
    code = segno.make(url, error="m", boost_error=False)
    return str(code.svg_data_uri(border=4, omitsize=True, dark="#000", light="#fff"))
