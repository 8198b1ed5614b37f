"""Importing a bank statement: a CSV of payments into virtual accounts.

Format: UTF-8 (a BOM is accepted), comma or semicolon separated, a header row naming the columns
`virtual_account`, `amount`, `date` and optionally `reference` (also accepted: `va`, `paid_on`, `ref`).
Amounts are whole Rupiah written as digits (a trailing ".00" or ",00" is accepted); dates YYYY-MM-DD or
DD/MM/YYYY.

- A bad FILE (not UTF-8, empty, no header, a required column missing, too large) raises InvalidInput on the
  field `file`: nothing is written.
- A bad LINE (unknown or out-of-scope virtual account, bad amount or date) is rejected with its line number
  and a reason in the report; the valid lines are recorded.
- Re-importing the same statement records nothing again: a line's payment carries the bank reference, unique
  per account. A line without a reference gets one derived from its content and its occurrence in the file
  ("auto-" + hash of virtual account, amount, date and the n-th identical line), so it is stable too.
The whole import is one transaction; the recorded payments are then allocated, oldest bill first, per account.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from cakupan.accounts.permissions import Perm, require
from cakupan.contributions.models import PayerAccount, Payment
from cakupan.contributions.services.payment_review import headroom
from cakupan.contributions.services.payments import (
    MAX_AMOUNT,
    _allocate,
    allocation_summary,
    clean_reference,
    today,
)
from cakupan.core import display
from cakupan.core.audit import audit_record
from cakupan.core.errors import InvalidInput

MAX_BYTES = 10 * 1024 * 1024
MAX_LINES = 200_000
COLUMNS = {
    "virtual_account": ("virtual_account", "va", "virtual_account_number", "no_va"),
    "amount": ("amount", "jumlah", "nominal"),
    "date": ("date", "paid_on", "tanggal"),
    "reference": ("reference", "ref", "referensi"),
}
_AMOUNT = re.compile(r"(\d{1,19})(?:[.,]00)?")
_DMY = re.compile(r"(\d{2})/(\d{2})/(\d{4})")


@dataclass
class ImportReport:
    lines: int = 0
    recorded: int = 0
    duplicates: int = 0
    amount_recorded: int = 0
    allocated: int = 0
    held: int = 0  # recorded, held for review (not allocated)
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "recorded": self.recorded,
            "duplicates": self.duplicates,
            "rejected_count": len(self.rejected),
            "amount_recorded": self.amount_recorded,
            "allocated": self.allocated,
            "held": self.held,
            "rejected": self.rejected,
        }


def _header(row: list[str]) -> dict[str, int]:
    names = [c.strip().lower().replace(" ", "_") for c in row]
    found: dict[str, int] = {}
    for key, aliases in COLUMNS.items():
        for index, name in enumerate(names):
            if name in aliases:
                found[key] = index
                break
    return found


def _read(content: bytes) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    if not content.strip():
        raise InvalidInput.single("file", _("The file is empty."))
    if len(content) > MAX_BYTES:
        raise InvalidInput.single("file", _("The file is larger than 10 MB."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput.single("file", _("The file is not UTF-8 text (CSV).")) from exc
    first = text.splitlines()[0] if text.splitlines() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise InvalidInput.single("file", _("The file is not valid CSV: %(e)s") % {"e": exc}) from exc
    header = _header(rows[0]) if rows else {}
    missing = [k for k in ("virtual_account", "amount", "date") if k not in header]
    if missing:
        raise InvalidInput.single(
            "file",
            _("The header row must name the columns virtual_account, amount and date; missing: %(m)s.")
            % {"m": ", ".join(missing)},
        )
    body = [(n, r) for n, r in enumerate(rows[1:], start=2) if any(c.strip() for c in r)]
    if len(body) > MAX_LINES:
        raise InvalidInput.single("file", _("The file has more than 200,000 lines."))
    return header, body


def _cell(row: list[str], index: int | None) -> str:
    return row[index].strip() if index is not None and index < len(row) else ""


def _parse_amount(text: str) -> int | None:
    match = _AMOUNT.fullmatch(text)
    value = int(match.group(1)) if match else 0
    return value if value > 0 else None


def _parse_date(text: str) -> dt.date | None:
    try:
        match = _DMY.fullmatch(text)
        if match:
            return dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _auto_reference(va: str, amount: int, day: dt.date, occurrence: int) -> str:
    digest = hashlib.sha256(f"{va}|{amount}|{day.isoformat()}|{occurrence}".encode()).hexdigest()
    return "auto-" + digest[:24]


def statement_import(
    *, actor: Any, content: bytes, accounts: QuerySet[PayerAccount] | None = None
) -> ImportReport:
    """Record the payments of a bank statement. `accounts` limits which virtual accounts the actor may
    credit (a scoped selector's queryset; all accounts when None, for the command line)."""
    require(actor, Perm.PAYMENT_RECORD)
    header, body = _read(content)
    report = ImportReport(lines=len(body))
    candidates: list[tuple[int, str, int, dt.date, str]] = []
    seen: Counter[tuple[str, int, dt.date]] = Counter()
    for number, row in body:
        va = _cell(row, header["virtual_account"])
        amount = _parse_amount(_cell(row, header["amount"]))
        day = _parse_date(_cell(row, header["date"]))
        reasons = []
        if not va:
            reasons.append(_("virtual account missing"))
        if amount is None:
            reasons.append(_("amount must be whole Rupiah above zero"))
        elif amount > MAX_AMOUNT:
            # The calculators' bound on any Rupiah (payments.MAX_AMOUNT): larger is a slip or a forgery.
            reasons.append(_("amount is larger than %(max)s") % {"max": display.rupiah(MAX_AMOUNT)})
        if day is None:
            reasons.append(_("date must be YYYY-MM-DD or DD/MM/YYYY"))
        elif day > today():
            reasons.append(_("date is in the future"))
        raw_ref = _cell(row, header.get("reference"))
        if raw_ref and clean_reference(raw_ref)[1] is not None:
            reasons.append(_("reference longer than 64 characters"))
        if reasons:
            report.rejected.append({"line": number, "virtual_account": va, "reason": "; ".join(reasons)})
            continue
        assert amount is not None
        assert day is not None
        seen[(va, amount, day)] += 1
        reference = raw_ref or _auto_reference(va, amount, day, seen[(va, amount, day)])
        candidates.append((number, va, amount, day, reference))
    scope = accounts if accounts is not None else PayerAccount.objects.all()
    with transaction.atomic():
        by_va = {
            a.virtual_account: a
            for a in scope.filter(virtual_account__in={c[1] for c in candidates}).select_for_update(
                of=("self",)
            )
        }
        known = set(
            Payment.objects.filter(account__in=list(by_va.values())).values_list("account_id", "reference")
        )
        new: list[Payment] = []
        # Payments leaving more credit than a year of bills are held for review (payment_review.py).
        room = headroom(a.pk for a in by_va.values())
        for number, va, amount, day, reference in candidates:
            account = by_va.get(va)
            if account is None:
                reason = _("unknown virtual account")
                report.rejected.append({"line": number, "virtual_account": va, "reason": reason})
                continue
            if (account.pk, reference) in known:
                report.duplicates += 1
                continue
            known.add((account.pk, reference))
            user = actor if getattr(actor, "is_authenticated", False) else None
            new.append(
                Payment(
                    account=account,
                    amount=amount,
                    paid_on=day,
                    reference=reference,
                    source=Payment.Source.BANK_STATEMENT,
                    recorded_by=user,
                    status=room[account.pk].admit(amount),
                )
            )
        Payment.objects.bulk_create(new)
        report.recorded = len(new)
        report.amount_recorded = sum(p.amount for p in new)
        report.held = sum(1 for p in new if p.status == Payment.Status.HELD)
        allocations = []
        for account in {p.account_id: p.account for p in new}.values():
            allocations += _allocate(account)
        report.allocated = sum(a.amount for a in allocations)
        report.rejected.sort(key=lambda r: r["line"])
        audit_record(
            actor=actor,
            action="payment.import_statement",
            entity="contributions.payment",
            changes={
                **{k: v for k, v in report.as_dict().items() if k != "rejected"},
                "allocations": allocation_summary(allocations)[:1000],
            },
        )
    return report
