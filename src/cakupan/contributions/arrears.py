"""Late fines, ageing buckets and membership standing: the rules, as pure functions (no queries).

The queries that feed them are in selectors_payments.py.

Late fine (denda), rules.md §4 (kontan.co.id quoting Kompas; PP 44/2015, PP 46/2015) [C]: "2 % for each month
late, calculated on the contribution that should have been paid; the employer bears it entirely"; 0.5 % for
the contributions of August 2020 to January 2021 (PP 49/2020, rules.md §2.7). The rate is the rule table's
(`payment_terms.late_fine_percent_per_month` in rules/tables/contributions.toml) for the bill's contribution
month; to change it, point CAKUPAN_CONTRIBUTION_TABLES at a corrected copy. So:
- only EMPLOYER accounts are fined (PU contributions, which the employer pays; a bill also carrying Jakon
  lines is fined on the whole unpaid amount [M]); self-paying BPU, sponsors and the state budget are not,
  no fine rule being known for them (rules.md §3 [U]);
- SIMPLE, not compounding: the fine is never charged on a fine. Whether BPJS compounds is [U]; rules.md §4
  says to assume simple 2 % × months × unpaid principal [M];
- the JP fine rate is [U] (rules.md §4, §11.3: "do not assume 2 %"); we have no other figure, so JP is fined
  at the same rate until confirmed.

Month counting (our reading, [M]): late month k runs from the day after (due date + (k-1) months) to
(due date + k months), both by calendar month with the day clamped to the month's end. A STARTED month counts
as a whole month: one day late is one month late; paid on the due date is not late. The principal of month k
is what was still unpaid at the end of the day that month starts after (payments dated that day or earlier
count), so a partial payment lowers the fine from the next month on;
fine_k = round half up(rate × principal_k), and the fine is the sum over the months started by the
as-of date. For a bill never paid this is exactly rate × months late × amount due.

Standing (rule table `arrears_standing`; rules.md §4, BPJS rule quoted by star.grid.id, PP 44/2015) [C]: an
employer whose arrears are "more than 3 months" must pay JKK benefits itself first (BPJS reimburses after
arrears and fines are paid). Our reading [M]: the oldest bill still (partly) unpaid fell due MORE than 3
calendar months before the as-of date (due + 3 months < as-of), i.e. the employer has been continuously in
arrears for more than 3 months ("berturut-turut"). With monthly bills this also means at least 3 bills unpaid
past due; the number of unpaid past-due bills is shown next to the flag.

BPU (self-paying and sponsored accounts): non-active after 3 unpaid months, from one secondary source (a
Perisai agents' FAQ, rules.md §12.2) [M]: same reading as above, and every BPU flag is marked unconfirmed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from cakupan.rules.contributions import contribution_tables
from cakupan.rules.money import rupiah
from cakupan.rules.period import Period, add_months
from cakupan.rules.sourced import Sourced

FINED_ACCOUNT_KINDS = frozenset({"employer"})

BPU_ACCOUNT_KINDS = frozenset({"self", "sponsor"})

# Ageing buckets in days past due (the first day after the due date is day 1).
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("d0_30", 0, 30),
    ("d31_60", 31, 60),
    ("d61_90", 61, 90),
    ("d91_plus", 91, None),
)


def late_fine_rate(period: Period | str, kind: str = "regular") -> Decimal:
    """The late fine per started month (a fraction: 0.02 is 2 %) of a bill for contribution month `period`,
    from the rule table: 2 % (rules.md §4), 0.5 % for August 2020 to January 2021 (PP 49/2020); a bill of
    kind `pp49_jp_repayment` (the JP deferred under PP 49/2020) at the relief's repayment fine, which is
    flagged unconfirmed in the table (rules.md §2.7 gives none of its own)."""
    month = Period.parse(period) if isinstance(period, str) else period
    rules = contribution_tables().for_period(month)
    if kind == "pp49_jp_repayment":
        if rules.relief is None:
            raise ValueError(f"The rule tables have no PP 49/2020 relief for {month}.")
        return rules.relief.jp_repay_late_fine_percent_per_month.value / 100
    terms = rules.payment_terms
    if terms is None:
        raise ValueError(f"The rule tables have no payment terms for {month}.")
    return terms.late_fine_percent_per_month.value / 100


def months_late(due_date: dt.date, as_of: dt.date) -> int:
    """Months late, a started month counting as a whole one; 0 on or before the due date."""
    if as_of <= due_date:
        return 0
    months = (as_of.year - due_date.year) * 12 + as_of.month - due_date.month
    # `months` whole months have passed unless the day of month has not been reached yet.
    if add_months(due_date, months) >= as_of:
        months -= 1
    return months + 1


def late_fine(
    *,
    amount_due: int,
    due_date: dt.date,
    as_of: dt.date,
    payments: Iterable[tuple[dt.date, int]],
    period: Period | str | None = None,
    rate: Decimal | None = None,
    kind: str = "regular",
) -> int:
    """The simple late fine of one bill as of a date; `payments` are (paid_on, amount) settling this bill.
    The rate is the table's for the bill's contribution `period` and `kind` unless `rate` is given."""
    if rate is None:
        if period is None:
            raise ValueError("late_fine needs the bill's period (or an explicit rate)")
        rate = late_fine_rate(period, kind)
    paid = sorted(payments)
    total = 0
    for k in range(months_late(due_date, as_of)):
        start = add_months(due_date, k)
        principal = amount_due - sum(amount for day, amount in paid if day <= start)
        if principal <= 0:
            break
        total += rupiah(rate * principal)
    return total


def bucket_of(days_past_due: int) -> str | None:
    if days_past_due <= 0:
        return None
    for name, low, high in BUCKETS:
        if days_past_due >= low and (high is None or days_past_due <= high):
            return name
    return None  # pragma: no cover - the last bucket is open-ended


@dataclass(frozen=True)
class Standing:
    behind: bool
    months_behind: int  # whole months since the oldest unpaid due date
    unpaid_bills: int
    oldest_due: dt.date | None
    rule: str
    confirmed: bool


def employer_arrears_months(as_of: dt.date) -> int:
    """Months an employer's oldest unpaid bill may be past due before the employer is behind (rule table)."""
    table = contribution_tables().for_period(Period.of(as_of)).arrears_standing
    if table is None:
        raise ValueError(f"The rule tables have no arrears rule in force on {as_of}.")
    return table.employer_months.value


