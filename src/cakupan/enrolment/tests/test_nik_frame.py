"""One NIK rule, two ways to run it: `nik_check` (one NIK) and `nik_check_frame` (a column, as polars
expressions, what roster validation uses) give the same normalised NIK, errors and warnings (codes,
details, order) on the registry's table of spec cases and on generated NIKs."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from cakupan.regions.codes import region_codes
from cakupan.registry.nik import nik_check, nik_check_frame
from cakupan.registry.tests.test_nik import DISTRICTS, MAN, NIK_CASES, WOMAN

CODES = region_codes()
Case = tuple[str, dt.date | None, str | None]


def scalar(cases: list[Case]) -> list[tuple[str, list[str], list[dict[str, str]]]]:
    out = []
    for nik, born, sex in cases:
        check = nik_check(nik, birth_date=born, sex=sex, codes=CODES)
        out.append((check.nik, [e.code for e in check.errors], [w.as_dict() for w in check.warnings]))
    return out


def vectorised(cases: list[Case]) -> list[tuple[str, list[str], list[dict[str, str]]]]:
    frame = pl.DataFrame(
        {
            "nik": [c[0] for c in cases],
            "birth_date": [c[1] for c in cases],
            "sex": [c[2] for c in cases],
        },
        schema={"nik": pl.Utf8, "birth_date": pl.Date, "sex": pl.Utf8},
    )
    checked = nik_check_frame(frame, codes=CODES)
    assert checked.height == frame.height
    out = []
    for r in checked.iter_rows(named=True):
        warnings = json.loads(r["nik_warnings_json"])
        assert r["nik_warnings"] == [w["code"] for w in warnings]
        out.append((r["nik"], r["nik_errors"], warnings))
    return out


def agree(cases: list[Case]) -> None:
    for case, one, many in zip(cases, scalar(cases), vectorised(cases), strict=True):
        assert one == many, case


def test_the_spec_table_agrees() -> None:
    cases: list[Case] = [
        (c["nik"], dt.date.fromisoformat(c["birth_date"]) if c["birth_date"] else None, c["sex"])
        for c in NIK_CASES
    ]
    cases += [
        ("3599010013900000", None, None),  # every structural fault at once
        ("9101011503900000", None, None),  # a legacy code with an error: the warning stays, as in nik_check
        ("3573 0105-0390.0001", dt.date(1990, 3, 5), "P"),
        ("3573\x1c010503900001", None, None),  # an ASCII separator Python's \s takes
        ("", None, None),
        (" ", dt.date(1990, 3, 5), "L"),
        (MAN, dt.date(1905, 3, 5), None),
        (WOMAN, None, "L"),
        ("3573012902000001", dt.date(2000, 2, 29), "L"),
        ("3573013104900001", None, None),  # 31 April
    ]
    agree(cases)


def test_an_empty_column() -> None:
    assert vectorised([]) == []


born = st.one_of(st.none(), st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 12, 31)))
sex = st.sampled_from([None, "L", "P"])
two = st.integers(0, 99).map(lambda n: f"{n:02d}")
near_niks = st.builds(
    lambda district, day, month, yy, serial: district.replace(".", "") + day + month + yy + serial,
    st.one_of(
        st.sampled_from(DISTRICTS),
        st.sampled_from(sorted(CODES.legacy_regencies)).map(lambda r: r + ".01"),
        st.from_regex(r"\A[0-9]{2}\.[0-9]{2}\.[0-9]{2}\Z"),
    ),
    st.one_of(two, st.sampled_from(["01", "28", "29", "30", "31", "41", "69", "70", "71"])),
    st.one_of(two, st.sampled_from(["01", "02", "04", "12"])),
    two,
    st.one_of(st.just("0000"), st.integers(0, 9999).map(lambda n: f"{n:04d}")),
)
any_text = st.text(alphabet=st.sampled_from("0123456789 .-\t\x1cO٣"), max_size=20)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.one_of(near_niks, any_text), born, sex), min_size=1, max_size=60))
def test_generated_niks_agree(cases: Any) -> None:
    agree(cases)
