"""What one sponsored member costs a month, from the rules core: the forecast of a bill not yet written.

The bill itself is the billing run's (contributions); this price serves a month not billed yet (the check
before the run, the runway of a new period, the cost of enrolling a target list), and comes from the same
calculator, so the two agree for the same income and programmes.
"""

from __future__ import annotations

from functools import lru_cache

from cakupan.rules.contributions.assess import contribution_assess_input
from cakupan.rules.contributions.inputs import ContributionInput
from cakupan.rules.contributions.tables import contribution_tables
from cakupan.rules.period import Period

# The calculator's source of funds per sponsor kind (the billing run maps them alike).
FUNDING_OF_KIND = {"apbd": "apbd", "csr": "csr", "donor": "donor"}


@lru_cache(maxsize=256)
def member_price(*, period: str, declared_income: int, jht: bool, funding: str = "apbd") -> int:
    """The monthly contribution of one sponsored BPU member (sector other), whole Rupiah."""
    month = Period.parse(period)
    programs = ("JKK", "JKM", "JHT") if jht else ("JKK", "JKM")
    assessment = contribution_assess_input(
        rules=contribution_tables().for_period(month),
        inp=ContributionInput(
            segment="BPU",
            period=month,
            programs=programs,
            declared_income=declared_income,
            sector="other",
            funding=funding,
        ),
    )
    return assessment.totals()["total"]
