from __future__ import annotations

import datetime as dt

import pytest

from cakupan.rules.period import Period


def test_parse_and_days() -> None:
    period = Period.parse("2024-02")
    assert (period.year, period.month, str(period)) == (2024, 2, "2024-02")
    assert period.first_day == dt.date(2024, 2, 1)
    assert period.last_day == dt.date(2024, 2, 29)
    assert Period.parse("2025-02").last_day == dt.date(2025, 2, 28)


@pytest.mark.parametrize(
    "text", ["2025-13", "2025-00", "2025-1", "25-01", "2025-01-01", " 2025-01", "2025/01", ""]
)
def test_impossible_or_malformed_periods_are_refused(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message varies; the type is the contract
        Period.parse(text)


def test_order_and_shift() -> None:
    assert Period(2025, 12) < Period(2026, 1)
    assert Period(2025, 12).shift(1) == Period(2026, 1)
    assert Period(2026, 1).shift(-1) == Period(2025, 12)
    assert Period(2026, 3).shift(-26) == Period(2024, 1)
    assert Period.of(dt.date(2026, 7, 31)) == Period(2026, 7)
