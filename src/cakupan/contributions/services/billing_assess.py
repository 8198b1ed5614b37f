"""Turning registry rows into bill-line amounts with the rules core, fast enough for a national run.

Every amount comes from `contributions_assess_batch` (the calculator behind `contribution_assess`), with
the rules of the period resolved once. Members whose inputs are equal get equal assessments, so each
distinct input (segment, programmes, wage, risk class, income, sector, funding) is parsed by
`contribution_input_parse` and assessed once per run and reused: wages cluster (minimum wages, pay
scales), which makes a chunk of 20,000 members a few hundred calculator calls, and no member is priced by
any other code. Members the calculator rejects are skipped with its own field and message as the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cakupan.registry.models import Membership
from cakupan.rules.contributions import (
    Assessment,
    PeriodRules,
    contribution_input_parse,
    contributions_assess_batch,
)
from cakupan.rules.contributions.assess import PMI_PACKAGE, PMI_PRE_PLACEMENT
from cakupan.rules.errors import RuleInputError

# Column order of an amount part: programmes, then parties, then the total.
PROGRAM_INDEX = {"JKK": 0, "JKM": 1, "JHT": 2, "JP": 3, "JKP": 4}
PARTY_INDEX = {"employer": 5, "worker": 6, "government": 7, "sponsor": 8}
AMOUNT_INDEX = 9
PROGRAM_NAMES = ("JKK", "JKM", "JHT", "JP", "JKP")
# Permenaker 4/2023 Pasal 18 prices PMI protection as one JKK + JKM package without a split between the two;
# a bill line must name a programme column, so the package is kept in the JKK column (our convention, not
# the regulation's; docs/rules.md). The line's total is the package either way.
PACKAGE_PROGRAM = {PMI_PACKAGE: "JKK", PMI_PRE_PLACEMENT: "JKK"}

Part = tuple[int, ...]  # 10 ints: jkk, jkm, jht, jp, jkp, employer, worker, government, sponsor, amount
# (ok) base, the payer's part, the government's part; or (skipped) the reason.
Priced = tuple[int, Part | None, Part | None] | str
# segment, programmes held (5 booleans), wage, risk class, income, sector, funding, contract value (Jakon),
# contract months (PMI), opening (1 in a Jakon or PMI membership's first month), JP deferred (1 for a PU
# member of an employer marked as deferring JP under PP 49/2020), the JHT amount a PMI chose, and PMI
# pre-placement (1 for a PMI placed through an agency).
PriceKey = tuple[Any, ...]
# Paid once for the whole contract (rules.md §3.1 Jakon by contract value, §3.2 PMI by contract length):
# billed in the membership's first month, nothing due in the months after, except a PMI's optional JHT,
# the amount chosen every month (how often it is paid is not in rules.md: flagged in the rule table).
ONCE_PER_CONTRACT = ("JAKON", "PMI")


# The calculator's source of funds of a BPU participant from the registry's payer (rules.md §3, §7); a
# sponsored one is funded by its sponsor's kind (apbd, csr, donor), and an employer paying for a BPU
# participant has no such funding (billing_sql.py writes this as a CASE).
FUNDING_BY_PAYER = {Membership.PayerKind.SELF: "self", Membership.PayerKind.GOVERNMENT: "apbn"}


def _parts(assessment: Assessment, only: str | None = None) -> tuple[Part | None, Part | None]:
    """Split an assessment into what the member's payer pays and what the state budget pays (the JKP
    government share of PU, APBN-funded BPU), by programme and by party; `only` keeps one programme's
    lines (a PMI's JHT in the months after the contract's first)."""
    payer = [0] * 10
    government = [0] * 10
    for line in assessment.lines:
        if only is not None and line.program != only:
            continue
        column = PROGRAM_INDEX.get(PACKAGE_PROGRAM.get(line.program, line.program))
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


def _deferred_part(assessment: Assessment) -> Part | None:
    """The JP a qualifying employer deferred under PP 49/2020 (rules.md §2.7), by party, as an amount part:
    what the run bills on the employer's repayment bill of the month; None when nothing was deferred."""
    part = [0] * 10
    for line in assessment.lines:
        for party, value in (line.deferred_shares or {}).items():
            part[PROGRAM_INDEX[line.program]] += value
            part[PARTY_INDEX[party]] += value
            part[AMOUNT_INDEX] += value
    return tuple(part) if part[AMOUNT_INDEX] else None


