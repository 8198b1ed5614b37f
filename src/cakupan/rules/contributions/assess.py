"""The contribution calculator: one checked input and the rules of its period give the lines to pay.

Rounding (rules/money.py): half up to whole Rupiah, once per programme and per party, from the exact
Decimal product; a programme's amount is the sum of its parties' shares, and totals are sums of lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from cakupan.rules.contributions.inputs import ContributionInput
from cakupan.rules.contributions.tables import (
    BpuIncomeBase,
    BpuRates,
    JakonBands,
    PeriodRules,
    PmiFees,
    Pp49Relief,
    PuJkp,
)
from cakupan.rules.errors import RuleInputError
from cakupan.rules.money import percent_of, rupiah
from cakupan.rules.sourced import Confidence, Source, Sourced, Validity, weakest

PARTIES = ("employer", "worker", "government", "sponsor")

# Who pays a BPU participant's contribution, by source of funds (rules.md 3 and 7): the participant
# (worker share), a regional budget, a company's CSR or a donor (sponsor share), or the state budget.
BPU_PAYER = {"self": "worker", "apbd": "sponsor", "csr": "sponsor", "donor": "sponsor", "apbn": "government"}

PMI_PACKAGE = "JKK+JKM"
PMI_PRE_PLACEMENT = "JKK+JKM:pre_placement"


@dataclass(frozen=True)
class Line:
    """What one programme costs, split by party. `sources` are every number used; `rules` their versions."""

    program: str
    base: int | None
    rate: Decimal | None
    shares: dict[str, int]
    sources: tuple[Source, ...]
    rules: tuple[Validity, ...]
    discount: int = 0
    allocation: dict[str, int] | None = None
    deferred: int = 0  # PP 49/2020: JP deferred, to be repaid by `repay_by` (not part of `amount`)
    repay_by: dt.date | None = None
    deferred_shares: dict[str, int] | None = None  # `deferred` by party (billing bills the repayment by it)

    @property
    def amount(self) -> int:
        return sum(self.shares.values())

    @property
    def confidence(self) -> Confidence:
        return weakest(self.sources)

    def as_dict(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"program": self.program, "base": self.base}
        answer.update({party: self.shares.get(party, 0) for party in PARTIES})
        answer["amount"] = self.amount
        answer["rate"] = str(self.rate) if self.rate is not None else None
        answer["discount"] = self.discount
        answer["rule"] = "; ".join(dict.fromkeys(s.citation for s in self.sources))
        answer["confidence"] = self.confidence
        if self.allocation is not None:
            answer["allocation"] = dict(self.allocation)
        if self.deferred:
            answer["deferred"] = self.deferred
            answer["deferred_repay_by"] = self.repay_by.isoformat() if self.repay_by else None
        return answer


@dataclass(frozen=True)
class Flag:
    """Something the reader of an answer must know: an assumption standing in for an unconfirmed rule."""

    code: str
    confidence: Confidence
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "confidence": self.confidence, "message": self.message}


@dataclass(frozen=True)
class Assessment:
    segment: str
    period: str
    lines: tuple[Line, ...]
    flags: tuple[Flag, ...] = field(default=())

    def totals(self) -> dict[str, int]:
        totals = {party: sum(line.shares.get(party, 0) for line in self.lines) for party in PARTIES}
        totals["total"] = sum(line.amount for line in self.lines)
        return totals

    def rules_used(self) -> list[Validity]:
        return list(dict.fromkeys(rule for line in self.lines for rule in line.rules))

    def as_dict(self) -> dict[str, Any]:
        return {
            "segment": self.segment,
            "period": self.period,
            "lines": [line.as_dict() for line in self.lines],
            "totals": self.totals(),
            "rules_used": [rule.as_dict() for rule in self.rules_used()],
            "flags": [flag.as_dict() for flag in self.flags],
        }


T = TypeVar("T")


def _need(value: T | None, field_name: str, message: str) -> T:
    """A rule the period needs; its absence is the caller's problem (named field), not a crash."""
    if value is None:
        raise RuleInputError([(field_name, message)])
    return value


