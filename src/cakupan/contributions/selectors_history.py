"""One person's contributions month by month, as the worker's own page shows them: what was billed for each
of their memberships, who was billed (the employer, a sponsor, the state budget, or they themselves), and
whether that bill is paid. Read through the viewer's scope: a person outside it has no history (NotInScope).

Bounded by the person: bill lines by their memberships (the membership foreign key's index), their bills by
primary key, each bill's allocations by the allocation index. A line is as paid as its bill: a bill settled
in full pays every line on it; a bill partly settled says so ("partly paid"), because payments settle bills,
not members (models_payments.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.scope import Scope, scope_for
from cakupan.contributions.models import PROGRAM_COLUMNS, Allocation, BillLine, bill_completed
from cakupan.contributions.services.payments import today
from cakupan.core.errors import NotInScope
from cakupan.registry.selectors import person_list
from cakupan.rules.benefits.jht_balance import JhtEstimate, jht_balance_estimate
from cakupan.rules.benefits.tables import default_tables


class LineState:
    PAID = "paid"
    PARTLY_PAID = "partly_paid"
    UNPAID = "unpaid"  # past its due date
    NOT_DUE = "not_due"


STATE_LABELS = {
    LineState.PAID: _("paid"),
    LineState.PARTLY_PAID: _("partly paid"),
    LineState.UNPAID: _("unpaid"),
    LineState.NOT_DUE: _("not yet due"),
}


@dataclass(frozen=True)
class MonthLine:
    period: str
    kpj: str
    segment: str
    payer_kind: str  # contributions.PayerAccount.Kind
    payer_name: str  # the employer's or sponsor's name; empty for oneself and the state budget
    amount: int
    jht: int
    jp: int
    programmes: tuple[str, ...]  # the programmes this line pays ("JKK", "JKM", ...): JKP alone on the state's
    due_date: dt.date
    state: str

    @property
    def month(self) -> dt.date:
        """The first day of the contribution month (for "November 2026")."""
        return dt.date(int(self.period[:4]), int(self.period[5:7]), 1)

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def paid(self) -> bool:
        return self.state == LineState.PAID


@dataclass(frozen=True)
class History:
    lines: list[MonthLine]  # newest month first
    jht: JhtEstimate | None
    jp_months: int  # months with a JP contribution paid
    first_period: str | None  # the earliest month recorded

    @property
    def first_month(self) -> dt.date | None:
        return self.lines[-1].month if self.lines else None


def _paid_of_bill() -> Coalesce:
    return Coalesce(
        Subquery(
            Allocation.objects.filter(bill_id=OuterRef("bill_id"))
            .order_by()
            .values("bill_id")
            .annotate(t=Sum("amount"))
            .values("t")[:1]
        ),
        0,
    )


def _state(amount_due: int, paid: int, due_date: dt.date, on: dt.date) -> str:
    if paid >= amount_due:
        return LineState.PAID
    if paid > 0:
        return LineState.PARTLY_PAID
    return LineState.NOT_DUE if due_date >= on else LineState.UNPAID


def contribution_history(
    *, user: Any, person_id: int, scope: Scope | None = None, as_of: dt.date | None = None
) -> History:
    """The person's bill lines (newest first) with their state, the JHT balance estimate from the JHT
    contributions paid, and the JP months paid. NotInScope for a person the viewer does not see."""
    scope = scope or scope_for(user)
    if not person_list(user=user, scope=scope).filter(pk=person_id).exists():
        raise NotInScope
    on = as_of or today()
    rows = (
        BillLine.objects.filter(bill_completed("bill__"), membership__person_id=person_id)
        .annotate(bill_paid=_paid_of_bill())
        .values(
            "period",
            "amount",
            *PROGRAM_COLUMNS,
            "bill_paid",
            "bill__amount_due",
            "bill__due_date",
            "bill__account__kind",
            "bill__account__employer__name",
            "bill__account__sponsor__name",
            "membership__kpj",
            "membership__segment",
        )
        .order_by("-period", "membership_id", "bill_id")
    )
    lines = [
        MonthLine(
            period=row["period"],
            kpj=row["membership__kpj"],
            segment=row["membership__segment"],
            payer_kind=row["bill__account__kind"],
            payer_name=row["bill__account__employer__name"] or row["bill__account__sponsor__name"] or "",
            amount=row["amount"],
            jht=row["jht"],
            jp=row["jp"],
            programmes=tuple(column.upper() for column in PROGRAM_COLUMNS if row[column]),
            due_date=row["bill__due_date"],
            state=_state(row["bill__amount_due"], row["bill_paid"], row["bill__due_date"], on),
        )
        for row in rows
    ]
    paid = [line for line in lines if line.paid]
    jht = jht_balance_estimate(
        default_tables(),
        contributions=[(int(x.period[:4]), int(x.period[5:]), x.jht) for x in paid if x.jht],
        as_of=on,
    )
    return History(
        lines=lines,
        jht=jht,
        jp_months=len({line.period for line in paid if line.jp > 0}),
        first_period=lines[-1].period if lines else None,
    )
