"""The contribution tables (rules/tables/contributions.toml) as typed, frozen, validated dataclasses.

`contribution_tables()` loads the file once; `ContributionTables.for_period()` picks the version of every
series in force for a contribution month, which is what the calculator (and a batch billing run) works with.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from cakupan.rules.period import Period
from cakupan.rules.sourced import Sourced, Validity
from cakupan.rules.tablefile import Entry, RuleTableError, Series, read_series

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "tables" / "contributions.toml"
# Lets an operator point at a corrected copy of the tables (for instance with the BPU brackets filled in)
# without touching the code.
PATH_ENV = "CAKUPAN_CONTRIBUTION_TABLES"

PROGRAMS = ("JKK", "JKM", "JHT", "JP", "JKP")
FUNDING = ("self", "apbd", "apbn", "csr", "donor")
SECTORS = ("transport", "other")
BAND_METHODS = ("marginal", "whole")
INCOME_BASE_MODES = ("as_declared", "brackets")


@dataclass(frozen=True)
class PuJkk:
    validity: Validity
    rates: tuple[Sourced[Decimal], ...]  # index 0 = risk class 1


@dataclass(frozen=True)
class PuJkm:
    validity: Validity
    employer: Sourced[Decimal]


@dataclass(frozen=True)
class PartyRates:
    """An employer and a worker rate (JHT, JP)."""

    validity: Validity
    employer: Sourced[Decimal]
    worker: Sourced[Decimal]


@dataclass(frozen=True)
class JpWageCap:
    validity: Validity
    cap: Sourced[int]


@dataclass(frozen=True)
class PuJkp:
    validity: Validity
    government: Sourced[Decimal]
    wage_cap: Sourced[int]
    from_jkk: Sourced[Decimal]  # internal allocation, not an extra charge
    from_jkm: Sourced[Decimal] | None  # gone since PP 6/2025


@dataclass(frozen=True)
class BpuRates:
    validity: Validity
    jkk: Sourced[Decimal]
    jkm_flat: Sourced[int]
    jht: Sourced[Decimal]
    minimum_income: Sourced[int]


@dataclass(frozen=True)
class IncomeBracket:
    lower: Sourced[int]
    base: Sourced[int]


@dataclass(frozen=True)
class BpuIncomeBase:
    validity: Validity
    mode: Sourced[str]
    brackets: tuple[IncomeBracket, ...]


@dataclass(frozen=True)
class BpuDiscount:
    validity: Validity
    percent: Sourced[Decimal]
    programs: tuple[str, ...]
    excluded_funding: tuple[str, ...]


@dataclass(frozen=True)
class Band:
    lower: Sourced[int]
    percent: Sourced[Decimal]


@dataclass(frozen=True)
class JakonBands:
    validity: Validity
    method: Sourced[str]
    bands: tuple[Band, ...]


@dataclass(frozen=True)
class PmiTier:
    months: int
    fee: Sourced[int]


@dataclass(frozen=True)
class PmiFees:
    validity: Validity
    pre_placement: Sourced[int]
    extra_month: Sourced[int]
    tiers: tuple[PmiTier, ...]


@dataclass(frozen=True)
class PmiJht:
    validity: Validity
    choices: tuple[Sourced[int], ...]
    # How often billing charges the chosen amount: "monthly" (each month of the membership) or "once" (with
    # the contract's first month); rules.md §3.2 gives the choices, not how often they are paid.
    billed: Sourced[str]


@dataclass(frozen=True)
class PaymentTerms:
    """A month's due date and late fine (rules.md §4; PP 49/2020 for 2020-08..2021-01)."""

    validity: Validity
    employer_due_day: Sourced[int]  # day of the month `employer_months_after` the contribution month
    employer_months_after: Sourced[int]
    bpu_due_day: Sourced[int]  # BPU participants and their sponsors
    bpu_months_after: Sourced[int]
    late_fine_percent_per_month: Sourced[Decimal]


@dataclass(frozen=True)
class Pp49Relief:
    """PP 49/2020: JKK and JKM at a fraction of the normal amount; part of JP deferrable (rules.md §2.7)."""

    validity: Validity
    jkk_jkm_payable_percent: Sourced[Decimal]
    segments: tuple[str, ...]
    jp_deferred_percent: Sourced[Decimal]
    jp_repay_from: Sourced[dt.date]
    jp_repay_by: Sourced[dt.date]
    # The monthly fine on a repayment still unpaid after `jp_repay_by` (rules.md §2.7 gives none of its own).
    jp_repay_late_fine_percent_per_month: Sourced[Decimal]


