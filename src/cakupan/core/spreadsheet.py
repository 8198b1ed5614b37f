"""Cells that a spreadsheet would run as a formula (CSV/formula injection), made harmless in every export.

A text cell that begins with =, +, -, @, a tab or a carriage return is written with a leading apostrophe,
so Excel, LibreOffice and Google Sheets show it as text. One rule for every export of the product.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The same rule as a regular expression, for vectorised (polars) columns.
FORMULA_PATTERN = r"^[=+\-@\t\r]"


def neutralise(value: Any) -> Any:
    """`value` with a leading apostrophe when it is text a spreadsheet would treat as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