def _given(value: T | None) -> T:
    """An input field the parser guarantees for this segment."""
    if value is None:
        raise ValueError("input not checked by contribution_input_parse")
    return value


def _missing(what: str, period: str) -> str:
    return f"The rule tables have no {what} in force for {period}."


def _relief_for(rules: PeriodRules, segment: str) -> Pp49Relief | None:
    """PP 49/2020 when it covers this month and segment (PU, BPU, Jakon for Aug 2020 - Jan 2021)."""
    relief = rules.relief
    return relief if relief is not None and segment in relief.segments else None


def _relieved(exact: Decimal, relief: Pp49Relief | None) -> tuple[int, int]:
    """The JKK or JKM amount charged and the discount: PP 49/2020 charges 1 % of the normal amount, taken
    from the exact amount and rounded once (rules/money.py)."""
    full = rupiah(exact)
    if relief is None:
        return full, 0
    charged = rupiah(exact * relief.jkk_jkm_payable_percent.value / 100)
    return charged, full - charged


def _relief_flag(relief: Pp49Relief | None, rules: PeriodRules, *, bpu: bool = False) -> list[Flag]:
    if relief is None:
        return []
    terms = rules.payment_terms
    due = ""
    if terms is not None:
        day, after = (
            (terms.bpu_due_day, terms.bpu_months_after)
            if bpu
            else (terms.employer_due_day, terms.employer_months_after)
        )
        month = "the same month" if after.value == 0 else f"the month {after.value} after"
        due = (
            f"; due on day {day.value} of {month}, late fine "
            f"{terms.late_fine_percent_per_month.value} % a month"
        )
    return [
        Flag(
            "pp49_2020",
            relief.validity.source.confidence,
            f"PP 49/2020 relief for {rules.period}: JKK and JKM at {relief.jkk_jkm_payable_percent.value} % "
            f"of the normal amount; a qualifying employer may defer {relief.jp_deferred_percent.value} % of "
            f"JP, repaid by {relief.jp_repay_by.value.isoformat()}{due} ({relief.validity.source.citation}).",
        )
    ]


def _assess_pu(inp: ContributionInput, rules: PeriodRules) -> tuple[list[Line], list[Flag]]:
    wage = _given(inp.monthly_wage)
    period = str(inp.period)
    lines: list[Line] = []
    jkp = None
    if "JKP" in inp.programs:
        jkp = _need(rules.pu_jkp, "period", _missing("JKP rule (JKP started in Feb 2021)", period))
    jkp_base = min(wage, jkp.wage_cap.value) if jkp else 0
    relief = _relief_for(rules, "PU")
    if inp.jp_deferred and relief is None:
        raise RuleInputError(
            [("jp_deferred", f"JP can be deferred only for the months of PP 49/2020, not {period}.")]
        )
    for program in inp.programs:
        if program == "JKK":
            jkk = _need(rules.pu_jkk, "period", _missing("PU JKK rate", period))
            rate = jkk.rates[_given(inp.risk_class) - 1]
            lines.append(_pu_recomposed("JKK", wage, rate, jkk.validity, jkp, jkp_base, "from_jkk", relief))
        elif program == "JKM":
            jkm = _need(rules.pu_jkm, "period", _missing("PU JKM rate", period))
            lines.append(
                _pu_recomposed("JKM", wage, jkm.employer, jkm.validity, jkp, jkp_base, "from_jkm", relief)
            )
        elif program in ("JHT", "JP"):
            table = rules.pu_jht if program == "JHT" else rules.pu_jp
            rates = _need(table, "period", _missing(f"PU {program} rate", period))
            base, sources, used = wage, [rates.employer.source, rates.worker.source], [rates.validity]
            if program == "JP":
                # PP 45/2015 Pasal 28-29: JP is due on the wage up to the cap of the period (from March).
                cap = _need(rules.jp_wage_cap, "period", _missing("JP wage cap", period))
                base = min(wage, cap.cap.value)
                sources.append(cap.cap.source)
                used.append(cap.validity)
            shares = {
                "employer": percent_of(base, rates.employer.value),
                "worker": percent_of(base, rates.worker.value),
            }
            total_rate = rates.employer.value + rates.worker.value
            deferred, repay_by, deferred_shares = 0, None, None
            if program == "JP" and inp.jp_deferred and relief is not None:
                # PP 49/2020: a qualifying employer defers 99 % of JP (both parties' shares); 1 % is due now.
                kept = (100 - relief.jp_deferred_percent.value) / 100
                due = {
                    party: rupiah(Decimal(base) * rate.value / 100 * kept)
                    for party, rate in (("employer", rates.employer), ("worker", rates.worker))
                }
                deferred_shares = {party: shares[party] - due[party] for party in due}
                deferred = sum(deferred_shares.values())
                shares, repay_by = due, relief.jp_repay_by.value
                sources += [relief.jp_deferred_percent.source, relief.jp_repay_by.source]
                used.append(relief.validity)
            lines.append(
                Line(
                    program,
                    base,
                    total_rate,
                    shares,
                    tuple(sources),
                    tuple(used),
                    deferred=deferred,
                    repay_by=repay_by,
                    deferred_shares=deferred_shares,
                )
            )
        elif program == "JKP":
            assert jkp is not None
            government = percent_of(jkp_base, jkp.government.value)
            allocation = {"government": government, "from_JKK": 0, "from_JKM": 0}
            if "JKK" in inp.programs:
                allocation["from_JKK"] = percent_of(jkp_base, jkp.from_jkk.value)
            if "JKM" in inp.programs and jkp.from_jkm is not None:
                allocation["from_JKM"] = percent_of(jkp_base, jkp.from_jkm.value)
            lines.append(
                Line(
                    "JKP",
                    jkp_base,
                    jkp.government.value,
                    {"government": government},
                    (jkp.government.source, jkp.wage_cap.source),
                    (jkp.validity,),
                    allocation=allocation,
                )
            )
    return lines, _relief_flag(relief, rules)


