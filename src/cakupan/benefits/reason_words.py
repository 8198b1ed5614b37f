"""The calculators' reasons and the eligibility checks' details in the reader's language.

They are English sentences built in `rules/` and `benefits/eligibility/` (the rules core has no Django and
no catalogue). Each sentence shape known here is a pattern with its wording in the catalogue; the dates
and amounts inside are written by the display layer ("7 Desember 2026", "Rp4.500.000"). A sentence of no
known shape is shown as written, marked as English (`lang="en"`), so nothing is silently dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from cakupan.core import display

DATE = r"\d{4}-\d{2}-\d{2}"
AMOUNT = r"[\d,]+"
PROGRAMS = r"[A-Z_]+(?:, [A-Z_]+)*"


def _day(text: str) -> str:
    return display.date(dt.date.fromisoformat(text))


def _rupiah(text: str) -> str:
    return display.rupiah(int(text.replace(",", "")))


# (pattern, wording); the whole sentence must match. Parts named `day` or `amount` are written by the
# display layer, the others as they are.
SHAPES: tuple[tuple[re.Pattern[str], Promise], ...] = tuple(
    (re.compile(pattern), wording)
    for pattern, wording in (
        (rf"No membership was active on (?P<day>{DATE})\.", _("No membership was active on %(day)s.")),
        (
            rf"Active on (?P<day>{DATE}) in (?P<programs>{PROGRAMS})\.",
            _("Active on %(day)s in %(programs)s."),
        ),
        (
            rf"The membership active on (?P<day>{DATE}) covers (?P<held>{PROGRAMS}), "
            r"not (?P<required>[A-Z_]+)\.",
            _("The membership active on %(day)s covers %(held)s, not %(required)s."),
        ),
        (
            rf"Benefit base: the last reported wage, Rp(?P<amount>{AMOUNT})\.",
            _("Benefit base: the last reported wage, %(amount)s."),
        ),
        (
            r"(?P<employer>.+) was not more than 3 months in arrears\.",
            _("%(employer)s was not more than 3 months in arrears."),
        ),
        (
            r"Registered at age (?P<age>\d+); JKP requires registration before (?P<limit>\d+)\.",
            _("Registered at age %(age)s; JKP requires registration before %(limit)s."),
        ),
        (
            r"Assumes the participant has reached the JHT age of (?P<age>\d+)\.",
            _("Assumes the participant has reached the JHT age of %(age)s."),
        ),
        (
            r"Assumes the participant has reached the pension age of (?P<age>\d+) "
            r"in force in (?P<year>\d{4})\.",
            _("Assumes the participant has reached the pension age of %(age)s in force in %(year)s."),
        ),
        (
            rf"The amount asked is paid; it is within the limit of Rp(?P<amount>{AMOUNT})\.",
            _("The amount asked is paid; it is within the limit of %(amount)s."),
        ),
    )
)
_WRITE: dict[str, Callable[[str], str]] = {"day": _day, "amount": _rupiah}

# Sentences without parts: the catalogue's entry is the sentence itself (marked here for extraction).
FIXED = frozenset(
    (
        gettext_noop("Indonesian citizen."),
        gettext_noop("JKP is for Indonesian citizens (WNI) only."),
        gettext_noop("JKP did not exist yet."),
        gettext_noop("How the job ended was not given."),
        gettext_noop("No reported wage on record."),
        gettext_noop("No contribution records to count JP months."),
        gettext_noop("No JKP contribution rule before JKP began (2 Feb 2021)."),
        gettext_noop("No scholarship: no children given."),
        gettext_noop("No child listed can receive the scholarship this school year."),
        gettext_noop("Paid to the heirs when the participant dies while the membership is active."),
        gettext_noop(
            "Not paid after resignation, total disability, retirement, death, or a fixed-term contract "
            "ending on schedule."
        ),
    )
)


def reason_shown(text: Any) -> tuple[str, bool]:
    """(the sentence in the active language, whether a wording of it is known; English when not)."""
    sentence = str(text)
    if sentence in FIXED:
        return gettext(sentence), True
    for pattern, wording in SHAPES:
        found = pattern.fullmatch(sentence)
        if found is None:
            continue
        values = {name: _WRITE.get(name, str)(value) for name, value in found.groupdict().items()}
        return str(wording) % values, True
    return sentence, False
