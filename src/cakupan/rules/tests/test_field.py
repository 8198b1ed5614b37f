"""The field agents' rule table: every number sourced, unconfirmed ones flagged, a misspelt key refused."""

from __future__ import annotations

import tomllib

import pytest

from cakupan.rules.field import DEFAULT_PATH, commission_compute, field_tables, field_tables_parse
from cakupan.rules.tablefile import RuleTableError


def test_the_shipped_table_cites_every_number() -> None:
    t = field_tables()
    assert (t.rate.value * 10, t.bonus.value, t.bonus_new_members.value) == (75, 500_000, 50)
    # rules.md §12.4: news reports only, so medium confidence, never "confirmed".
    assert {t.rate.source.confidence, t.bonus.source.confidence} == {"medium"}
    assert all("12.4" in s.citation for s in (t.rate.source, t.bonus.source, t.bonus_new_members.source))


def test_a_misspelt_key_is_refused() -> None:
    data = tomllib.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["commission"]["bonus_new_member"] = data["commission"].pop("bonus_new_members")
    with pytest.raises(RuleTableError):
        field_tables_parse(data)


def test_fee_rounds_down_and_bonus_needs_the_threshold() -> None:
    assert commission_compute(collected=13, new_members=0).fee == 0  # 0.975 -> 0
    assert commission_compute(collected=16_800, new_members=50).total == 1_260 + 500_000