def _pu_recomposed(
    program: str,
    wage: int,
    rate: Sourced[Decimal],
    validity: Validity,
    jkp: PuJkp | None,
    jkp_base: int,
    recomposition: str,
    relief: Pp49Relief | None,
) -> Line:
    """A JKK or JKM line. When the worker is in JKP, part of it is credited to JKP inside BPJS (PP 37/2021
    Pasal 11; PP 6/2025 keeps only the JKK part): the employer still pays the full rate. Under PP 49/2020
    (Aug 2020 - Jan 2021, before JKP existed) the employer pays 1 % of the normal amount."""
    employer, discount = _relieved(Decimal(wage) * rate.value / 100, relief)
    allocation = None
    sources: tuple[Source, ...] = (rate.source,)
    rules: tuple[Validity, ...] = (validity,)
    if relief is not None:
        sources += (relief.jkk_jkm_payable_percent.source,)
        rules += (relief.validity,)
    if jkp is not None:
        part: Sourced[Decimal] | None = getattr(jkp, recomposition)
        if part is not None:
            to_jkp = percent_of(jkp_base, part.value)
            allocation = {program: employer - to_jkp, "JKP": to_jkp}
            rules += (jkp.validity,)
    return Line(
        program,
        wage,
        rate.value,
        {"employer": employer},
        sources,
        rules,
        discount=discount,
        allocation=allocation,
    )


def _bpu_base(income: int, rates: BpuRates, base_rule: BpuIncomeBase) -> tuple[int, Source, bool]:
    """The contribution base for a declared income, the source that says so, and whether it rests on the
    configured income-base mode (rather than on a confirmed level or a bracket of the table)."""
    if income == rates.minimum_income.value:
        # The minimum income level itself is confirmed as a base (the Rp16,800 package of JKK + JKM).
        return income, rates.minimum_income.source, False
    if base_rule.mode.value == "brackets":
        chosen = [b for b in base_rule.brackets if b.lower.value <= income]
        if chosen:
            return chosen[-1].base.value, chosen[-1].base.source, False
    return income, base_rule.mode.source, True


