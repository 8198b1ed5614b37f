"""Money is whole Rupiah as int. The one rounding rule: half up, applied per programme and per party."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def rupiah(amount: Decimal | int) -> int:
    """Round a Rupiah amount half up to a whole Rupiah (0.5 goes up, never banker's rounding)."""
    return int(Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent_of(base: int, rate_percent: Decimal | str) -> int:
    """`rate_percent` % of `base`, rounded half up. Rates are Decimals from the rule tables, never floats."""
    return rupiah(Decimal(base) * Decimal(rate_percent) / Decimal(100))
