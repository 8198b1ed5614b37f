"""The one way amounts, figures, dates and codes are written, in both languages, and the template filters
that use it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from cakupan.core import display, labels
from cakupan.rules.period import Period

NBSP = "\u00a0"
MOMENT = dt.datetime(2026, 12, 7, 12, 55, tzinfo=dt.UTC)  # 19.55 in Jakarta


@pytest.mark.parametrize(
    ("call", "indonesian", "english"),
    [
        (lambda lang: display.rupiah(1_234_567, lang=lang), "Rp1.234.567", "Rp1,234,567"),
        (lambda lang: display.rupiah(-5_000, lang=lang), "-Rp5.000", "-Rp5,000"),
        (lambda lang: display.rupiah(0, lang=lang), "Rp0", "Rp0"),
        (lambda lang: display.count(189_546, lang=lang), "189.546", "189,546"),
        (lambda lang: display.count("26500", lang=lang), "26.500", "26,500"),
        (lambda lang: display.percent(0.4339, lang=lang), f"43,4{NBSP}%", "43.4%"),
        (lambda lang: display.percent(Decimal("0.8"), lang=lang), f"80,0{NBSP}%", "80.0%"),
        (lambda lang: display.percent_points("5.7", lang=lang), f"5,7{NBSP}%", "5.7%"),
        (lambda lang: display.percent(0.8, digits=0, lang=lang), f"80{NBSP}%", "80%"),
        (lambda lang: display.month_short("2025-08", lang=lang), "Agu 25", "Aug 25"),
        (lambda lang: display.decimal(0.8734, lang=lang), "0,87", "0.87"),
        (lambda lang: display.date(dt.date(2026, 12, 7), lang=lang), "7 Desember 2026", "7 December 2026"),
        (lambda lang: display.date("2025-11-15", lang=lang), "15 November 2025", "15 November 2025"),
        (lambda lang: display.month(Period(2025, 11), lang=lang), "November 2025", "November 2025"),
        (lambda lang: display.month("2025-08", lang=lang), "Agustus 2025", "August 2025"),
        (lambda lang: display.month(dt.date(2025, 2, 14), lang=lang), "Februari 2025", "February 2025"),
        (lambda lang: display.datetime(MOMENT, lang=lang), "7 Desember 2026 19.55", "7 December 2026 19:55"),
        # A moment late in the UTC evening is the next day in Jakarta.
        (
            lambda lang: display.date(MOMENT + dt.timedelta(hours=8), lang=lang),
            "8 Desember 2026",
            "8 December 2026",
        ),
        (lambda lang: display.months(14, lang=lang), "14 bulan", "14 months"),
        (lambda lang: display.months(1, lang=lang), "1 bulan", "1 month"),
        (lambda lang: display.months(120, lang=lang), "120 bulan", "120 months"),
        # A huge budget's runway (1,194 months) says no more than that it outlasts ten years.
        (lambda lang: display.months(1_194, lang=lang), "lebih dari 10 tahun", "more than 10 years"),
        (lambda lang: display.rupiah(None, lang=lang), "–", "–"),
        (lambda lang: display.date("", lang=lang), "–", "–"),
    ],
)
def test_both_languages(call: object, indonesian: str, english: str) -> None:
    assert call("id") == indonesian  # type: ignore[operator]
    assert call("en") == english  # type: ignore[operator]


def test_the_active_language_decides_without_lang() -> None:
    with translation.override("en"):
        assert display.rupiah(26_500) == "Rp26,500"
    with translation.override("id"):
        assert display.rupiah(26_500) == "Rp26.500"


def test_a_truth_value_is_not_a_number() -> None:
    with pytest.raises(TypeError):
        display.count(True)


def test_filters_are_builtin() -> None:
    text = (
        "{{ a|rupiah }} {{ n|count }} {{ r|percent }} {{ d|day }} {{ p|month }} {{ t|day_time }} "
        '{{ s|label:"sector" }} {{ x|decimal:1 }}'
    )
    context = Context(
        {"a": 221_517_800, "n": 189_546, "r": 0.434, "d": dt.date(2026, 12, 7), "p": "2025-11", "t": MOMENT}
        | {"s": "rumah_sakit", "x": 2.25}
    )
    with translation.override("id"):
        shown = Template(text).render(context)
    assert shown == (
        f"Rp221.517.800 189.546 43,4{NBSP}% 7 Desember 2026 November 2025 7 Desember 2026 19.55 "
        "rumah sakit 2,2"
    )
    with translation.override("en"):
        shown = Template(text).render(context)
    assert (
        shown
        == "Rp221,517,800 189,546 43.4% 7 December 2026 November 2025 7 December 2026 19:55 hospital 2.2"
    )


@pytest.mark.parametrize(
    ("code", "indonesian", "english"),
    [
        ("rumah_sakit", "rumah sakit", "hospital"),
        (
            "vulnerable-apbd",
            "pekerja rentan dibiayai APBD",
            "vulnerable workers paid by a regional budget (APBD)",
        ),
        ("csr", "dibiayai perusahaan (CSR)", "sponsored by a company (CSR)"),
        ("other", "pemberi kerja dan pekerja lainnya", "other employers and workers"),
    ],
)
def test_sector_codes_have_words(code: str, indonesian: str, english: str) -> None:
    with translation.override("id"):
        assert labels.label("sector", code) == indonesian
    with translation.override("en"):
        assert labels.label("sector", code) == english


def test_every_code_set_has_words_for_its_codes() -> None:
    # Each code is a msgid translated into Indonesian ("klinik" is the word for "clinic", so the code itself
    # may be a word); only acronyms (PU, BPU) read the same in both languages.
    for kind in labels.kinds():
        same = []
        for code in labels._kinds()[kind]():
            with translation.override("en"):
                english = labels.label(kind, code)
            with translation.override("id"):
                same += [code] if labels.label(kind, code) == english and not code.isupper() else []
        assert same == [], kind


def test_unknown_code_set_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        labels.label("no-such-kind", "x")
