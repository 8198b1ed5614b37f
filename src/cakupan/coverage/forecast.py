"""Year-end forecast from the recent trend: ordinary least squares on monthly counts.

Pure functions, exact arithmetic (fractions); the caller rounds once at the end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from cakupan.rules.period import Period


@dataclass(frozen=True)
class Trend:
    slope: Fraction  # participants per month
    intercept: Fraction  # value at x = 0
    residual_std: float  # sqrt(SSR / (n - 2)); 0 with two points or fewer
    n: int

    def at(self, x: int) -> Fraction:
        return self.intercept + self.slope * x


def trend_fit(points: list[tuple[int, int]]) -> Trend:
    """Least squares line through (month index, active) points. One point: a flat line."""
    if not points:
        raise ValueError("no points to fit")
    n = len(points)
    if n == 1:
        return Trend(slope=Fraction(0), intercept=Fraction(points[0][1]), residual_std=0.0, n=1)
    mean_x = Fraction(sum(x for x, _ in points), n)
    mean_y = Fraction(sum(y for _, y in points), n)
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    slope = sxy / sxx if sxx else Fraction(0)
    intercept = mean_y - slope * mean_x
    ssr = sum((y - (intercept + slope * x)) ** 2 for x, y in points)
    std = math.sqrt(ssr / (n - 2)) if n > 2 else 0.0
    return Trend(slope=slope, intercept=intercept, residual_std=std, n=n)


def month_index(period: str) -> int:
    """Months since year 0, so consecutive periods differ by 1 across year ends."""
    return Period.parse(period).index


def round_half_up(value: Fraction | float) -> int:
    return math.floor(Fraction(value) + Fraction(1, 2))