def _assess_bpu(inp: ContributionInput, rules: PeriodRules) -> tuple[list[Line], list[Flag]]:
    period = str(inp.period)
    rates = _need(rules.bpu_rates, "period", _missing("BPU rates", period))
    base_rule = _need(rules.bpu_income_base, "period", _missing("BPU income base rule", period))
    income = _given(inp.declared_income)
    if income < rates.minimum_income.value:
        raise RuleInputError(
            [
                (
                    "declared_income",
                    f"Must be at least {rates.minimum_income.value:,} (the lowest BPU income level).",
                )
            ]
        )
    payer = BPU_PAYER[_given(inp.funding)]
    discount = rules.bpu_discount[_given(inp.sector)]
    if discount is not None and inp.funding in discount.excluded_funding:
        discount = None  # PP 50/2025: not when the contribution is paid from the APBN or APBD
    base, base_source, assumed = _bpu_base(income, rates, base_rule)
    relief = _relief_for(rules, "BPU")
    lines: list[Line] = []
    flags: list[Flag] = _relief_flag(relief, rules, bpu=True)
    for program in inp.programs:
        used: list[Validity] = [rates.validity]
        if program == "JKM":
            exact, line_base, rate, sources = (
                Decimal(rates.jkm_flat.value),
                None,
                None,
                [rates.jkm_flat.source],
            )
        else:
            sourced = rates.jkk if program == "JKK" else rates.jht
            exact = Decimal(base) * sourced.value / 100
            line_base, rate, sources = base, sourced.value, [sourced.source, base_source]
            used.append(base_rule.validity)
        full = rupiah(exact)
        if relief is not None and program in ("JKK", "JKM"):
            # PP 49/2020: 1 % of the normal amount (JKM Rp6,800 -> Rp68).
            exact = exact * relief.jkk_jkm_payable_percent.value / 100
            sources.append(relief.jkk_jkm_payable_percent.source)
            used.append(relief.validity)
        charged = rupiah(exact)
        if discount is not None and program in discount.programs:
            charged = rupiah(exact * (100 - discount.percent.value) / 100)
            sources.append(discount.percent.source)
            used.append(discount.validity)
        lines.append(
            Line(
                program,
                line_base,
                rate,
                {payer: charged},
                tuple(sources),
                tuple(used),
                discount=full - charged,
            )
        )
    uses_base = any(p in inp.programs for p in ("JKK", "JHT"))
    if assumed and uses_base and base_source.confidence != "confirmed":
        flags.append(
            Flag(
                "bpu_income_base",
                base_rule.mode.source.confidence,
                "The income levels of PP 44/2015 Lampiran II are not confirmed; the contribution base is "
                f"computed with mode {base_rule.mode.value!r} ({base_rule.mode.source.citation}).",
            )
        )
    return lines, flags


def _banded(value: int, table: JakonBands) -> Decimal:
    """Exact contribution on `value`: each band's rate on its own slice (marginal), or the rate of the band
    the value falls in on the whole value (whole)."""
    bands = table.bands
    if table.method.value == "whole":
        band = [b for b in bands if b.lower.value <= value][-1]
        return Decimal(value) * band.percent.value / 100
    total = Decimal(0)
    for index, band in enumerate(bands):
        upper = bands[index + 1].lower.value if index + 1 < len(bands) else None
        top = value if upper is None else min(value, upper)
        if top > band.lower.value:
            total += Decimal(top - band.lower.value) * band.percent.value / 100
    return total


def _assess_jakon(inp: ContributionInput, rules: PeriodRules) -> tuple[list[Line], list[Flag]]:
    period = str(inp.period)
    value = _given(inp.contract_value)
    relief = _relief_for(rules, "JAKON")
    lines = []
    for program in inp.programs:
        table = rules.jakon_jkk if program == "JKK" else rules.jakon_jkm
        table = _need(table, "period", _missing(f"Jakon {program} table", period))
        sources = (table.method.source, *(s for b in table.bands for s in (b.lower.source, b.percent.source)))
        used: tuple[Validity, ...] = (table.validity,)
        employer, discount = _relieved(_banded(value, table), relief)
        if relief is not None:
            sources += (relief.jkk_jkm_payable_percent.source,)
            used += (relief.validity,)
        lines.append(Line(program, value, None, {"employer": employer}, sources, used, discount=discount))
    return lines, _relief_flag(relief, rules)


