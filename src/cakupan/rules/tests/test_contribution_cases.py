"""Every shared acceptance case and every golden case, straight through contribution_assess."""

from __future__ import annotations

from typing import Any

import pytest

from cakupan.rules.contributions import contribution_assess
from cakupan.rules.errors import RuleInputError
from cakupan.rules.tests import cases


def _check(case: dict[str, Any]) -> None:
    answer = contribution_assess(case["input"])
    assert cases.mismatches(case["expect"], cases.normalise(answer)) == []


def _check_invalid(case: dict[str, Any]) -> None:
    with pytest.raises(RuleInputError) as caught:
        contribution_assess(case["input"])
    assert case["field"] in [field for field, _ in caught.value.errors]


@pytest.mark.parametrize("case", cases.acceptance_cases())
def test_acceptance_case(case: dict[str, Any]) -> None:
    _check(case)


@pytest.mark.parametrize("case", cases.acceptance_invalid())
def test_acceptance_invalid_case(case: dict[str, Any]) -> None:
    _check_invalid(case)


@pytest.mark.parametrize("case", cases.golden_cases())
def test_golden_case(case: dict[str, Any]) -> None:
    _check(case)


@pytest.mark.parametrize("case", cases.golden_invalid())
def test_golden_invalid_case(case: dict[str, Any]) -> None:
    _check_invalid(case)


def test_answer_shape_is_whole_rupiah_with_sources() -> None:
    answer = contribution_assess(
        {
            "segment": "PU",
            "period": "2025-04",
            "programs": ["JKK", "JP"],
            "monthly_wage": 4_321_987,
            "risk_class": 4,
        }
    )
    for line in answer["lines"]:
        for key in ("base", "employer", "worker", "government", "sponsor", "amount"):
            assert type(line[key]) is int
        assert line["rule"]
        assert line["confidence"] in ("confirmed", "medium", "background", "unconfirmed")
    assert {rule["id"] for rule in answer["rules_used"]} == {
        "pu_jkk@2015-07-01",
        "pu_jp@2015-07-01",
        "jp_wage_cap@2025-03-01",
    }


def test_all_errors_are_reported_at_once() -> None:
    with pytest.raises(RuleInputError) as caught:
        contribution_assess({"segment": "PU", "period": "2025-13", "programs": ["JKK"], "monthly_wage": -1})
    assert {field for field, _ in caught.value.errors} == {"period", "monthly_wage", "risk_class"}


@pytest.mark.parametrize("payload", [None, [], "PU", 3])
def test_a_body_that_is_not_an_object_is_refused(payload: Any) -> None:
    with pytest.raises(RuleInputError) as caught:
        contribution_assess(payload)
    assert caught.value.errors[0][0] == "body"
