"""The sanction table (rules/tables/sanctions.toml, PP 86/2013) read by the shared rule-table reader."""

from __future__ import annotations

import tomllib
from decimal import Decimal

import pytest

from cakupan.rules.sanctions import DEFAULT_PATH, sanction_tables, sanction_tables_parse
from cakupan.rules.tablefile import RuleTableError

TEXT = DEFAULT_PATH.read_text(encoding="utf-8")


def test_shipped_table_pp86_2013() -> None:
    tables = sanction_tables()
    # PP 86/2013 Pasal 6: two written warnings of 10 working days; Pasal 7: 0.1 % a month (medium).
    assert (tables.warning_count.value, tables.warning_working_days.value) == (2, 10)
    assert tables.fine_rate.value == Decimal("0.1")
    assert tables.fine_rate.source.confidence == "medium"
    assert tables.mandatory["mikro"].value == ("JKK", "JKM")
    assert tables.steps["warning_1"].after == ()
    assert tables.steps["fine"].after == ("warning_2",)
    assert tables.steps["fine"].after_deadline is True
    assert tables.steps["tmp2t"].source.confidence == "background"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (TEXT.replace("[referral]", "[referal]"), "unknown section"),
        (TEXT.replace("working_days = {", "workingdays = {"), "missing 'working_days'"),
        (
            TEXT.replace(
                'rate_percent_per_month = { value = "0.1"', "rate_percent_per_month = { value = 0.1"
            ),
            "string",
        ),
        (TEXT.replace('mikro = { value = ["JKK", "JKM"]', 'mikro = { value = ["JKK", "JKX"]'), "one of"),
        (
            TEXT.replace(', citation = "PP 86/2013 Pasal 6 (hukumonline, English translation)"', ""),
            "citation",
        ),
        (TEXT.replace('after = ["warning_1"]', 'after = ["warning_0"]'), "is not one of"),
        (TEXT.replace("[warning]", "[warning]\nextra = 1"), "unknown key"),
    ],
)
def test_malformed_table_is_refused_with_its_place(text: str, message: str) -> None:
    assert text != TEXT
    with pytest.raises(RuleTableError, match=message):
        sanction_tables_parse(tomllib.loads(text))
