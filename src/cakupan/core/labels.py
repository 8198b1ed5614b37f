"""Stored codes as words people read, in the active language: `label("sector", "rumah_sakit")` is
"rumah sakit" on an Indonesian page and "hospital" on an English one, never `rumah_sakit`.

One table of code sets ("kinds"). Where a model field has choices, the kind is those choices (their labels
are already translated, `gettext_lazy`), so a label is written once, on the model. Codes that live outside a
model field (the coverage snapshot's sector keys, filter values such as "all") are listed here with their
msgid. The apps register the code sets of their models when they start (`register` in their
AppConfig.ready): core imports no domain app.

An unknown code is shown as itself: better a code on the page than a page that fails; the page test in
`web/tests/test_display_pages.py` fails on such a code instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from cakupan.core.display import MISSING

# Code sets that belong to no model field; the apps add theirs at start-up (`register`, in their
# AppConfig.ready), so core imports no domain app.
_KINDS: dict[str, Callable[[], Mapping[str, Any]]] = {
    "target_status": lambda: {"on_track": _("on track"), "at_risk": _("at risk")},
    "gap_category": lambda: {"all": _("all workers"), "informal": _("informal workers")},
    # A benefit's parts as the calculators name them (rules/benefits, Answer.add).
    "benefit_component": lambda: {
        "lump_sum": _("lump sum"),
        "periodic": _("periodic benefit"),
        "funeral": _("funeral costs"),
        "home_care": _("home care"),
        "balance_payout": _("JHT balance paid out"),
        "cash": _("cash benefit"),
        "death_lump_sum": _("lump sum for death"),
        "disability_lump_sum": _("lump sum for disability"),
        "medical_care": _("medical care"),
        "monthly_pension": _("monthly pension"),
        "transport": _("transport costs"),
        "wage_replacement": _("wage replacement (STMB)"),
        "scholarship": _("children's scholarship"),
    },
    # Eligibility checks of a claim (benefits/eligibility/rules.py), their results and the decision.
    "claim_check": lambda: {
        "claim_window": _("claim window"),
        "employer_pays_first": _("employer pays first"),
        "jkp_citizen": _("citizenship (JKP)"),
        "jkp_contributions": _("contributions paid (JKP)"),
        "jkp_programmes": _("programmes held (JKP)"),
        "jkp_reason": _("how the job ended (JKP)"),
        "jkp_registration_age": _("age at registration (JKP)"),
        "jp_months": _("months of contributions (JP)"),
        "membership": _("active membership"),
        "wage": _("wage used"),
    },
    "check_result": lambda: {
        "pass": _("met"),
        "fail": _("not met"),
        "unknown": _("cannot tell from the data"),
        "note": _("note"),
    },
    "eligibility": lambda: {
        "eligible": _("eligible"),
        "not_eligible": _("not eligible"),
        "needs_review": _("needs review"),
    },
    # How sure a rule table's number is (rules/sourced.py; the domain notes' [C] [M] [B] [U]).
    "confidence": lambda: {
        key: text
        for keys, text in (
            (("confirmed", "C"), _("confirmed")),
            (("medium", "M"), _("medium confidence")),
            (("background", "B"), _("background source")),
            (("unconfirmed", "U"), _("unconfirmed")),
        )
        for key in keys
    },
    # How a job ended (benefits/eligibility/tables.py END_REASONS): JKP and the JHT claim reason.
    "end_reason": lambda: {
        "dismissal": _("dismissed by the employer (PHK)"),
        "contract_terminated_early": _("fixed-term contract ended early"),
        "resignation": _("resigned"),
        "contract_end": _("fixed-term contract ended on schedule"),
        "total_disability": _("total permanent disability"),
        "retirement": _("retirement"),
        "death": _("death"),
    },
}


def register(kind: str, table: Callable[[], Mapping[str, Any]]) -> None:
    """An app's code set: `table()` gives {code: lazy label}, read when a label is asked for."""
    _KINDS[kind] = table


def model_choices(choices: Any) -> Callable[[], dict[str, Any]]:
    """A code set that is a model field's choices (their labels are translated on the model)."""
    return lambda: {str(value): text for value, text in choices.choices}


def _kinds() -> dict[str, Callable[[], Mapping[str, Any]]]:
    return _KINDS


def kinds() -> list[str]:
    return sorted(_kinds())


def label(kind: str, code: Any) -> str:
    """The word for `code` in code set `kind`, in the active language."""
    table = _kinds().get(kind)
    if table is None:
        raise KeyError(f"no code set named {kind!r}")
    text = table().get("" if code is None else str(code))
    if text is not None:
        return str(text)
    return MISSING if code is None or code == "" else str(code)


def choices(kind: str) -> list[tuple[str, Any]]:
    """(code, lazy label) pairs for a form field: `ChoiceField(choices=partial(choices, "gap_category"))`."""
    return list(_kinds()[kind]().items())


def source(value: Any) -> str:
    """A figure's source as a citation a person can read. A synthetic figure (the demo's stand-ins where
    BPS publishes none) says so in the reader's language instead of its stored English note."""
    get = value.get if isinstance(value, dict) else lambda key, default=None: getattr(value, key, default)
    if not value:
        return MISSING
    if get("synthetic", False):
        return str(_("synthetic figure for the demo, not published by BPS"))
    return str(get("source", "") or MISSING)
