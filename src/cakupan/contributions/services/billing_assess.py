"""Turning registry rows into bill-line amounts with the rules core, fast enough for a national run.

Every amount comes from `contributions_assess_batch` (the calculator behind `contribution_assess`), with
the rules of the period resolved once. Members whose inputs are equal get equal assessments, so each
distinct input (segment, programmes, wage, risk class, income, sector, funding) is parsed by
`contribution_input_parse` and assessed once per run and reused: wages cluster (minimum wages, pay
scales), which makes a chunk of 20,000 members a few hundred calculator calls, and no member is priced by
any other code. Members the calculator rejects are skipped with its own field and message as the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from cakupan.rules.contributions import (
    Assessment,
    PeriodRules,
    contribution_input_parse,
    contributions_assess_batch,
)
from cakupan.rules.errors import RuleInputError

# Column order of an amount part: programmes, then parties, then the total.
PROGRAM_INDEX = {"JKK": 0, "JKM": 1, "JHT": 2, "JP": 3, "JKP": 4}
PARTY_INDEX = {"employer": 5, "worker": 6, "government": 7, "sponsor": 8}
AMOUNT_INDEX = 9
PROGRAM_NAMES = ("JKK", "JKM", "JHT", "JP", "JKP")

# The fields of a membership a bill needs (one values_list read per chunk).
MEMBER_FIELDS = (
    "id",
    "segment",
    "jkk",
    "jkm",
    "jht",
    "jp",
    "jkp",
    "payer_kind",
    "employer_id",
    "sponsor_id",
    "person_id",
    "declared_income",
    "bpu_sector",
    "employment_id",
    "employment__basic_wage",
    "employment__fixed_allowance",
    "employer__risk_class",
    "sponsor__kind",
)

Part = tuple[int, ...]  # 10 ints: jkk, jkm, jht, jp, jkp, employer, worker, government, sponsor, amount
# (ok) base, the payer's part, the government's part; or (skipped) the reason.
Priced = tuple[int, Part | None, Part | None] | str
# A member's line(s): membership id, payer key, base, payer part, government part.
Priced_member = tuple[int, tuple[str, int | None], int, Part | None, Part | None]


def _funding(payer_kind: str, sponsor_kind: str | None) -> str | None:
    """The calculator's source of funds of a BPU participant from the registry's payer (rules.md §3, §7)."""
    if payer_kind == "self":
        return "self"
    if payer_kind == "government":
        return "apbn"
    if payer_kind == "sponsor":
        return sponsor_kind
    return None  # an employer paying for a BPU participant: the calculator has no such funding


def _parts(assessment: Assessment) -> tuple[Part | None, Part | None]:
    """Split an assessment into what the member's payer pays and what the state budget pays (the JKP
    government share of PU, APBN-funded BPU), by programme and by party."""
    payer = [0] * 10
    government = [0] * 10
    for line in assessment.lines:
        column = PROGRAM_INDEX.get(line.program)
        if column is None:
            raise RuleInputError([("programs", f"{line.program} is not billed monthly.")])
        for party, value in line.shares.items():
            target = government if party == "government" else payer
            target[column] += value
            target[PARTY_INDEX[party]] += value
            target[AMOUNT_INDEX] += value
    return (
        tuple(payer) if payer[AMOUNT_INDEX] else None,
        tuple(government) if government[AMOUNT_INDEX] else None,
    )


def _payload(key: tuple[Any, ...], period: str) -> dict[str, Any]:
    segment, programs, wage, risk, income, sector, funding = key
    payload: dict[str, Any] = {"segment": segment, "period": period, "programs": list(programs)}
    if segment in ("PU",):
        payload.update(monthly_wage=wage, risk_class=risk)
    elif segment == "BPU":
        payload.update(declared_income=income, sector=sector or None, funding=funding)
    # Jakon needs the contract value and PMI the contract length, which the registry does not hold: the
    # calculator names the missing field and the member is skipped with it.
    return payload


def _reason(segment: str, exc: RuleInputError) -> str:
    return "; ".join(f"{segment} {field}: {message}" for field, message in exc.errors)


def price_keys(
    keys: Iterable[tuple[Any, ...]], *, rules: PeriodRules, cache: dict[tuple[Any, ...], Priced]
) -> None:
    """Assess every key not yet in `cache` with one batch call of the calculator."""
    period = str(rules.period)
    todo: list[tuple[Any, ...]] = []
    inputs = []
    for key in keys:
        if key in cache:
            continue
        try:
            inputs.append(contribution_input_parse(_payload(key, period)))
            todo.append(key)
        except RuleInputError as exc:
            cache[key] = _reason(key[0], exc)
    for key, result in zip(todo, contributions_assess_batch(rules=rules, inputs=inputs), strict=True):
        if isinstance(result, RuleInputError):
            cache[key] = _reason(key[0], result)
            continue
        base = key[2] if key[0] == "PU" else key[4]
        try:
            payer, government = _parts(result)
        except RuleInputError as exc:
            cache[key] = _reason(key[0], exc)
            continue
        cache[key] = (base, payer, government)


def price_members(
    rows: Sequence[tuple[Any, ...]],
    *,
    rules: PeriodRules,
    cache: dict[tuple[Any, ...], Priced],
    fallback_wages: dict[tuple[int, int], int],
) -> tuple[list[Priced_member], list[tuple[int, str]]]:
    """Price a chunk of MEMBER_FIELDS rows: (priced members, skipped (membership id, reason))."""
    keys: list[tuple[Any, ...]] = []
    for (
        _id,
        segment,
        jkk,
        jkm,
        jht,
        jp,
        jkp,
        payer_kind,
        employer_id,
        _sponsor_id,
        person_id,
        income,
        sector,
        employment_id,
        basic,
        allowance,
        risk,
        sponsor_kind,
    ) in rows:
        programs = tuple(n for n, held in zip(PROGRAM_NAMES, (jkk, jkm, jht, jp, jkp), strict=True) if held)
        if segment == "PU":
            if employment_id is not None:
                wage = basic + allowance
            else:
                wage = fallback_wages.get((person_id, employer_id))
            keys.append((segment, programs, wage, risk, None, None, None))
        elif segment == "BPU":
            keys.append((segment, programs, None, None, income, sector, _funding(payer_kind, sponsor_kind)))
        else:
            keys.append((segment, programs, None, None, None, None, None))
    price_keys(set(keys), rules=rules, cache=cache)
    priced: list[Priced_member] = []
    skipped: list[tuple[int, str]] = []
    for row, key in zip(rows, keys, strict=True):
        result = cache[key]
        if isinstance(result, str):
            skipped.append((row[0], result))
            continue
        base, payer, government = result
        payer_kind = row[7]
        payer_id = {"employer": row[8], "sponsor": row[9], "self": row[10]}.get(payer_kind)
        if payer is not None and payer_kind == "employer" and row[8] is None:
            skipped.append((row[0], f"{row[1]} payer: employer payer without an employer."))
            continue
        if payer is None and government is None:
            skipped.append((row[0], f"{row[1]} amount: nothing due."))
            continue
        priced.append((row[0], (payer_kind, payer_id), base, payer, government))
    return priced, skipped