def _pmi_fee(months: int, fees: PmiFees) -> tuple[int, list[Source], bool]:
    """The during-and-after fee for a contract of `months`, the sources used, and whether the contract is
    shorter than every listed length.

    Permenaker 4/2023 Pasal 18 lists 6, 12 and 24 months and Rp13,500 for each month beyond. Between two
    lengths the fee is the cheaper of "shorter length + extra months" and the next length (23 months would
    otherwise cost more than 24); below the shortest length, that length's fee (both interpretations).
    """
    options = [(t.fee.value + max(0, months - t.months) * fees.extra_month.value, t) for t in fees.tiers]
    fee, tier = min(options, key=lambda option: (option[0], option[1].months))
    sources = [tier.fee.source]
    if months > tier.months:
        sources.append(fees.extra_month.source)
    listed = {t.months for t in fees.tiers}
    if months not in listed and months < fees.tiers[-1].months:
        sources.append(
            Source(
                "Permenaker 4/2023 Pasal 18: fee for a contract length between the listed ones "
                "(interpretation)",
                "medium",
            )
        )
    return fee, sources, months < fees.tiers[0].months


def _assess_pmi(inp: ContributionInput, rules: PeriodRules) -> tuple[list[Line], list[Flag]]:
    period = str(inp.period)
    fees = _need(rules.pmi_fees, "period", _missing("PMI fee table", period))
    months = _given(inp.contract_months)
    lines: list[Line] = []
    flags: list[Flag] = []
    # Permenaker 4/2023 Pasal 18: one JKK + JKM package paid by the (prospective) migrant worker.
    if inp.include_pre_placement:
        pre = fees.pre_placement
        lines.append(
            Line(PMI_PRE_PLACEMENT, None, None, {"worker": pre.value}, (pre.source,), (fees.validity,))
        )
    fee, sources, shorter = _pmi_fee(months, fees)
    if shorter:
        sources.append(Source("No fee found for contracts shorter than the shortest length", "unconfirmed"))
        flags.append(
            Flag(
                "pmi_short_contract",
                "unconfirmed",
                f"No fee is known for a contract of {months} month(s); "
                f"the {fees.tiers[0].months}-month fee is used.",
            )
        )
    lines.append(Line(PMI_PACKAGE, None, None, {"worker": fee}, tuple(sources), (fees.validity,)))
    if "JHT" in inp.programs:
        jht = _need(rules.pmi_jht, "period", _missing("PMI JHT choices", period))
        choice = next((c for c in jht.choices if c.value == inp.jht_amount), None)
        if choice is None:
            allowed = ", ".join(f"{c.value:,}" for c in jht.choices)
            raise RuleInputError(
                [("jht_amount", f"Must be one of the JHT amounts for migrant workers: {allowed}.")]
            )
        lines.append(Line("JHT", None, None, {"worker": choice.value}, (choice.source,), (jht.validity,)))
    return lines, flags


_BY_SEGMENT = {"PU": _assess_pu, "BPU": _assess_bpu, "JAKON": _assess_jakon, "PMI": _assess_pmi}


def contribution_assess_input(*, rules: PeriodRules, inp: ContributionInput) -> Assessment:
    """Assess one checked input with the rules of its period; RuleInputError when a rule is missing."""
    if rules.period != inp.period:
        raise ValueError(f"rules are for {rules.period}, the input is for {inp.period}")
    lines, flags = _BY_SEGMENT[inp.segment](inp, rules)
    return Assessment(inp.segment, str(inp.period), tuple(lines), tuple(flags))


def contributions_assess_batch(
    *, rules: PeriodRules, inputs: Sequence[ContributionInput] | Iterable[ContributionInput]
) -> list[Assessment | RuleInputError]:
    """Assess many members of one period with one resolved rule set (a billing run; a set of one is still
    a set). A member the rules cannot assess yields its RuleInputError in its place; the run goes on."""
    results: list[Assessment | RuleInputError] = []
    for inp in inputs:
        try:
            results.append(contribution_assess_input(rules=rules, inp=inp))
        except RuleInputError as exc:
            results.append(exc)
    return results
