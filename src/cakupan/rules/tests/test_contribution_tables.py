"""The contribution table file: it loads, every number is sourced, malformed files are refused, and the
version in force is picked per month."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cakupan.rules.contributions import tables as t
from cakupan.rules.period import Period
from cakupan.rules.sourced import CONFIDENCE_ORDER, Sourced, Validity
from cakupan.rules.tablefile import RuleTableError

TEXT = t.DEFAULT_PATH.read_text(encoding="utf-8")


def _sourced_values(obj: Any) -> list[Sourced[Any]]:
    """Every Sourced value reachable from a table dataclass."""
    if isinstance(obj, Sourced):
        return [obj]
    if isinstance(obj, (tuple, list)):
        return [s for item in obj for s in _sourced_values(item)]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, (type, Validity)):
        return [s for f in dataclasses.fields(obj) for s in _sourced_values(getattr(obj, f.name))]
    return []


def test_repository_tables_load_and_every_number_is_sourced() -> None:
    tables = t.contribution_tables_load(t.DEFAULT_PATH)
    seen = 0
    for name in t.SERIES:
        for version in getattr(tables, name).versions:
            for value in _sourced_values(version):
                assert value.source.citation, f"{version.validity.id}: number without citation"
                assert value.source.confidence in CONFIDENCE_ORDER
                assert not isinstance(value.value, float)
                seen += 1
    assert seen > 60


def test_rates_are_exact_decimals() -> None:
    tables = t.contribution_tables()
    jkk = tables.pu_jkk.versions[0]
    assert [r.value for r in jkk.rates] == [Decimal(x) for x in ("0.24", "0.54", "0.89", "1.27", "1.74")]
    assert all(type(r.value) is Decimal for r in jkk.rates)


@pytest.mark.parametrize(
    ("period", "cap"),
    [
        ("2015-07", 7_000_000),
        ("2016-02", 7_000_000),
        ("2016-03", 7_335_300),
        ("2021-02", 8_939_700),
        ("2021-03", 8_754_600),
        ("2025-02", 10_042_300),
        ("2025-03", 10_547_400),
        ("2027-02", 11_086_300),
    ],
)
def test_jp_cap_changes_in_march(period: str, cap: int) -> None:
    rule = t.contribution_tables().for_period(Period.parse(period)).jp_wage_cap
    assert rule is not None
    assert rule.cap.value == cap


def test_no_jp_cap_is_guessed_beyond_the_last_known_one() -> None:
    tables = t.contribution_tables()
    assert tables.for_period(Period(2027, 3)).jp_wage_cap is None
    assert tables.for_period(Period(2015, 6)).jp_wage_cap is None


def test_the_2021_cap_is_medium_confidence() -> None:
    rule = t.contribution_tables().for_period(Period(2021, 5)).jp_wage_cap
    assert rule is not None
    assert rule.cap.source.confidence == "medium"


def test_jkp_recomposition_from_jkm_ends_with_pp_37_2021() -> None:
    tables = t.contribution_tables()
    january, february = tables.for_period(Period(2025, 1)).pu_jkp, tables.for_period(Period(2025, 2)).pu_jkp
    assert january is not None
    assert january.from_jkm is not None
    assert january.from_jkm.value == Decimal("0.10")
    assert january.validity.effective_to == dt.date(2025, 2, 6)
    assert february is not None
    assert february.from_jkm is None
    assert tables.for_period(Period(2021, 1)).pu_jkp is None


def test_segment_starts() -> None:
    starts = t.contribution_tables().segment_starts()
    assert starts["PU"] == dt.date(2015, 7, 1)
    assert starts["PMI"] == dt.date(2023, 2, 22)  # Permenaker 4/2023 promulgated (rules.md §12.3)


def test_bpu_income_base_is_unconfirmed_and_as_declared_by_default() -> None:
    rule = t.contribution_tables().for_period(Period(2025, 6)).bpu_income_base
    assert rule is not None
    assert rule.mode.value == "as_declared"
    assert rule.mode.source.confidence == "unconfirmed"


def _broken(old: str, new: str) -> str:
    assert old in TEXT
    return TEXT.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_broken('employer = "0.30"', "employer = 0.30"), "never a float"),
        (_broken('employer = "0.30"', 'employer = "abc"'), "not a number"),
        (_broken('employer = "0.30"', 'employer = "130"'), "between 0 and 100"),
        (_broken('employer = "0.30"', 'employer = "0.30"\nemployr = "0.30"'), "unknown key"),
        (_broken('citation = "PP 44/2015 Pasal 18"\n', ""), "missing citation"),
        (
            _broken('confidence = "confirmed"\nnote = "Paid by', 'confidence = "sure"\nnote = "Paid by'),
            "confidence",
        ),
        (_broken("cap = 7335300", "cap = 7335300.0"), "whole number"),
        (_broken("cap = 7335300", "cap = -1"), "negative"),
        (_broken("effective_from = 2016-03-01", "effective_from = 2016-03"), "<string>: .* line 60"),
        (_broken("effective_from = 2016-03-01", 'effective_from = "2016-03-01"'), "expected a date"),
        (
            _broken("effective_from = 2026-03-01\neffective_to = 2027-02-28", "effective_from = 2026-03-01"),
            "",  # open-ended last cap is allowed: checked below as valid
        ),
        (
            TEXT
            + '\n[[jp_wage_cap]]\neffective_from = 2027-01-01\ncitation = "x"\nconfidence = "U"\ncap = 1\n',
            "overlap",
        ),
        (_broken('rates = ["0.24", ', "rates = ["), "5 risk classes"),
        (_broken('{ from = 0, percent = "0.21" }', '{ from = 1, percent = "0.21" }'), "starts at 0"),
        (_broken("{ months = 12, fee = 189000 }", "{ months = 5, fee = 189000 }"), "rise strictly"),
        (
            _broken(
                'wage_cap = { value = 5000000, confidence = "medium"',
                'wage_cap = { value = 5000000, confidence = "x"',
            ),
            "confidence",
        ),
        (
            _broken(
                'wage_cap = { value = 5000000, confidence = "medium"',
                'wage_cap = { valu = 5000000, confidence = "medium"',
            ),
            "sourced value",
        ),
        (_broken('programs = ["JKK", "JKM"]', 'programs = ["JKK", "JP"]'), "not one of"),
        (_broken('mode = "as_declared"', 'mode = "guess"'), "must be one of"),
        (_broken("schema_version = 1", "schema_version = 2"), "schema_version"),
        (TEXT + "\n[[pu_jkx]]\n", "unknown series"),
        (TEXT.replace("[[pmi_jht]]", "[[pmi_jhx]]"), "unknown series"),
    ],
)
def test_malformed_tables_are_refused(text: str, message: str) -> None:
    if not message:
        t.contribution_tables_parse(text)
        return
    with pytest.raises(RuleTableError, match=message):
        t.contribution_tables_parse(text)


def test_explicit_end_after_next_start_is_an_overlap() -> None:
    text = _broken(
        "effective_from = 2016-03-01\n", "effective_from = 2016-03-01\neffective_to = 2017-03-01\n"
    )
    with pytest.raises(RuleTableError, match="overlap"):
        t.contribution_tables_parse(text)


def test_brackets_can_be_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once Lampiran II is read, a version with mode "brackets" maps declared incomes to base levels."""
    from cakupan.rules.contributions import contribution_assess

    text = TEXT + (
        '\n[[bpu_income_base]]\neffective_from = 2026-06-01\ncitation = "PP 44/2015 Lampiran II"\n'
        'confidence = "confirmed"\nmode = "brackets"\n'
        "brackets = [{ from = 1000000, base = 1000000 }, { from = 1500000, base = 1500000 }]\n"
    )
    path = tmp_path / "contributions.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv(t.PATH_ENV, str(path))
    payload = {
        "segment": "BPU",
        "programs": ["JKK"],
        "declared_income": 1_800_000,
        "sector": "other",
        "funding": "self",
    }
    before = contribution_assess({**payload, "period": "2026-01"})
    after = contribution_assess({**payload, "period": "2027-01"})
    assert before["lines"][0]["worker"] == 18_000
    assert before["flags"]
    assert after["lines"][0]["worker"] == 15_000
    assert after["lines"][0]["base"] == 1_500_000
    assert after["flags"] == []
    assert after["lines"][0]["confidence"] == "confirmed"
