"""Checking a contribution request (a JSON object) and turning it into a typed `ContributionInput`.

Every problem is reported with the field it concerns, all at once, as RuleInputError. Types are strict:
money is a JSON integer (not a float, not a string, not true/false), because a silently coerced amount is
a wrong bill.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cakupan.rules.contributions.tables import FUNDING, PROGRAMS, SECTORS
from cakupan.rules.errors import RuleInputError
from cakupan.rules.period import Period

SEGMENTS = ("PU", "BPU", "JAKON", "PMI")

# Which programmes each segment may join (rules.md 1.2-1.4): JP is not open to BPU, Jakon or PMI
# (databoks), Jakon is JKK + JKM only, JKP is only for wage earners (PP 37/2021).
OPEN_PROGRAMS: dict[str, tuple[str, ...]] = {
    "PU": ("JKK", "JKM", "JHT", "JP", "JKP"),
    "BPU": ("JKK", "JKM", "JHT"),
    "JAKON": ("JKK", "JKM"),
    "PMI": ("JKK", "JKM", "JHT"),
}

SEGMENT_FIELDS: dict[str, frozenset[str]] = {
    "PU": frozenset({"monthly_wage", "risk_class", "jp_deferred"}),
    "BPU": frozenset({"declared_income", "sector", "funding"}),
    "JAKON": frozenset({"contract_value"}),
    "PMI": frozenset({"contract_months", "include_pre_placement", "jht_amount"}),
}
COMMON_FIELDS = frozenset({"segment", "period", "programs"})

# A sanity bound, not a rule: it keeps every product of an amount and a rate exact within Decimal's
# default 28 digits. Rp10^15 is far above any wage or construction contract.
MAX_RUPIAH = 10**15


@dataclass(frozen=True)
class ContributionInput:
    """One member's (or project's) request, already checked. Fields not used by the segment are None.

    A flat record of plain values, so a batch run can hold thousands of them (or columns of them) cheaply.
    """

    segment: str
    period: Period
    programs: tuple[str, ...]  # in the canonical order JKK, JKM, JHT, JP, JKP
    monthly_wage: int | None = None
    risk_class: int | None = None
    declared_income: int | None = None
    sector: str | None = None
    funding: str | None = None
    contract_value: int | None = None
    contract_months: int | None = None
    include_pre_placement: bool = False
    jht_amount: int | None = None
    jp_deferred: bool = False  # PP 49/2020: the employer qualifies for and asks the JP deferral


class _Errors:
    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, field: str, message: str) -> None:
        self.items.append((field, message))


def _integer(
    payload: Mapping[str, Any], field: str, errors: _Errors, *, minimum: int, maximum: int = MAX_RUPIAH
) -> int | None:
    if field not in payload or payload[field] is None:
        errors.add(field, "This field is required.")
        return None
    value = payload[field]
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(field, "Must be a whole number (an integer, not text, a decimal or true/false).")
        return None
    if value < minimum:
        errors.add(field, "Must not be negative." if value < 0 else f"Must be at least {minimum:,}.")
        return None
    if value > maximum:
        errors.add(field, f"Must be at most {maximum:,}.")
        return None
    return value


def _choice(payload: Mapping[str, Any], field: str, choices: tuple[str, ...], errors: _Errors) -> str | None:
    value = payload.get(field)
    if value is None:
        errors.add(field, "This field is required.")
    elif not isinstance(value, str) or value not in choices:
        errors.add(field, f"Must be one of: {', '.join(choices)}.")
    else:
        return value
    return None


def _period(payload: Mapping[str, Any], errors: _Errors) -> Period | None:
    value = payload.get("period")
    if value is None:
        errors.add("period", "This field is required.")
        return None
    if not isinstance(value, str):
        errors.add("period", "Must be a month written YYYY-MM, e.g. 2025-04.")
        return None
    try:
        return Period.parse(value)
    except ValueError:
        errors.add("period", f"{value!r} is not a month written YYYY-MM (month 01-12).")
        return None


def _programs(payload: Mapping[str, Any], segment: str | None, errors: _Errors) -> tuple[str, ...]:
    value = payload.get("programs")
    if value is None:
        errors.add("programs", "This field is required.")
        return ()
    if not isinstance(value, list) or not value or not all(isinstance(p, str) for p in value):
        errors.add("programs", f"Must be a non-empty list of programme codes ({', '.join(PROGRAMS)}).")
        return ()
    unknown = [p for p in value if p not in PROGRAMS]
    if unknown:
        errors.add("programs", f"Unknown programme(s): {', '.join(unknown)}; known: {', '.join(PROGRAMS)}.")
        return ()
    if len(set(value)) != len(value):
        errors.add("programs", "Each programme may appear only once.")
        return ()
    if segment is not None:
        closed = [p for p in value if p not in OPEN_PROGRAMS[segment]]
        if closed:
            errors.add(
                "programs",
                f"{', '.join(closed)} not open to segment {segment} "
                f"(open: {', '.join(OPEN_PROGRAMS[segment])}).",
            )
            return ()
    return tuple(p for p in PROGRAMS if p in value)


def contribution_input_parse(payload: object) -> ContributionInput:
    """Check a request and return it typed; RuleInputError naming every faulty field otherwise."""
    if not isinstance(payload, Mapping):
        raise RuleInputError([("body", "Expected a JSON object.")])
    errors = _Errors()
    segment = _choice(payload, "segment", SEGMENTS, errors)
    period = _period(payload, errors)
    programs = _programs(payload, segment, errors)
    allowed = COMMON_FIELDS | (
        SEGMENT_FIELDS[segment] if segment else frozenset().union(*SEGMENT_FIELDS.values())
    )
    for field in payload:
        if field not in allowed:
            where = f" for segment {segment}" if segment else ""
            errors.add(str(field), f"Unknown field{where}.")
    fields: dict[str, Any] = {}
    if segment == "PU":
        fields["monthly_wage"] = _integer(payload, "monthly_wage", errors, minimum=1)
        if "JKK" in programs or payload.get("risk_class") is not None:
            fields["risk_class"] = _integer(payload, "risk_class", errors, minimum=1, maximum=5)
        if "JKP" in programs and not {"JKK", "JKM", "JHT"} <= set(programs):
            # JKP eligibility needs at least JKK, JKM and JHT (rules.md 1.1, 5.6), and its funding is partly
            # recomposed from the JKK and JKM contributions.
            errors.add("programs", "JKP requires JKK, JKM and JHT.")
        deferred = payload.get("jp_deferred", False)
        if not isinstance(deferred, bool):
            errors.add("jp_deferred", "Must be true or false.")
        elif deferred and "JP" not in programs:
            errors.add("jp_deferred", "Only with the JP programme.")
        fields["jp_deferred"] = deferred is True
    elif segment == "BPU":
        fields["declared_income"] = _integer(payload, "declared_income", errors, minimum=0)
        fields["sector"] = _choice(payload, "sector", SECTORS, errors)
        fields["funding"] = _choice(payload, "funding", FUNDING, errors)
    elif segment == "JAKON":
        fields["contract_value"] = _integer(payload, "contract_value", errors, minimum=1)
    elif segment == "PMI":
        fields["contract_months"] = _integer(payload, "contract_months", errors, minimum=1, maximum=1200)
        pre = payload.get("include_pre_placement", False)
        if not isinstance(pre, bool):
            errors.add("include_pre_placement", "Must be true or false.")
        fields["include_pre_placement"] = pre is True
        if "JHT" in programs:
            fields["jht_amount"] = _integer(payload, "jht_amount", errors, minimum=1)
        elif payload.get("jht_amount") is not None:
            errors.add("jht_amount", "Only with the JHT programme.")
        if programs and not {"JKK", "JKM"} <= set(programs):
            # Permenaker 4/2023: JKK and JKM are compulsory for migrant workers and priced as one package.
            errors.add("programs", "A migrant worker (PMI) is enrolled in JKK and JKM together.")
    if errors.items:
        raise RuleInputError(errors.items)
    assert segment is not None  # no errors, so both were read
    assert period is not None
    return ContributionInput(segment=segment, period=period, programs=programs, **fields)