@dataclass(frozen=True)
class Proration:
    """How a month is charged when a membership starts or ends inside it (rules.md has no rule: [U])."""

    validity: Validity
    method: Sourced[str]


@dataclass(frozen=True)
class ArrearsStanding:
    """How many months behind makes a payer's standing "behind" (rules.md §4 employers, §12.2 BPU)."""

    validity: Validity
    employer_months: Sourced[int]
    bpu_months: Sourced[int]


@dataclass(frozen=True)
class PeriodRules:
    """Every rule in force for one contribution month (None where the table has no version)."""

    period: Period
    pu_jkk: PuJkk | None
    pu_jkm: PuJkm | None
    pu_jht: PartyRates | None
    pu_jp: PartyRates | None
    jp_wage_cap: JpWageCap | None
    pu_jkp: PuJkp | None
    bpu_rates: BpuRates | None
    bpu_income_base: BpuIncomeBase | None
    bpu_discount: dict[str, BpuDiscount | None]  # by sector
    jakon_jkk: JakonBands | None
    jakon_jkm: JakonBands | None
    pmi_fees: PmiFees | None
    pmi_jht: PmiJht | None
    payment_terms: PaymentTerms | None = None
    relief: Pp49Relief | None = None
    arrears_standing: ArrearsStanding | None = None
    proration: Proration | None = None


@dataclass(frozen=True)
class ContributionTables:
    source_path: str
    pu_jkk: Series[PuJkk]
    pu_jkm: Series[PuJkm]
    pu_jht: Series[PartyRates]
    pu_jp: Series[PartyRates]
    jp_wage_cap: Series[JpWageCap]
    pu_jkp: Series[PuJkp]
    bpu_rates: Series[BpuRates]
    bpu_income_base: Series[BpuIncomeBase]
    bpu_discount_transport: Series[BpuDiscount]
    bpu_discount_other: Series[BpuDiscount]
    jakon_jkk: Series[JakonBands]
    jakon_jkm: Series[JakonBands]
    pmi_fees: Series[PmiFees]
    pmi_jht: Series[PmiJht]
    payment_terms: Series[PaymentTerms]
    relief_pp49_2020: Series[Pp49Relief]
    arrears_standing: Series[ArrearsStanding]
    proration: Series[Proration] | None = None  # optional, so an older table file still loads

    def segment_starts(self) -> dict[str, dt.date]:
        """The first day each segment's tables cover; earlier periods cannot be assessed."""
        return {
            "PU": min(s.starts for s in (self.pu_jkk, self.pu_jkm, self.pu_jht, self.pu_jp)),
            "BPU": min(self.bpu_rates.starts, self.bpu_income_base.starts),
            "JAKON": min(self.jakon_jkk.starts, self.jakon_jkm.starts),
            "PMI": self.pmi_fees.starts,
        }

    def for_period(self, period: Period) -> PeriodRules:
        return PeriodRules(
            period=period,
            pu_jkk=self.pu_jkk.in_force(period),
            pu_jkm=self.pu_jkm.in_force(period),
            pu_jht=self.pu_jht.in_force(period),
            pu_jp=self.pu_jp.in_force(period),
            jp_wage_cap=self.jp_wage_cap.in_force(period),
            pu_jkp=self.pu_jkp.in_force(period),
            bpu_rates=self.bpu_rates.in_force(period),
            bpu_income_base=self.bpu_income_base.in_force(period),
            bpu_discount={
                "transport": self.bpu_discount_transport.in_force(period),
                "other": self.bpu_discount_other.in_force(period),
            },
            jakon_jkk=self.jakon_jkk.in_force(period),
            jakon_jkm=self.jakon_jkm.in_force(period),
            pmi_fees=self.pmi_fees.in_force(period),
            pmi_jht=self.pmi_jht.in_force(period),
            payment_terms=self.payment_terms.in_force(period),
            relief=self.relief_pp49_2020.in_force(period),
            arrears_standing=self.arrears_standing.in_force(period),
            proration=self.proration.in_force(period) if self.proration is not None else None,
        )