def standing_of(
    *, kind: str, oldest_unpaid_due: dt.date | None, unpaid_bills: int, as_of: dt.date
) -> Standing | None:
    """The standing of a payer account; None for kinds with no rule (the state budget)."""
    if kind in FINED_ACCOUNT_KINDS:
        field = "employer_months"
    elif kind in BPU_ACCOUNT_KINDS:
        field = "bpu_months"
    else:
        return None
    table = contribution_tables().for_period(Period.of(as_of)).arrears_standing
    if table is None:
        raise ValueError(f"The rule tables have no arrears rule in force on {as_of}.")
    months_rule: Sourced[int] = getattr(table, field)
    threshold, rule = months_rule.value, months_rule.source.citation
    confirmed = months_rule.source.confidence == "confirmed"
    if oldest_unpaid_due is None or oldest_unpaid_due >= as_of:
        return Standing(False, 0, 0, None, rule, confirmed)
    months = (as_of.year - oldest_unpaid_due.year) * 12 + as_of.month - oldest_unpaid_due.month
    if add_months(oldest_unpaid_due, months) > as_of:
        months -= 1
    behind = add_months(oldest_unpaid_due, threshold) < as_of
    return Standing(behind, months, unpaid_bills, oldest_unpaid_due, rule, confirmed)
