"""The calculators' English reasons shown in the reader's language, with dates and amounts written by the
display layer; a sentence of no known shape is kept and marked English."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

from cakupan.benefits.reason_words import reason_shown


def test_known_shapes_read_in_indonesian_with_display_formats() -> None:
    with translation.override("id"):
        assert reason_shown("No membership was active on 2024-06-01.") == (
            "Tidak ada kepesertaan yang aktif pada 1 Juni 2024.",
            True,
        )
        assert reason_shown("Benefit base: the last reported wage, Rp4,500,000.") == (
            "Dasar manfaat: upah terakhir yang dilaporkan, Rp4.500.000.",
            True,
        )
        assert reason_shown("Active on 2024-06-01 in JKK, JKM, JHT.")[0] == (
            "Aktif pada 1 Juni 2024 dalam program JKK, JKM, JHT."
        )
        assert reason_shown("JKP did not exist yet.") == ("JKP belum ada saat itu.", True)
        unknown = "Some new sentence from the rules."
        assert reason_shown(unknown) == (unknown, False)
    with translation.override("en"):
        assert reason_shown("No membership was active on 2024-06-01.")[0] == (
            "No membership was active on 1 June 2024."
        )


def test_the_tag_marks_only_unknown_sentences_as_english() -> None:
    template = Template("{% load benefit_labels %}<li>{% reason text %}</li>")
    with translation.override("id"):
        known = template.render(Context({"text": "No reported wage on record."}))
        unknown = template.render(Context({"text": "Something <new>."}))
    assert known == "<li>Tidak ada upah yang dilaporkan dalam data.</li>"
    assert unknown == '<li><span lang="en">Something &lt;new&gt;.</span></li>'
