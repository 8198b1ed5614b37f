"""NIK validation (rules.md §9.1, §11.1): a table of the spec's cases, then properties over many NIKs.

Spec: rejected when not 16 digits, a province or regency code that does not exist (a known pre-split code
is accepted with a warning), month outside 01-12, day outside 01-31 and 41-71, serial 0000. An encoded birth
date or sex that disagrees with the recorded one is a warning, never a rejection.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cakupan.regions.codes import region_codes
from cakupan.registry.nik import MESSAGES, nik_check, nik_compose, nik_normalise

CODES = region_codes()
DISTRICTS = sorted(c for c in CODES.names if c.count(".") == 2)
REGENCIES = sorted(c for c in CODES.names if c.count(".") == 1)
MISSING_PROVINCES = sorted(f"{n:02d}" for n in range(100) if f"{n:02d}" not in CODES.provinces)
MISSING_REGENCIES = sorted(
    f"{p}.{r:02d}"
    for p in CODES.provinces
    for r in range(100)
    if f"{p}.{r:02d}" not in CODES.names and f"{p}.{r:02d}" not in CODES.legacy_regencies
)
VALID_DAYS = [*range(1, 32), *range(41, 72)]
INVALID_DAYS = [d for d in range(100) if d not in VALID_DAYS]

# Kota Malang 35.73, district 01; 5 March 1990.
MAN = "3573010503900001"
WOMAN = "3573014503900001"


def codes_of(nik: str, kind: str = "errors") -> list[str]:
    return [issue.code for issue in getattr(nik_check(nik), kind)]


# --- the spec, case by case ----------------------------------------------------------------------
# One table for the server and the device: the field app's checker (fieldapp/static/fieldapp/nik.js) runs
# the same cases in Chromium (fieldapp/tests/test_nik_device.py).
NIK_CASES = json.loads((Path(__file__).with_name("nik_cases.json")).read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("spec", NIK_CASES, ids=[c["case"] for c in NIK_CASES])
def test_spec_case(spec: dict[str, Any]) -> None:
    born = dt.date.fromisoformat(spec["birth_date"]) if spec["birth_date"] else None
    check = nik_check(spec["nik"], birth_date=born, sex=spec["sex"])
    assert [e.code for e in check.errors] == spec["errors"]
    assert [w.code for w in check.warnings] == spec["warnings"]
    assert check.valid == (not spec["errors"])
    assert all(issue.message for issue in [*check.errors, *check.warnings])  # each has a readable message


def test_the_spec_covers_every_rule() -> None:
    """Every reason the checker can give is exercised by the shared table, as a rejection and as a pass."""
    seen = {code for c in NIK_CASES for code in c["errors"] + c["warnings"]}
    assert seen == set(MESSAGES)
    assert any(not c["errors"] for c in NIK_CASES)
    assert any(c["errors"] for c in NIK_CASES)


def test_the_legacy_warning_names_the_current_code() -> None:
    (warning,) = nik_check("9101011503900001").warnings
    assert warning.detail == "91.01 → 93.01"
    assert warning.as_dict() == {"code": "legacy_region", "detail": "91.01 → 93.01"}


def test_decoded_fields() -> None:
    man, woman = nik_check(MAN), nik_check(WOMAN)
    assert (man.sex, man.day, man.month, man.yy) == ("L", 5, 3, 90)
    assert (woman.sex, woman.day, woman.month, woman.yy) == ("P", 5, 3, 90)
    assert man.regency_code == "35.73"


@pytest.mark.parametrize(
    "typed",
    [
        "3573 0105 0390 0001",
        "35.73.01.050390.0001",
        "3573-0105-0390-0001",
        " 3573010503900001\n",
        "35 73\t01",
    ],
)
def test_separators_are_stripped(typed: str) -> None:
    digits = "".join(ch for ch in typed if ch.isdigit())
    assert nik_normalise(typed) == digits
    assert nik_check(typed).nik == digits
    assert nik_check(typed).valid == nik_check(digits).valid


def test_compose_puts_the_parts_in_place() -> None:
    nik = nik_compose(district_code="35.73.01", birth_date=dt.date(1990, 3, 5), sex="P", serial=1)
    assert nik == WOMAN


# --- properties ----------------------------------------------------------------------------------

birth_dates = st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2010, 12, 31))
sexes = st.sampled_from(["L", "P"])
serials = st.integers(min_value=1, max_value=9999)


def nik_from(pp_rr: str, dd: int, day: int, month: int, yy: int, serial: int) -> str:
    return f"{pp_rr.replace('.', '')}{dd:02d}{day:02d}{month:02d}{yy:02d}{serial:04d}"


@settings(max_examples=300, deadline=None)
@given(district=st.sampled_from(DISTRICTS), born=birth_dates, sex=sexes, serial=serials)
def test_composed_niks_are_valid_and_round_trip(district: str, born: dt.date, sex: str, serial: int) -> None:
    nik = nik_compose(district_code=district, birth_date=born, sex=sex, serial=serial)
    check = nik_check(nik, birth_date=born, sex=sex)
    assert check.valid, check.errors
    assert check.warnings == []
    assert (check.sex, check.day, check.month, check.yy) == (sex, born.day, born.month, born.year % 100)
    assert check.regency_code == district[:5]


@settings(max_examples=200, deadline=None)
@given(
    district=st.sampled_from(DISTRICTS),
    encoded=birth_dates,
    encoded_sex=sexes,
    recorded=birth_dates,
    recorded_sex=sexes,
)
def test_a_disagreeing_date_or_sex_warns_and_never_rejects(
    district: str, encoded: dt.date, encoded_sex: str, recorded: dt.date, recorded_sex: str
) -> None:
    nik = nik_compose(district_code=district, birth_date=encoded, sex=encoded_sex, serial=1)
    check = nik_check(nik, birth_date=recorded, sex=recorded_sex)
    assert check.valid
    warned = {w.code for w in check.warnings}
    same_date = (encoded.day, encoded.month, encoded.year % 100) == (
        recorded.day,
        recorded.month,
        recorded.year % 100,
    )
    assert ("birth_date_mismatch" in warned) == (not same_date)
    assert ("sex_mismatch" in warned) == (encoded_sex != recorded_sex)


@settings(max_examples=200, deadline=None)
@given(
    regency=st.sampled_from(REGENCIES),
    dd=st.integers(0, 99),
    day=st.sampled_from(VALID_DAYS),
    month=st.one_of(st.just(0), st.integers(13, 99)),
    yy=st.integers(0, 99),
    serial=st.integers(0, 9999),
)
def test_a_month_outside_1_to_12_is_rejected(
    regency: str, dd: int, day: int, month: int, yy: int, serial: int
) -> None:
    nik = nik_from(regency, dd, day, month, yy, serial)
    assert "month" in codes_of(nik)


@settings(max_examples=200, deadline=None)
@given(
    regency=st.sampled_from(REGENCIES),
    dd=st.integers(0, 99),
    day=st.sampled_from(INVALID_DAYS),
    month=st.integers(1, 12),
    yy=st.integers(0, 99),
    serial=st.integers(1, 9999),
)
def test_a_day_outside_1_31_and_41_71_is_rejected(
    regency: str, dd: int, day: int, month: int, yy: int, serial: int
) -> None:
    assert codes_of(nik_from(regency, dd, day, month, yy, serial)) == ["day"]


@settings(max_examples=100, deadline=None)
@given(district=st.sampled_from(DISTRICTS), born=birth_dates, sex=sexes)
def test_serial_0000_is_rejected(district: str, born: dt.date, sex: str) -> None:
    nik = nik_compose(district_code=district, birth_date=born, sex=sex, serial=0)
    assert codes_of(nik) == ["serial"]


@settings(max_examples=200, deadline=None)
@given(province=st.sampled_from(MISSING_PROVINCES), rest=st.from_regex(r"\A[0-9]{14}\Z"))
def test_a_province_that_does_not_exist_is_rejected(province: str, rest: str) -> None:
    assert "province" in codes_of(province + rest)


@settings(max_examples=200, deadline=None)
@given(
    regency=st.sampled_from(MISSING_REGENCIES),
    district=st.sampled_from(DISTRICTS),
    born=birth_dates,
    sex=sexes,
)
def test_a_regency_that_does_not_exist_is_rejected(
    regency: str, district: str, born: dt.date, sex: str
) -> None:
    valid = nik_compose(district_code=district, birth_date=born, sex=sex, serial=7)
    assert codes_of(regency.replace(".", "") + valid[4:]) == ["regency"]


@settings(max_examples=100, deadline=None)
@given(
    legacy=st.sampled_from(sorted(CODES.legacy_regencies)),
    district=st.sampled_from(DISTRICTS),
    born=birth_dates,
    sex=sexes,
)
def test_every_known_pre_split_code_is_accepted_with_a_warning(
    legacy: str, district: str, born: dt.date, sex: str
) -> None:
    valid = nik_compose(district_code=district, birth_date=born, sex=sex, serial=7)
    check = nik_check(legacy.replace(".", "") + valid[4:], birth_date=born, sex=sex)
    assert check.valid
    assert [w.code for w in check.warnings] == ["legacy_region"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789", max_size=30).filter(lambda s: len(s) != 16))
def test_any_other_length_is_rejected_for_length_only(text: str) -> None:
    assert codes_of(text) == ["length"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_gives_an_answer_never_an_exception(text: str) -> None:
    check = nik_check(text)
    assert check.valid == (not check.errors)
    if check.valid:
        assert len(check.nik) == 16
        assert check.nik.isascii()
        assert check.nik.isdigit()


@settings(max_examples=200, deadline=None)
@given(
    district=st.sampled_from(DISTRICTS),
    born=birth_dates,
    sex=sexes,
    cuts=st.lists(st.tuples(st.integers(0, 16), st.sampled_from([" ", ".", "-", "\t"])), max_size=6),
)
def test_separators_anywhere_change_nothing(
    district: str, born: dt.date, sex: str, cuts: list[tuple[int, str]]
) -> None:
    nik = nik_compose(district_code=district, birth_date=born, sex=sex, serial=42)
    typed = nik
    for position, separator in sorted(cuts, reverse=True):
        typed = typed[:position] + separator + typed[position:]
    assert nik_check(typed) == nik_check(nik)