# --- builders: one per series, each checks what only it can know --------------------------------------


def _pu_jkk(e: Entry, v: Validity) -> PuJkk:
    rates = e.percents("rates")
    if len(rates) != 5:
        raise RuleTableError(f"{e.where}.rates: one rate for each of the 5 risk classes")
    return PuJkk(v, rates)


def _pu_jkm(e: Entry, v: Validity) -> PuJkm:
    return PuJkm(v, e.percent("employer"))


def _party_rates(e: Entry, v: Validity) -> PartyRates:
    return PartyRates(v, e.percent("employer"), e.percent("worker"))


def _jp_wage_cap(e: Entry, v: Validity) -> JpWageCap:
    cap = e.rupiah("cap")
    if cap.value <= 0:
        raise RuleTableError(f"{e.where}.cap: must be positive")
    return JpWageCap(v, cap)


def _pu_jkp(e: Entry, v: Validity) -> PuJkp:
    from_jkm = e.percent("from_jkm") if e.has("from_jkm") else None
    return PuJkp(v, e.percent("government"), e.rupiah("wage_cap"), e.percent("from_jkk"), from_jkm)


def _bpu_rates(e: Entry, v: Validity) -> BpuRates:
    return BpuRates(v, e.percent("jkk"), e.rupiah("jkm_flat"), e.percent("jht"), e.rupiah("minimum_income"))


def _bpu_income_base(e: Entry, v: Validity) -> BpuIncomeBase:
    mode = e.text("mode", INCOME_BASE_MODES)
    brackets: tuple[IncomeBracket, ...] = ()
    if mode.value == "brackets":
        brackets = tuple(_bracket(row) for row in e.rows("brackets"))
        lowers = [b.lower.value for b in brackets]
        if lowers != sorted(set(lowers)):
            raise RuleTableError(f"{e.where}.brackets: `from` must rise strictly")
    return BpuIncomeBase(v, mode, brackets)


def _bracket(row: Entry) -> IncomeBracket:
    bracket = IncomeBracket(row.rupiah("from"), row.rupiah("base"))
    row.finish()
    return bracket


def _bpu_discount(e: Entry, v: Validity) -> BpuDiscount:
    return BpuDiscount(
        v,
        e.percent("percent"),
        e.words("programs", ("JKK", "JKM", "JHT")),
        e.words("excluded_funding", FUNDING),
    )


def _jakon(e: Entry, v: Validity) -> JakonBands:
    bands: list[Band] = []
    for row in e.rows("bands"):
        bands.append(Band(row.rupiah("from"), row.percent("percent")))
        row.finish()
    lowers = [b.lower.value for b in bands]
    if lowers[0] != 0 or lowers != sorted(set(lowers)):
        raise RuleTableError(f"{e.where}.bands: the first band starts at 0 and `from` rises strictly")
    return JakonBands(v, e.text("method", BAND_METHODS), tuple(bands))


def _pmi_fees(e: Entry, v: Validity) -> PmiFees:
    tiers: list[PmiTier] = []
    for row in e.rows("tiers"):
        months = row.rupiah("months").value  # a plain positive count; its source is the row's
        if months <= 0:
            raise RuleTableError(f"{row.where}.months: must be positive")
        tiers.append(PmiTier(months, row.rupiah("fee")))
        row.finish()
    if [t.months for t in tiers] != sorted({t.months for t in tiers}):
        raise RuleTableError(f"{e.where}.tiers: `months` must rise strictly")
    return PmiFees(v, e.rupiah("pre_placement"), e.rupiah("extra_month"), tuple(tiers))


def _pmi_jht(e: Entry, v: Validity) -> PmiJht:
    return PmiJht(v, e.rupiahs("choices"), e.text("billed", ("monthly", "once")))


def _payment_terms(e: Entry, v: Validity) -> PaymentTerms:
    return PaymentTerms(
        v,
        e.count("employer_due_day", maximum=31),
        e.count("employer_months_after", maximum=12),
        e.count("bpu_due_day", maximum=31),
        e.count("bpu_months_after", maximum=12),
        e.percent("late_fine_percent_per_month"),
    )


def _arrears_standing(e: Entry, v: Validity) -> ArrearsStanding:
    return ArrearsStanding(v, e.count("employer_months", maximum=120), e.count("bpu_months", maximum=120))


