"""The Bahasa Indonesia catalogue: complete (no empty or fuzzy entry, placeholders kept), and the new
pages speak Indonesian by default and English after the user switches language."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from django.test import Client
from django.urls import reverse

PO = Path(__file__).resolve().parents[2] / "locale" / "id" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%|%[sdif]|\{\w*\}")

# (page, an Indonesian phrase it shows by default, the English one after switching)
PAGES = [
    ("/benefits/claims/", "<h1>Klaim</h1>", "<h1>Claims</h1>"),
    ("/benefits/simulator/", "Simulasi manfaat", "Benefit simulator"),
    ("/contributions/bills/", "<title>Tagihan", "<title>Bills"),
    ("/coverage/", "Tenaga kesehatan", "Health workers"),
]


def _entries() -> list[Any]:
    with PO.open("rb") as handle:
        return [message for message in read_po(handle) if message.id]


def _strings(value: Any) -> list[str]:
    return list(value) if isinstance(value, (tuple, list)) else [value]


def test_catalogue_has_no_empty_or_fuzzy_entry() -> None:
    entries = _entries()
    assert len(entries) > 500  # the real catalogue was read, not an empty file
    empty = [m.id for m in entries if not all(_strings(m.string))]
    fuzzy = [m.id for m in entries if m.fuzzy]
    assert empty == [], "untranslated: run makemessages and translate these"
    assert fuzzy == [], "fuzzy: check these translations and remove the flag"


def test_translations_keep_every_placeholder() -> None:
    wrong = []
    for message in _entries():
        ids = _strings(message.id)
        expected = sorted(PLACEHOLDER.findall(ids[-1]))
        for text in _strings(message.string):
            # Indonesian has one plural form: its text may use the singular's placeholders or the plural's.
            if sorted(PLACEHOLDER.findall(text)) not in (expected, sorted(PLACEHOLDER.findall(ids[0]))):
                wrong.append((message.id, text))
    assert wrong == []


@pytest.mark.parametrize(("url", "indonesian", "english"), PAGES)
def test_pages_speak_indonesian_by_default_and_english_on_request(
    world: Any, as_user: Any, url: str, indonesian: str, english: str
) -> None:
    client: Client = as_user(world.branch_malang)
    default = client.get(url)
    assert default.status_code == 200
    assert indonesian in default.text
    assert english not in default.text
    client.post(reverse("set_language"), {"language": "en", "next": url})
    switched = client.get(url)
    assert english in switched.text
    assert indonesian not in switched.text


def test_menu_is_translated(world: Any, as_user: Any) -> None:
    client: Client = as_user(world.branch_malang)
    menu = re.search(r'<nav class="nav".*?</nav>', client.get(reverse("home")).text, re.S)
    assert menu is not None
    for phrase in ("Iuran", "Tunggakan", "Klaim", "Kepatuhan"):
        assert phrase in menu.group(0)
