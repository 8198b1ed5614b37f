"""Benefit calculators against the shared acceptance cases and our own hand-computed golden cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import cakupan
from cakupan.rules.benefits import benefit_compute, load_tables
from cakupan.rules.errors import RuleInputError

# The project root is the folder holding pyproject.toml (src layout: src/cakupan/__init__.py); the shared
# acceptance cases sit next to it in ../shared/acceptance.
ROOT = next((p for p in Path(cakupan.__file__).resolve().parents if (p / "pyproject.toml").exists()), None)
ACCEPTANCE = (ROOT.parent if ROOT else Path("/nonexistent")) / "shared" / "acceptance" / "benefits.json"
GOLDEN = Path(__file__).with_name("golden_benefits.json")


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {"cases": [], "invalid": []}


def _keyed(answer: dict[str, Any]) -> dict[str, Any]:
    """Components by name -> amount, as the acceptance runner compares them."""
    return {**answer, "components": {c["name"]: c["amount"] for c in answer["components"]}}


def _subset_problems(expected: Any, actual: Any, path: str = "") -> list[str]:
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        if not expected and actual:
            return [f"{path}: expected nothing, got {actual!r}"]
        problems = []
        for key, value in expected.items():
            if key not in actual:
                problems.append(f"{path}.{key}: missing")
            else:
                problems += _subset_problems(value, actual[key], f"{path}.{key}")
        return problems
    return [] if expected == actual else [f"{path}: expected {expected!r}, got {actual!r}"]


def _cases(path: Path, kind: str) -> list[Any]:
    return [pytest.param(case, id=case["name"]) for case in _load(path).get(kind, [])]


needs_acceptance = pytest.mark.skipif(
    not ACCEPTANCE.exists(), reason=f"shared acceptance file not found at {ACCEPTANCE}"
)


@needs_acceptance
@pytest.mark.parametrize("case", _cases(ACCEPTANCE, "cases"))
def test_acceptance_case(case: dict[str, Any]) -> None:
    assert _subset_problems(case["expect"], _keyed(benefit_compute(case["input"]))) == []


@needs_acceptance
@pytest.mark.parametrize("case", _cases(ACCEPTANCE, "invalid"))
def test_acceptance_invalid(case: dict[str, Any]) -> None:
    with pytest.raises(RuleInputError) as caught:
        benefit_compute(case["input"])
    assert case["field"] in [name for name, _ in caught.value.errors]


@pytest.mark.parametrize("case", _cases(GOLDEN, "cases"))
def test_golden_case(case: dict[str, Any]) -> None:
    answer = benefit_compute(case["input"])
    assert _subset_problems(case["expect"], _keyed(answer)) == []
    assert answer["total"] == sum(c["amount"] for c in answer["components"] if c["name"] != "scholarship")


@pytest.mark.parametrize("case", _cases(GOLDEN, "invalid"))
def test_golden_invalid(case: dict[str, Any]) -> None:
    with pytest.raises(RuleInputError) as caught:
        benefit_compute(case["input"])
    assert case["field"] in [name for name, _ in caught.value.errors]


def test_golden_file_covers_every_benefit() -> None:
    from cakupan.rules.benefits import BENEFITS

    covered = {case["input"]["benefit"] for case in _load(GOLDEN)["cases"]}
    assert covered == set(BENEFITS)


def test_not_an_object_is_refused() -> None:
    with pytest.raises(RuleInputError) as caught:
        benefit_compute(["JKM"])  # type: ignore[arg-type]
    assert caught.value.errors[0][0] == "payload"


def test_all_faults_reported_together() -> None:
    with pytest.raises(RuleInputError) as caught:
        benefit_compute(
            {
                "benefit": "JKK_STMB",
                "event_date": "2024-01-10",
                "membership_start": "2022-01-01",
                "months_unable": -1,
            }
        )
    assert {name for name, _ in caught.value.errors} == {"monthly_wage", "months_unable"}


def test_answer_shape_and_components_carry_rule_and_confidence() -> None:
    answer = benefit_compute({"benefit": "JKM", "event_date": "2024-05-10", "membership_start": "2019-01-01"})
    assert set(answer) >= {"eligible", "components", "total", "scholarship", "reasons", "documents"}
    for component in answer["components"]:
        assert set(component) >= {"name", "amount", "rule", "confidence"}
        assert isinstance(component["amount"], int)
        assert component["confidence"] in {"C", "M", "B", "U"}
        assert "PP 82/2019" in component["rule"]


def test_documents_hold_the_checklist_and_the_scholarship_list_when_it_applies() -> None:
    base = {"benefit": "JKM", "event_date": "2024-05-10", "membership_start": "2019-01-01"}
    without = benefit_compute(base)["documents"]
    with_children = benefit_compute({**base, "children": 1})["documents"]
    assert any("Death certificate" in item for item in without)
    assert not any("birth certificate" in item for item in without)
    assert any("birth certificate" in item for item in with_children)


def test_unconfirmed_values_are_flagged_where_used() -> None:
    jkp_new = benefit_compute(
        {
            "benefit": "JKP",
            "event_date": "2025-06-01",
            "membership_start": "2022-01-01",
            "monthly_wage": 7000000,
        }
    )
    jkp_old = benefit_compute(
        {
            "benefit": "JKP",
            "event_date": "2024-06-01",
            "membership_start": "2022-01-01",
            "monthly_wage": 7000000,
        }
    )
    new_keys = {item["key"] for item in jkp_new["unconfirmed"]}
    old_keys = {item["key"] for item in jkp_old["unconfirmed"]}
    assert "jkp[PP 6/2025].min_contribution_months" in new_keys
    assert not any(key.startswith("jkp[PP 37/2021].min") for key in old_keys)
    for item in jkp_new["unconfirmed"]:
        assert item["confidence"] != "C"
        assert item["source"]
    # JP in a year whose bounds are unknown: flagged, and the component's confidence says so.
    jp = benefit_compute(
        {
            "benefit": "JP",
            "event_date": "2030-01-01",
            "membership_start": "2010-01-01",
            "contribution_months": 240,
            "average_indexed_wage": 6000000,
        }
    )
    assert "jp_bounds.2030" in {item["key"] for item in jp["unconfirmed"]}
    assert jp["components"][0]["confidence"] == "U"


def test_uncertain_effective_date_flagged_only_near_it(tmp_path: Path) -> None:
    # PP 82/2019's date is confirmed now (2 Dec 2019, rules.md §12.1): not flagged. A deployment that doubts a
    # date marks it below C, and events within a month of it say so.
    near = {"benefit": "JKM", "event_date": "2019-11-20", "membership_start": "2015-01-01"}
    far = {**near, "event_date": "2023-11-20"}
    assert "jkm[PP 82/2019].valid_from" not in {item["key"] for item in benefit_compute(near)["unconfirmed"]}
    override = tmp_path / "override.toml"
    override.write_text(
        '[[jkm]]\nversion = "PP 82/2019"\nvalid_from = "2019-12-02"\nvalid_from_confidence = "M"\n'
    )
    doubted = load_tables(override=override)
    assert "jkm[PP 82/2019].valid_from" in {
        item["key"] for item in benefit_compute(near, tables=doubted)["unconfirmed"]
    }
    assert "jkm[PP 82/2019].valid_from" not in {
        item["key"] for item in benefit_compute(far, tables=doubted)["unconfirmed"]
    }


def test_pp82_2019_lampiran_jkk_death_answer_names_the_floor_when_it_applies() -> None:
    # rules.md §12.1: the lump sum is at least the JKM death lump sum; the answer must say it was raised.
    low = benefit_compute(
        {
            "benefit": "JKK_DEATH",
            "event_date": "2024-08-01",
            "membership_start": "2024-01-01",
            "monthly_wage": 300000,
        }
    )
    lump = next(c for c in low["components"] if c["name"] == "death_lump_sum")
    assert lump["amount"] == 20_000_000
    assert lump["floor_applied"] == 20_000_000
    assert lump["formula_amount"] == 14_400_000
    assert lump["confidence"] == "B"
    assert any("floor" in reason and "Rp20,000,000" in reason for reason in low["reasons"])
    assert "jkk[PP 82/2019].death_floor" in {item["key"] for item in low["unconfirmed"]}
    high = benefit_compute(
        {
            "benefit": "JKK_DEATH",
            "event_date": "2024-08-01",
            "membership_start": "2024-01-01",
            "monthly_wage": 5000000,
        }
    )
    lump = next(c for c in high["components"] if c["name"] == "death_lump_sum")
    assert "floor_applied" not in lump
    assert lump["confidence"] == "C"
    assert not any("floor" in reason for reason in high["reasons"])
