"""Reads of bills, payments, statements, fines, arrears and standing, always through the user's scope.

Who sees which payer account (accounts.scope): national admin every account; branch staff the accounts of
the employers in their scope and of the self-paying persons and sponsors of their regions; a partner agency
(read only) the same within its regency (a health agency: its health facilities only); employer HR its
employer's account; a sponsor its own; a worker their own self-pay account. The state-budget account is
national only. Arrears queries are set-based: a constant number of queries whatever the number of bills.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Case, Count, F, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, Substr

from cakupan.accounts.scope import Scope, scope_for
from cakupan.contributions.arrears import BUCKETS, FINED_ACCOUNT_KINDS, Standing, late_fine, standing_of
from cakupan.contributions.models import Allocation, Bill, BillLine, PayerAccount, Payment
from cakupan.contributions.services.payments import bill_paid_subquery, payment_used_subquery
from cakupan.core.errors import NotInScope
from cakupan.regions.models import BranchOffice, Region
from cakupan.registry.models import Employer, Sponsor


def accounts_q(scope: Scope) -> Q:
    """The payer accounts in scope (accounts.scope.Scope.payer_accounts)."""
    if scope.everything:
        return Q()
    employers = Employer.objects.filter(scope.employers()).values("pk")
    sponsors = Sponsor.objects.filter(scope.sponsors()).values("pk")
    return scope.payer_accounts(employers, sponsors)


# The account list's order where it is read from one audience key: the kind copied on the key's row.
LISTED_KIND = "listed_kind"


def payer_accounts(*, user: Any, scope: Scope | None = None) -> QuerySet[PayerAccount]:
    """The accounts in scope, in the list's order (kind, id). A branch office or an agency reads its one
    audience key (contributions.PayerAccountAudience, kept like the registry's scope keys), in that order:
    one index range of (key, kind, account), whatever the number of self-paying accounts."""
    scope = scope or scope_for(user)
    accounts = PayerAccount.objects.select_related("employer", "person", "sponsor")
    if scope.everything:
        return accounts
    key = scope.account_key()
    if key is not None:
        return (
            accounts.filter(audiences__key=key)
            .annotate(**{LISTED_KIND: F("audiences__kind")})
            .order_by(LISTED_KIND, "id")
        )
    return accounts.filter(accounts_q(scope))


def payer_account_find(*, user: Any, query: str, scope: Scope | None = None) -> QuerySet[PayerAccount]:
    return payer_account_search(accounts=payer_accounts(user=user, scope=scope), query=query)


def payer_account_search(*, accounts: QuerySet[PayerAccount], query: str) -> QuerySet[PayerAccount]:
    """The account list's search (page and API through PayerAccountFilter): the virtual account or the
    NPP exactly, else a part of the payer's name."""
    text = " ".join(query.split())
    if not text:
        return accounts
    return accounts.filter(
        Q(virtual_account=text)
        | Q(employer__npp__iexact=text)
        | Q(employer__name__icontains=text)
        | Q(person__full_name__icontains=text)
        | Q(sponsor__name__icontains=text)
    )


def payer_account_get(*, user: Any, pk: Any, scope: Scope | None = None) -> PayerAccount:
    try:
        return payer_accounts(user=user, scope=scope).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise NotInScope from exc


def payment_get(*, user: Any, pk: Any, scope: Scope | None = None) -> Payment:
    """A payment of an account in the user's scope (NotInScope otherwise, as if it did not exist)."""
    accounts = payer_accounts(user=user, scope=scope).values("pk")
    try:
        return Payment.objects.select_related("account").get(pk=pk, account_id__in=accounts)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise NotInScope from exc


def payer_name(account: PayerAccount) -> str:
    payer = account.employer or account.person or account.sponsor
    return str(payer) if payer is not None else str(PayerAccount.Kind(account.kind).label)


def bills_annotated(qs: QuerySet[Bill]) -> Any:
    """Bills with `paid` (sum of allocations) and `outstanding` (amount due - paid)."""
    paid = bill_paid_subquery()
    return qs.annotate(paid=paid, outstanding=F("amount_due") - paid)


def bill_list(*, user: Any, scope: Scope | None = None) -> QuerySet[Bill]:
    accounts = payer_accounts(user=user, scope=scope).values("pk")
    qs = (
        Bill.objects.completed()
        .filter(account_id__in=accounts)
        .select_related("account", "account__employer", "account__person", "account__sponsor")
    )
    return bills_annotated(qs).order_by("-period", "id")


def bill_get(*, user: Any, pk: Any, scope: Scope | None = None) -> Bill:
    try:
        return bill_list(user=user, scope=scope).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise NotInScope from exc


def bill_lines(bill: Bill) -> QuerySet[BillLine]:
    return bill.lines.select_related("membership", "membership__person").order_by("membership_id")


def _payments_by_bill(allocations: list[Allocation]) -> dict[int, list[tuple[dt.date, int]]]:
    out: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for a in allocations:
        out[a.bill_id].append((a.payment.paid_on, a.amount))
    return out


def fine_as_of(bill: Bill, as_of: dt.date) -> int:
    """The late fine of one bill as of a date (arrears.py: 2 % per started month, simple, employers only)."""
    if bill.account.kind not in FINED_ACCOUNT_KINDS:
        return 0
    allocations = list(Allocation.objects.filter(bill=bill).select_related("payment"))
    paid = _payments_by_bill(allocations)[bill.pk]
    return late_fine(
        amount_due=bill.amount_due,
        due_date=bill.due_date,
        as_of=as_of,
        payments=paid,
        period=bill.period,
        kind=bill.kind,
    )


def statement(*, account: PayerAccount, as_of: dt.date) -> dict[str, Any]:
    """A payer's statement: bills with what was paid, outstanding and fine; payments with their allocations;
    credit; and the balance owed (outstanding + fines - credit). Four queries."""
    bills: list[Any] = list(
        bills_annotated(Bill.objects.completed().filter(account=account)).order_by("period", "id")
    )
    allocations = list(
        Allocation.objects.filter(payment__account=account)
        .select_related("payment", "bill")
        .order_by("payment__paid_on", "payment_id", "bill__period", "id")
    )
    payments: list[Any] = list(
        Payment.objects.filter(account=account)
        .annotate(used=payment_used_subquery())
        .order_by("paid_on", "id")
    )
    fined = account.kind in FINED_ACCOUNT_KINDS
    paid_by_bill = _payments_by_bill(allocations)
    by_payment: dict[int, list[Allocation]] = defaultdict(list)
    for a in allocations:
        by_payment[a.payment_id].append(a)
    rows = []
    for bill in bills:
        fine = (
            late_fine(
                amount_due=bill.amount_due,
                due_date=bill.due_date,
                as_of=as_of,
                payments=paid_by_bill[bill.pk],
                period=bill.period,
                kind=bill.kind,
            )
            if fined
            else 0
        )
        rows.append({"bill": bill, "fine": fine, "overdue": bill.outstanding > 0 and bill.due_date < as_of})
    outstanding = sum(b.outstanding for b in bills)
    fines = sum(r["fine"] for r in rows)
    # Held and rejected payments settle nothing: they are shown, never counted as paid or as credit.
    accepted = [p for p in payments if p.status == Payment.Status.ACCEPTED]
    credit = sum(p.amount - p.used for p in accepted)
    unpaid_due = [b for b in bills if b.outstanding > 0 and b.due_date < as_of]
    standing = standing_of(
        kind=account.kind,
        oldest_unpaid_due=min((b.due_date for b in unpaid_due), default=None),
        unpaid_bills=len(unpaid_due),
        as_of=as_of,
    )
    return {
        "account": account,
        "payer": payer_name(account),
        "as_of": as_of,
        "bills": rows,
        "payments": [{"payment": p, "allocations": by_payment[p.pk]} for p in payments],
        "billed": sum(b.amount_due for b in bills),
        "paid": sum(p.amount for p in accepted),
        "held": sum(p.amount for p in payments if p.status == Payment.Status.HELD),
        "outstanding": outstanding,
        "fines": fines,
        "credit": credit,
        "balance": outstanding + fines - credit,
        "standing": standing,
    }


def _past_due(accounts: Any, as_of: dt.date) -> Any:
    """Bills past due and not fully paid, as of a date (the paid sum counts allocations recorded so far)."""
    return (
        bills_annotated(Bill.objects.completed().filter(account_id__in=accounts, due_date__lt=as_of))
        .filter(outstanding__gt=0)
        .order_by()
    )


def _bucket_sums(as_of: dt.date) -> dict[str, Any]:
    """Conditional sums of the outstanding amount per ageing bucket (days past due = as_of - due_date)."""
    out: dict[str, Any] = {}
    for name, low, high in BUCKETS:
        cond = Q(due_date__lte=as_of - dt.timedelta(days=max(low, 1)))
        if high is not None:
            cond &= Q(due_date__gte=as_of - dt.timedelta(days=high))
        out[name] = Coalesce(Sum(Case(When(cond, then=F("outstanding")), default=Value(0))), 0)
    out["total"] = Coalesce(Sum("outstanding"), 0)
    out["bills"] = Count("pk")
    return out


def arrears_by_payer(*, user: Any, as_of: dt.date, scope: Scope | None = None) -> list[dict[str, Any]]:
    """Ageing per payer account with its standing, largest total first. Two queries."""
    accounts = payer_accounts(user=user, scope=scope)
    rows = list(
        _past_due(accounts.values("pk"), as_of)
        .values("account_id")
        .annotate(oldest_due=Min("due_date"), **_bucket_sums(as_of))
        .order_by("-total", "account_id")
    )
    by_id = {a.pk: a for a in accounts.filter(pk__in=[r["account_id"] for r in rows])}
    out = []
    for row in rows:
        account = by_id[row["account_id"]]
        standing: Standing | None = standing_of(
            kind=account.kind, oldest_unpaid_due=row["oldest_due"], unpaid_bills=row["bills"], as_of=as_of
        )
        out.append({**row, "account": account, "payer": payer_name(account), "standing": standing})
    return out


def arrears_by_area(
    *, user: Any, as_of: dt.date, scope: Scope | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Ageing summed by branch office and by regency. The payer's regency is its employer's, person's or
    sponsor's region cut to the regency code (35.73.01 -> 35.73); its branch office is the employer's own,
    else the office serving that regency. Four queries."""
    accounts = payer_accounts(user=user, scope=scope).values("pk")
    regency = Substr(
        Coalesce(
            "account__employer__region_id",
            "account__person__address_region_id",
            "account__sponsor__region_id",
        ),
        1,
        5,
    )
    groups = list(
        _past_due(accounts, as_of)
        .annotate(regency=regency, employer_branch=F("account__employer__branch_office_id"))
        .values("regency", "employer_branch")
        .annotate(**_bucket_sums(as_of))
    )
    serving: dict[Any, Any] = dict(
        BranchOffice.regions.through.objects.order_by("-branchoffice_id").values_list(
            "region_id", "branchoffice_id"
        )
    )
    names: dict[Any, str] = dict(BranchOffice.objects.values_list("pk", "name"))
    keys = ["total", "bills", *(b[0] for b in BUCKETS)]
    branches: dict[Any, dict[str, Any]] = {}
    regencies: dict[Any, dict[str, Any]] = {}
    g: dict[str, Any]
    for g in groups:
        branch = g["employer_branch"] or serving.get(g["regency"])
        for table, key, label in (
            (branches, branch, names.get(branch, "")),
            (regencies, g["regency"], ""),
        ):
            row = table.setdefault(key, {"key": key, "name": label, **dict.fromkeys(keys, 0)})
            for k in keys:
                row[k] += g[k] or 0
    region_names = dict(Region.objects.filter(pk__in=[k for k in regencies if k]).values_list("pk", "name"))
    for key, row in regencies.items():
        row["name"] = region_names.get(key, "")
    order = lambda rows: sorted(rows, key=lambda r: (-r["total"], str(r["key"])))  # noqa: E731
    return {"branches": order(branches.values()), "regencies": order(regencies.values())}


__all__ = [
    "accounts_q",
    "arrears_by_area",
    "arrears_by_payer",
    "bill_get",
    "bill_lines",
    "bill_list",
    "fine_as_of",
    "payer_account_find",
    "payer_account_get",
    "payer_accounts",
    "statement",
]
