"""XLSX exports of bills, a payer's statement and arrears (xlsxwriter, in memory).

Text cells that a spreadsheet would read as a formula (starting with = + - @, or a tab / carriage return)
are written with a leading apostrophe, so a payer's name cannot run a formula on the reader's machine
(CSV/formula injection, OWASP). Amounts are written as numbers.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import xlsxwriter

from cakupan.contributions.arrears import BUCKETS
from cakupan.core.spreadsheet import neutralise

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """One sheet per (name, header, rows); every string cell written as text, never as a formula."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = book.add_format({"bold": True})
    for name, header, rows in sheets:
        sheet = book.add_worksheet(name[:31])
        sheet.write_row(0, 0, [str(h) for h in header], bold)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                value = neutralise(value)
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif value is None:
                    sheet.write_blank(r, c, None)
                else:
                    sheet.write(r, c, value if isinstance(value, int | float) else str(value))
        sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()


def _payer(bill: Any) -> str:
    account = bill.account
    payer = account.employer or account.person or account.sponsor
    return str(payer) if payer is not None else account.get_kind_display()


def bills_xlsx(bills: Iterable[Any]) -> bytes:
    header = [
        "period",
        "virtual_account",
        "payer",
        "kind",
        "due_date",
        "members",
        "amount_due",
        "paid",
        "outstanding",
    ]
    rows = (
        [
            b.period,
            b.account.virtual_account,
            _payer(b),
            b.account.kind,
            b.due_date.isoformat(),
            b.members,
            b.amount_due,
            b.paid,
            b.outstanding,
        ]
        for b in bills
    )
    return workbook([("bills", header, rows)])


def statement_xlsx(st: dict[str, Any]) -> bytes:
    bills = [
        [
            r["bill"].period,
            r["bill"].due_date.isoformat(),
            r["bill"].amount_due,
            r["bill"].paid,
            r["bill"].outstanding,
            r["fine"],
        ]
        for r in st["bills"]
    ]
    payments = [
        [
            p["payment"].paid_on.isoformat(),
            p["payment"].reference,
            p["payment"].source,
            p["payment"].amount,
            p["payment"].used,
            ", ".join(f"{a.bill.period}: {a.amount}" for a in p["allocations"]),
        ]
        for p in st["payments"]
    ]
    summary = [
        ["payer", st["payer"]],
        ["virtual_account", st["account"].virtual_account],
        ["as_of", st["as_of"].isoformat()],
        ["billed", st["billed"]],
        ["paid", st["paid"]],
        ["outstanding", st["outstanding"]],
        ["fines", st["fines"]],
        ["credit", st["credit"]],
        ["balance", st["balance"]],
    ]
    return workbook(
        [
            ("summary", ["item", "value"], summary),
            ("bills", ["period", "due_date", "amount_due", "paid", "outstanding", "fine"], bills),
            ("payments", ["paid_on", "reference", "source", "amount", "allocated", "allocations"], payments),
        ]
    )


def arrears_xlsx(payers: list[dict[str, Any]], area: dict[str, list[dict[str, Any]]]) -> bytes:
    buckets = [b[0] for b in BUCKETS]
    payer_rows = (
        [
            r["account"].virtual_account,
            r["payer"],
            r["account"].kind,
            r["oldest_due"].isoformat() if r["oldest_due"] else "",
            r["bills"],
            *(r[b] for b in buckets),
            r["total"],
            "yes" if r["standing"] and r["standing"].behind else "no",
        ]
        for r in payers
    )

    def area_rows(rows: list[dict[str, Any]]) -> Iterable[list[Any]]:
        return ([r["key"] or "", r["name"], r["bills"], *(r[b] for b in buckets), r["total"]] for r in rows)

    area_header = ["code", "name", "bills", *buckets, "total"]
    return workbook(
        [
            (
                "payers",
                ["virtual_account", "payer", "kind", "oldest_due", "bills", *buckets, "total", "behind"],
                payer_rows,
            ),
            ("branches", area_header, area_rows(area["branches"])),
            ("regions", area_header, area_rows(area["regencies"])),
        ]
    )
