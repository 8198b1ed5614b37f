"""The benefit simulator for outreach events: what a worker pays each month and what they or their family
would receive. No personal data: the worker types a segment and a wage or income, nothing is stored, so
the page is public (an outreach officer opens it on a phone at a market or a village hall).

Both numbers come from the pure calculators: `contribution_assess` for the monthly contribution and
`benefit_compute` for the benefits, on today's rules. Assumption shown on the page: the event happens
today after three years of membership (so the scholarship rule of PP 82/2019 is met).

The contribution is shown per programme (who pays what), with the PP 50/2025 discount explained when the
rule table applies it this month (its months and sectors are in contributions.toml, not here). The
projections, for the years of membership the user picks: the JHT savings where JHT is held (every wage
earner; an informal worker who chose it) as the month's JHT contribution times the months, without the
yearly returns (declared each year, unknown ahead); the JP pension (wage earners) from `benefit_compute`,
a monthly pension from 15 years of contributions, a lump sum before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cakupan.core import display
from cakupan.rules.benefits import benefit_compute
from cakupan.rules.benefits.inputs import add_months
from cakupan.rules.contributions import contribution_assess
from cakupan.rules.errors import RuleInputError
from cakupan.rules.period import Period

SEGMENTS = ("PU", "BPU")
WAGE_MAX = 1_000_000_000
MEMBERSHIP_YEARS = 3
PROJECTION_YEARS = ("5", "10", "15", "20", "25", "30")
PROGRAMME_LABELS = {
    "JKK": _lazy("Work accident (JKK)"),
    "JKM": _lazy("Death (JKM)"),
    "JHT": _lazy("Old-age savings (JHT)"),
    "JP": _lazy("Pension (JP)"),
    "JKP": _lazy("Job loss (JKP)"),
}


def rupiah_text(amount: int) -> str:
    """Rp1.234.567 on an Indonesian page, Rp1,234,567 on an English one (core.display)."""
    return display.rupiah(amount)


@dataclass(frozen=True)
class SimulatorInput:
    segment: str
    amount: int
    sector: str = "other"
    risk_class: int = 1
    children: int = 2
    with_jht: bool = False
    years: int = 10


def simulator_input_parse(data: Any) -> tuple[SimulatorInput | None, dict[str, str]]:
    """From a query string (or any mapping of text); returns (input, field errors)."""
    errors: dict[str, str] = {}
    segment = str(data.get("segment") or "").upper()
    if segment not in SEGMENTS:
        errors["segment"] = _("Choose wage earner (PU) or informal worker (BPU).")
    digits = str(data.get("amount") or "").replace(".", "").replace(",", "").replace(" ", "")
    amount = int(digits) if digits.isdigit() else 0
    if not 0 < amount <= WAGE_MAX:
        errors["amount"] = _("Enter the monthly wage or income in whole Rupiah.")
    sector = str(data.get("sector") or "other")
    if sector not in ("transport", "other"):
        errors["sector"] = _("Choose transport or other.")
    risk = str(data.get("risk_class") or "1")
    if risk not in {"1", "2", "3", "4", "5"}:
        errors["risk_class"] = _("Choose a risk class from 1 to 5.")
    children = str(data.get("children") or "0")
    if children not in {"0", "1", "2"}:
        errors["children"] = _("Choose 0, 1 or 2 children.")
    years = str(data.get("years") or "10")
    if years not in PROJECTION_YEARS:
        errors["years"] = _("Choose 5 to 30 years.")
    if errors:
        return None, errors
    # Fields of the other segment are ignored (the page hides them): an informal worker has no risk
    # class, a wage earner no informal sector and always JHT.
    with_jht = segment == "PU" or str(data.get("with_jht") or "") in ("1", "on", "true")
    if segment == "PU":
        sector = "other"
    else:
        risk = "1"
    return SimulatorInput(segment, amount, sector, int(risk), int(children), with_jht, int(years)), {}


def _contribution(inp: SimulatorInput, today: dt.date) -> dict[str, Any]:
    period = f"{today.year:04d}-{today.month:02d}"
    if inp.segment == "PU":
        payload: dict[str, Any] = {
            "segment": "PU",
            "period": period,
            "programs": ["JKK", "JKM", "JHT", "JP", "JKP"],
            "monthly_wage": inp.amount,
            "risk_class": inp.risk_class,
        }
    else:
        payload = {
            "segment": "BPU",
            "period": period,
            "programs": ["JKK", "JKM", "JHT"] if inp.with_jht else ["JKK", "JKM"],
            "declared_income": inp.amount,
            "sector": inp.sector,
            "funding": "self",
        }
    return contribution_assess(payload)


def _benefit(benefit: str, inp: SimulatorInput, today: dt.date, **extra: Any) -> dict[str, Any]:
    start = add_months(today, -12 * MEMBERSHIP_YEARS)
    payload = {
        "benefit": benefit,
        "event_date": today.isoformat(),
        "membership_start": start.isoformat(),
        "monthly_wage": inp.amount,
        "children": inp.children,
        **extra,
    }
    return benefit_compute(payload)


def simulate(inp: SimulatorInput, *, today: dt.date) -> dict[str, Any]:
    """Rows ready for the page and the PDF: (what, amount text, explanation)."""
    try:
        contribution = _contribution(inp, today)
    except RuleInputError as exc:
        return {"errors": dict(exc.errors)}
    totals = contribution["totals"]
    own = totals["worker"]
    pays = [
        (_("You pay each month"), rupiah_text(own)),
    ]
    if inp.segment == "PU":
        pays.append((_("Your employer pays each month"), rupiah_text(totals["employer"])))
    if totals["government"]:
        pays.append((_("The government pays each month"), rupiah_text(totals["government"])))
    pays.append((_("Total contribution each month"), rupiah_text(totals["total"])))
    jkm = _benefit("JKM", inp, today)
    jkk_death = _benefit("JKK_DEATH", inp, today)
    disability = _benefit("JKK_TOTAL_DISABILITY", inp, today)
    receives = [
        (
            _("If you die (illness or any cause other than work)"),
            rupiah_text(jkm["total"]),
            _("Paid at once to your family: cash, periodic benefit and funeral costs."),
        ),
        (
            _("If you die because of a work accident"),
            rupiah_text(jkk_death["total"]),
            _("48 times your monthly wage, plus funeral costs and periodic benefit."),
        ),
        (
            _("If a work accident leaves you totally disabled"),
            rupiah_text(disability["total"]),
            _("56 times your monthly wage plus the periodic benefit, paid at once."),
        ),
        (
            _("Medical care after a work accident"),
            _("no limit"),
            _("Treatment until you recover, as much as is medically needed."),
        ),
    ]
    if inp.children:
        receives.append(
            (
                _("Scholarship for your children (up to 2) if you die or are totally disabled"),
                rupiah_text(max(jkm["scholarship"]["max_total"], jkk_death["scholarship"]["max_total"])),
                _("From kindergarten to university, paid each school year."),
            )
        )
    if inp.segment == "PU":
        jkp = _benefit("JKP", inp, today, contribution_months=12)
        receives.append(
            (
                _("If you lose your job (dismissal)"),
                rupiah_text(jkp["total"]),
                _("Cash for up to 6 months, plus job information and training."),
            )
        )
    return {
        "pays": pays,
        "programmes": _programmes(contribution),
        # A column only for someone who pays (no "Rp0" rows on a phone): employer for PU, the state or
        # a sponsor when the rules give them a share.
        "government_pays": any(line["government"] + line["sponsor"] for line in contribution["lines"]),
        "discount": _discount(contribution),
        "projections": _projections(inp, contribution, today),
        "years": inp.years,
        "receives": receives,
        "monthly_own": own,
        "amount_text": rupiah_text(inp.amount),
        "amounts": {"jkm": jkm["total"], "jkk_death": jkk_death["total"], "disability": disability["total"]},
        "assumption": _(
            "Assumes the event happens today after %(years)d years of membership, with today's rules."
        )
        % {"years": MEMBERSHIP_YEARS},
    }


def _programmes(contribution: dict[str, Any]) -> list[dict[str, str]]:
    """One row per programme: who pays how much each month, and the discount taken off it."""
    rows = []
    for line in contribution["lines"]:
        rows.append(
            {
                "label": str(PROGRAMME_LABELS.get(line["program"], line["program"])),
                "worker": rupiah_text(line["worker"]),
                "employer": rupiah_text(line["employer"]),
                "government": rupiah_text(line["government"] + line["sponsor"]),
                "total": rupiah_text(line["amount"]),
                "discount": rupiah_text(line["discount"]) if line["discount"] else "",
            }
        )
    return rows


def _discount(contribution: dict[str, Any]) -> str:
    """The PP 50/2025 discount in words, when the rule table applied one this month (else empty)."""
    lines = [line for line in contribution["lines"] if line["discount"]]
    if not lines:
        return ""
    rule = next((r for r in contribution["rules_used"] if r["id"].startswith("bpu_discount")), None)
    until = rule["effective_to"] if rule else None
    saved = sum(line["discount"] for line in lines)
    names = " + ".join(line["program"] for line in lines)
    full = sum(line["amount"] + line["discount"] for line in lines)
    percent = round(100 * saved / full) if full else 0
    text = _(
        "PP 50/2025 takes %(percent)d %% off the %(names)s contribution of informal workers: you save "
        "%(saved)s each month."
    ) % {"percent": percent, "names": names, "saved": rupiah_text(saved)}
    if until:
        day = dt.date.fromisoformat(str(until))
        text += " " + _("The discount runs until %(day)s.") % {"day": date_format(day, "j F Y")}
    return text


def _projections(
    inp: SimulatorInput, contribution: dict[str, Any], today: dt.date
) -> list[tuple[str, str, str]]:
    """What the chosen years of membership build up: JHT savings, and the JP pension of a wage earner."""
    rows: list[tuple[str, str, str]] = []
    months = 12 * inp.years
    jht = next((line for line in contribution["lines"] if line["program"] == "JHT"), None)
    if inp.with_jht and jht is not None:
        rows.append(
            (
                _("Old-age savings (JHT) after %(years)d years") % {"years": inp.years},
                rupiah_text(jht["amount"] * months),
                _(
                    "%(monthly)s each month for %(months)d months. The yearly returns come on top; they are "
                    "declared each year, so they are not counted here."
                )
                % {"monthly": rupiah_text(jht["amount"]), "months": months},
            )
        )
    if inp.segment == "PU":
        answer = benefit_compute(
            {
                "benefit": "JP",
                "event_date": add_months(today, months).isoformat(),
                "membership_start": today.isoformat(),
                "contribution_months": months,
                # The wage from today on, capped by the JP wage cap month by month (PP 45/2015).
                "wage_history": [{"from": str(Period.of(today)), "wage": inp.amount}],
            }
        )
        parts = {c["name"]: c["amount"] for c in answer["components"]}
        if "monthly_pension" in parts:
            rows.append(
                (
                    _("Pension (JP) each month after %(years)d years") % {"years": inp.years},
                    rupiah_text(parts["monthly_pension"]),
                    _("1 % of your wage for each year of contributions, paid monthly from the pension age."),
                )
            )
        elif "lump_sum" in parts:
            rows.append(
                (
                    _("Pension (JP) after %(years)d years, paid at once") % {"years": inp.years},
                    rupiah_text(parts["lump_sum"]),
                    _("A monthly pension needs 15 years of contributions; fewer are paid as a lump sum."),
                )
            )
    return rows
