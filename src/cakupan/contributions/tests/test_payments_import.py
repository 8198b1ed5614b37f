"""Bank statement import: valid lines recorded and allocated, bad lines rejected with a reason, a bad file
refused whole, and re-importing the same statement changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from cakupan.contributions.models import Allocation, Payment
from cakupan.contributions.services.statement_import import statement_import
from cakupan.contributions.tests.payment_fixtures import account_make, bill_make
from cakupan.core.errors import InvalidInput


@pytest.fixture(autouse=True)
def english() -> Any:
    # The messages asserted below are the English msgids; the default language is Bahasa Indonesia.
    with translation.override("en"):
        yield


STATEMENT = """virtual_account,amount,date,reference
8810000000000001,150000,2025-03-01,BNK-1
8810000000000001,50000.00,05/03/2025,BNK-2
9999999999999999,10000,2025-03-01,BNK-3
8810000000000001,abc,2025-03-01,BNK-4
8810000000000001,10000,2025-02-30,BNK-5
8810000000000001,-10,2025-03-01,BNK-6
8830000000000001,7000,2025-03-02,
8830000000000001,7000,2025-03-02,
"""


@pytest.fixture
def accounts(world: Any) -> tuple[Any, Any]:
    hospital = account_make(va="8810000000000001", employer=world.hospital)
    sponsor = account_make(kind="sponsor", va="8830000000000001", sponsor=world.sponsor)
    bill_make(hospital, "2025-01", 120_000)
    bill_make(hospital, "2025-02", 100_000)
    return hospital, sponsor


def test_import_records_valid_lines_and_reports_rejected(world: Any, accounts: Any) -> None:
    hospital, sponsor = accounts
    report = statement_import(actor=world.admin, content=STATEMENT.encode()).as_dict()
    assert (report["lines"], report["recorded"], report["duplicates"]) == (8, 4, 0)
    assert report["amount_recorded"] == 214_000
    assert [(r["line"], r["reason"]) for r in report["rejected"]] == [
        (4, "unknown virtual account"),
        (5, "amount must be whole Rupiah above zero"),
        (6, "date must be YYYY-MM-DD or DD/MM/YYYY"),
        (7, "amount must be whole Rupiah above zero"),
    ]
    # Two identical lines without a reference are two payments (their derived references differ).
    assert Payment.objects.filter(account=sponsor).count() == 2
    assert sum(a.amount for a in Allocation.objects.filter(bill__account=hospital)) == 200_000
    assert set(Payment.objects.values_list("source", flat=True)) == {"bank_statement"}


def test_reimport_changes_nothing(world: Any, accounts: Any) -> None:
    statement_import(actor=world.admin, content=STATEMENT.encode())
    before = list(Payment.objects.order_by("pk").values_list("pk", "amount"))
    allocations = Allocation.objects.count()
    report = statement_import(actor=world.admin, content=STATEMENT.encode())
    assert (report.recorded, report.duplicates, len(report.rejected)) == (0, 4, 4)
    assert list(Payment.objects.order_by("pk").values_list("pk", "amount")) == before
    assert Allocation.objects.count() == allocations


def test_out_of_scope_accounts_are_unknown(world: Any, accounts: Any) -> None:
    from cakupan.contributions.selectors_payments import payer_accounts

    factory = account_make(va="8810000000000002", employer=world.factory)
    content = b"va;amount;date\n8810000000000002;1000;2025-03-01\n8810000000000001;1000;2025-03-01\n"
    report = statement_import(
        actor=world.branch_malang, content=content, accounts=payer_accounts(user=world.branch_malang)
    )
    assert report.recorded == 1
    assert report.rejected[0]["reason"] == "unknown virtual account"
    assert not Payment.objects.filter(account=factory).exists()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"   \n",
        b"nama,jumlah\nx,1\n",
        b"virtual_account,amount\n1,2\n",
        "\xff\xfe".encode("latin-1"),
    ],
)
def test_bad_file_writes_nothing(world: Any, accounts: Any, content: bytes) -> None:
    with pytest.raises(InvalidInput) as info:
        statement_import(actor=world.admin, content=content)
    assert info.value.errors[0].field == "file"
    assert Payment.objects.count() == 0


def test_command(world: Any, accounts: Any, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "statement.csv"
    path.write_text(STATEMENT)
    call_command("payments", "import", str(path), "--json")
    first = json.loads(capsys.readouterr().out)
    assert (first["recorded"], first["rejected_count"]) == (4, 4)
    call_command("payments", "import", str(path), "--json")
    again = json.loads(capsys.readouterr().out)
    assert (again["recorded"], again["duplicates"]) == (0, 4)
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(SystemExit) as exit_info:
        call_command("payments", "import", str(bad))
    assert exit_info.value.code == 2
    assert json.loads(capsys.readouterr().out)["errors"][0]["field"] == "file"