def _payload(key: PriceKey, period: str) -> dict[str, Any]:
    segment, held, wage, risk, income, sector, funding, contract_value, contract_months, opening, _jp = key[
        :11
    ]
    jht_amount, pre_placement = key[11:]
    programs = [name for name, on in zip(PROGRAM_NAMES, held, strict=True) if on]
    payload: dict[str, Any] = {"segment": segment, "period": period, "programs": programs}
    if segment in ("PU",):
        payload.update(monthly_wage=wage, risk_class=risk)
    elif segment == "BPU":
        payload.update(declared_income=income, sector=sector or None, funding=funding)
    elif segment == "JAKON":
        # Without a contract value the calculator names the field and the member is skipped with it.
        payload.update(contract_value=contract_value)
    elif segment == "PMI":
        # Permenaker 4/2023 Pasal 18 (rules.md §3.2): the package for the contract length, the pre-placement
        # protection for a worker placed through an agency (ayat 1 huruf a; not for one going individually,
        # ayat 2), both in the contract's first month, and the optional JHT at the amount chosen. A member
        # in JHT whose amount was never recorded is billed without it.
        payload.update(contract_months=contract_months, include_pre_placement=bool(opening and pre_placement))
        if jht_amount is None:
            payload["programs"] = [p for p in programs if p != "JHT"]
        else:
            payload["jht_amount"] = jht_amount
    return payload


def _reason(segment: str, exc: RuleInputError) -> str:
    return "; ".join(f"{segment} {field}: {message}" for field, message in exc.errors)


def price_keys(
    keys: Iterable[PriceKey],
    *,
    rules: PeriodRules,
    cache: dict[PriceKey, Priced],
    deferred: dict[PriceKey, Part] | None = None,
) -> None:
    """Assess every key not yet in `cache` with one batch call of the calculator; `deferred`, when given,
    receives the JP part deferred under PP 49/2020 of every key that deferred some (billed as a repayment)."""
    period = str(rules.period)
    todo: list[PriceKey] = []
    inputs = []
    for key in keys:
        if key in cache:
            continue
        monthly_jht = (
            key[11] is not None and rules.pmi_jht is not None and rules.pmi_jht.billed.value == "monthly"
        )
        if key[0] in ONCE_PER_CONTRACT and not key[9] and not monthly_jht:
            cache[key] = f"{key[0]}: paid once for the contract, in the membership's first month."
            continue
        payload = _payload(key, period)
        if key[10] and rules.relief is not None and "JP" in payload["programs"]:
            # PP 49/2020: 99 % of JP deferred for a qualifying employer, in the relief months only; the
            # deferred part goes to `deferred`, which the run bills on its own, due by 15 April 2022.
            payload["jp_deferred"] = True
        if rules.pu_jkp is None and "JKP" in payload["programs"]:
            # JKP began with PP 37/2021 (February 2021): a membership holding it owes no JKP for the months
            # before, and its other programmes are billed as usual (PP 49/2020 months included).
            payload["programs"] = [p for p in payload["programs"] if p != "JKP"]
        try:
            inputs.append(contribution_input_parse(payload))
            todo.append(key)
        except RuleInputError as exc:
            cache[key] = _reason(key[0], exc)
    for key, result in zip(todo, contributions_assess_batch(rules=rules, inputs=inputs), strict=True):
        if isinstance(result, RuleInputError):
            cache[key] = _reason(key[0], result)
            continue
        base = {"PU": key[2], "BPU": key[4], "JAKON": key[7]}.get(key[0]) or 0
        # After a PMI contract's first month only the chosen JHT is due (the package is paid once).
        only = "JHT" if key[0] == "PMI" and not key[9] else None
        try:
            payer, government = _parts(result, only)
        except RuleInputError as exc:
            cache[key] = _reason(key[0], exc)
            continue
        cache[key] = (base, payer, government)
        later = _deferred_part(result)
        if deferred is not None and later is not None:
            deferred[key] = later