def _proration(e: Entry, v: Validity) -> Proration:
    return Proration(v, e.text("method", ("whole_month",)))


def _relief(e: Entry, v: Validity) -> Pp49Relief:
    relief = Pp49Relief(
        v,
        e.percent("jkk_jkm_payable_percent"),
        e.words("segments", ("PU", "BPU", "JAKON", "PMI")),
        e.percent("jp_deferred_percent"),
        e.day("jp_repay_from"),
        e.day("jp_repay_by"),
        e.percent("jp_repay_late_fine_percent_per_month"),
    )
    if relief.jp_repay_by.value < relief.jp_repay_from.value:
        raise RuleTableError(f"{e.where}: jp_repay_by is before jp_repay_from")
    return relief


SERIES = (
    "pu_jkk",
    "pu_jkm",
    "pu_jht",
    "pu_jp",
    "jp_wage_cap",
    "pu_jkp",
    "bpu_rates",
    "bpu_income_base",
    "bpu_discount_transport",
    "bpu_discount_other",
    "jakon_jkk",
    "jakon_jkm",
    "pmi_fees",
    "pmi_jht",
    "payment_terms",
    "relief_pp49_2020",
    "arrears_standing",
    "proration",
)


def contribution_tables_parse(text: str, *, source_path: str = "<string>") -> ContributionTables:
    """Parse and validate the TOML text of a contribution table file; RuleTableError when it is malformed."""
    try:
        raw: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleTableError(f"{source_path}: {exc}") from None
    if raw.get("schema_version") != 1:
        raise RuleTableError(f"{source_path}: schema_version = 1 expected")
    unknown = set(raw) - set(SERIES) - {"schema_version"}
    if unknown:
        raise RuleTableError(f"{source_path}: unknown series {', '.join(sorted(unknown))}")
    return ContributionTables(
        source_path=source_path,
        pu_jkk=read_series("pu_jkk", raw.get("pu_jkk"), _pu_jkk),
        pu_jkm=read_series("pu_jkm", raw.get("pu_jkm"), _pu_jkm),
        pu_jht=read_series("pu_jht", raw.get("pu_jht"), _party_rates),
        pu_jp=read_series("pu_jp", raw.get("pu_jp"), _party_rates),
        jp_wage_cap=read_series("jp_wage_cap", raw.get("jp_wage_cap"), _jp_wage_cap),
        pu_jkp=read_series("pu_jkp", raw.get("pu_jkp"), _pu_jkp),
        bpu_rates=read_series("bpu_rates", raw.get("bpu_rates"), _bpu_rates),
        bpu_income_base=read_series("bpu_income_base", raw.get("bpu_income_base"), _bpu_income_base),
        bpu_discount_transport=read_series(
            "bpu_discount_transport", raw.get("bpu_discount_transport"), _bpu_discount
        ),
        bpu_discount_other=read_series("bpu_discount_other", raw.get("bpu_discount_other"), _bpu_discount),
        jakon_jkk=read_series("jakon_jkk", raw.get("jakon_jkk"), _jakon),
        jakon_jkm=read_series("jakon_jkm", raw.get("jakon_jkm"), _jakon),
        pmi_fees=read_series("pmi_fees", raw.get("pmi_fees"), _pmi_fees),
        pmi_jht=read_series("pmi_jht", raw.get("pmi_jht"), _pmi_jht),
        payment_terms=read_series("payment_terms", raw.get("payment_terms"), _payment_terms),
        relief_pp49_2020=read_series("relief_pp49_2020", raw.get("relief_pp49_2020"), _relief),
        arrears_standing=read_series("arrears_standing", raw.get("arrears_standing"), _arrears_standing),
        proration=read_series("proration", raw["proration"], _proration) if "proration" in raw else None,
    )


def contribution_tables_load(path: Path | str) -> ContributionTables:
    path = Path(path)
    return contribution_tables_parse(path.read_text(encoding="utf-8"), source_path=str(path))


@functools.cache
def _cached(path: str) -> ContributionTables:
    return contribution_tables_load(path)


def contribution_tables() -> ContributionTables:
    """The tables of this process: the repository file, or the one named by $CAKUPAN_CONTRIBUTION_TABLES."""
    return _cached(os.environ.get(PATH_ENV) or str(DEFAULT_PATH))
