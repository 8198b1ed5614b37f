"""Budget planner totals, computed by hand from rules.md: BPU JKK 1 % of Rp1,000,000 = 10,000 plus JKM
6,800 = 16,800 a month; PP 50/2025 halves it (8,400) for transport Jan 2026 - Mar 2027 and for other
informal work Apr - Dec 2026, except when the APBD pays."""

from __future__ import annotations

from typing import Any

import pytest

from cakupan.core.errors import InvalidInput
from cakupan.coverage.services.planner import planner_compare, planner_cost


def test_100_workers_12_months_2026() -> None:
    apbd, csr, csr_transport = planner_compare(
        workers=100,
        start="2026-01",
        months=12,
        options=[("apbd", "other"), ("csr", "other"), ("csr", "transport")],
    )
    assert apbd.total == 100 * 12 * 16_800 == 20_160_000
    assert apbd.discount == 0
    assert csr.total == 100 * (3 * 16_800 + 9 * 8_400) == 12_600_000
    assert csr.discount == 100 * 9 * 8_400
    assert csr_transport.total == 100 * 12 * 8_400 == 10_080_000
    assert all(isinstance(s.total, int) for s in (apbd, csr, csr_transport))


def test_months_span_years() -> None:
    s = planner_cost(workers=10, start="2026-11", months=6, funding="csr", sector="transport")
    # Nov 2026 - Mar 2027 discounted (5 months), Apr 2027 full.
    assert [m["period"] for m in s.per_month] == [
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
        "2027-03",
        "2027-04",
    ]
    assert s.total == 10 * (5 * 8_400 + 16_800)


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        ({"workers": 0, "start": "2026-01", "months": 12, "funding": "apbd"}, ["workers"]),
        ({"workers": 5, "start": "2026-13", "months": 0, "funding": "bank"}, ["start", "months", "funding"]),
    ],
)
def test_bad_input(kwargs: dict[str, Any], fields: list[str]) -> None:
    with pytest.raises(InvalidInput) as exc:
        planner_cost(**kwargs)
    assert [e.field for e in exc.value.errors] == fields
