"""JKK: work accident or occupational disease (PP 44/2015 as amended by PP 82/2019, Lampiran).

Cash benefits are a percentage × 80 × the last monthly wage reported to BPJS: death 60 % (48 × wage, at least
the JKM death lump sum), total permanent disability 70 % (56 × wage), partial disability the table percentage.
STMB replaces the wage while the worker cannot work. Medical care has no cost cap; transport and home care
are reimbursed up to fixed maximums.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cakupan.rules.benefits.answer import Answer
from cakupan.rules.benefits.inputs import Event, Reader, add_months
from cakupan.rules.benefits.scholarship import scholarship_entitlement
from cakupan.rules.benefits.tables import BenefitTables, Cited, Version
from cakupan.rules.money import rupiah

TRANSPORT_MODES = ("land", "sea", "air")
# PP 82/2019 Lampiran: the arm rows are reversed for a left-handed worker.
LEFT_HANDED_SWAP = {
    "right_arm_from_shoulder": "left_arm_from_shoulder",
    "left_arm_from_shoulder": "right_arm_from_shoulder",
}


def jkk_compute(reader: Reader, tables: BenefitTables, event: Event) -> Answer:
    wage = reader.integer("monthly_wage", required=True, minimum=1)
    claim_date = reader.date("claim_date")
    if claim_date is not None and claim_date < event.event_date:
        reader.error("claim_date", "The claim cannot be before the accident.")
    care = {
        "medical": reader.integer("medical_cost", minimum=0),
        "home_care": reader.integer("home_care_cost", minimum=0),
        "transport": _read_transport(reader),
    }
    params = _read_specific(reader, tables, event.benefit)
    version = tables.version("jkk", event.event_date)
    if version is None:
        first = tables.first_valid_from("jkk").isoformat()
        reader.error("event_date", f"No rule table covers accidents before {first}.")
    reader.check()
    assert version is not None
    assert wage is not None
    ans = Answer(event.benefit)
    ans.follow(tables, version, event.event_date)
    ans.attach_documents(tables, event.benefit)
    ans.details["monthly_wage"] = wage
    if claim_date is not None:
        window = version.cited("claim_window_years")
        deadline = add_months(event.event_date, 12 * int(ans.use(window)))
        if claim_date > deadline:
            ans.refuse(
                f"The claim deadline was {deadline.isoformat()} ({window.value} years, {version.name})."
            )
            return ans
    if event.benefit == "JKK_DEATH":
        _death(ans, tables, version, event, wage, params)
    elif event.benefit == "JKK_TOTAL_DISABILITY":
        _total_disability(ans, tables, version, event, wage, params)
    elif event.benefit == "JKK_PARTIAL_DISABILITY":
        _partial_disability(ans, tables, version, wage, params)
    else:
        _stmb(ans, version, wage, params)
    _care(ans, version, care)
    return ans


def _read_specific(reader: Reader, tables: BenefitTables, benefit: str) -> dict[str, Any]:
    if benefit in ("JKK_DEATH", "JKK_TOTAL_DISABILITY"):
        return {"children": reader.integer("children", minimum=0, maximum=50)}
    if benefit == "JKK_STMB":
        return {"months": reader.integer("months_unable", required=True, minimum=1, maximum=600)}
    items = tuple(tables.section("jkk_disability_items"))
    percent = reader.percent("disability_percent")
    item = reader.choice("disability_item", items)
    given = [
        name for name in ("disability_percent", "disability_item") if reader.payload.get(name) is not None
    ]
    if not given:
        reader.error("disability_percent", "Give disability_percent (from the table) or disability_item.")
    elif len(given) == 2:
        reader.error("disability_item", "Give either disability_percent or disability_item, not both.")
    return {
        "percent": percent,
        "item": item,
        "function": reader.percent("function_loss_percent"),
        "left_handed": reader.boolean("left_handed"),
    }


def _read_transport(reader: Reader) -> dict[str, int]:
    raw = reader.payload.get("transport_costs")
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not set(raw) <= set(TRANSPORT_MODES):
        reader.error("transport_costs", "Give costs by mode: " + ", ".join(TRANSPORT_MODES) + ".")
        return {}
    sub = Reader(raw)
    costs = {mode: sub.integer(mode, minimum=0) for mode in TRANSPORT_MODES if mode in raw}
    for name, message in sub.errors:
        reader.error("transport_costs", f"{name}: {message}")
    return {mode: cost for mode, cost in costs.items() if cost is not None}


def _times_80(wage: int, *percents: Decimal, base: Decimal) -> int:
    """percent × … × 80 × monthly wage, rounded half up once at the end."""
    amount = Decimal(wage) * base
    for percent in percents:
        amount = amount * percent / Decimal(100)
    return rupiah(amount)


def _death(
    ans: Answer, tables: BenefitTables, version: Version, event: Event, wage: int, params: dict[str, Any]
) -> None:
    percent, base = version.cited("death_percent"), version.cited("base_multiplier")
    formula = _times_80(wage, Decimal(percent.value), base=Decimal(base.value))
    # "paling sedikit sebesar santunan kematian JKM": never less than the JKM death lump sum of the same
    # regulation (Rp20,000,000 under PP 82/2019, Rp16,200,000 before; rules.md §12.1, confidence B).
    floor = version.cited("death_floor")
    amount = max(formula, int(ans.use(floor)))
    cited = [percent, base]
    extra: dict[str, Any] = {"formula_amount": formula}
    if amount > formula:
        cited.append(floor)
        extra["floor_applied"] = amount
        ans.reasons.append(
            f"Death lump sum raised from Rp{formula:,} ({percent.value}% × {base.value} × wage) to the "
            f"floor of Rp{amount:,}, the JKM death lump sum under {version.name}."
        )
    ans.add(
        "death_lump_sum",
        amount,
        rule=f"{version.name} Lampiran: {percent.value}% × {base.value} × monthly wage, "
        f"at least Rp{int(floor.value):,} (the JKM death lump sum)",
        cited=cited,
        **extra,
    )
    funeral, periodic = version.cited("death_funeral"), version.cited("death_periodic")
    ans.add("funeral", int(funeral.value), rule=f"{version.name}: funeral cost", cited=[funeral])
    ans.add(
        "periodic",
        int(periodic.value),
        rule=f"{version.name}: periodic benefit paid at once",
        cited=[periodic],
    )
    scholarship_entitlement(ans, tables, event, children=params["children"], work_accident=True)


def _total_disability(
    ans: Answer, tables: BenefitTables, version: Version, event: Event, wage: int, params: dict[str, Any]
) -> None:
    percent, base = version.cited("total_disability_percent"), version.cited("base_multiplier")
    ans.add(
        "disability_lump_sum",
        _times_80(wage, Decimal(percent.value), base=Decimal(base.value)),
        rule=f"{version.name} Lampiran: total permanent disability "
        f"{percent.value}% × {base.value} × monthly wage",
        cited=[percent, base],
    )
    # The periodic benefit (24 months, paid at once) is due for total permanent disability as for death
    # (rules.md §12.1, confidence B). A deployment may set it to 0 to pay none.
    periodic = version.cited("total_disability_periodic")
    if int(ans.use(periodic)) > 0:
        ans.add(
            "periodic",
            int(periodic.value),
            rule=f"{version.name} Lampiran: periodic benefit, 24 months paid at once",
            cited=[periodic],
        )
    else:
        ans.reasons.append(f"No periodic payment for total disability under {version.name} (as configured).")
    scholarship_entitlement(ans, tables, event, children=params["children"], work_accident=True)


def _partial_disability(
    ans: Answer, tables: BenefitTables, version: Version, wage: int, params: dict[str, Any]
) -> None:
    base = version.cited("base_multiplier")
    cited = [base]
    if params["item"] is not None:
        item = params["item"]
        if params["left_handed"]:
            item = LEFT_HANDED_SWAP.get(item, item)
        entry = tables.section("jkk_disability_items")[item]
        row = Cited(f"jkk_disability_items.{item}", entry["value"], entry["confidence"], entry["source"])
        cited.append(row)
        percent = Decimal(row.value)
        what = f"table row {item} {row.value}%"
    else:
        percent = params["percent"]
        what = f"table {percent}%"
    percents = [percent]
    if params["function"] is not None:
        # Partial loss of function: % of function lost × table % × 80 × wage (analogue rule, rules.md §5.3).
        percents.append(params["function"])
        what += f" × {params['function']}% loss of function"
        cited.append(
            Cited(
                "jkk.partial_function_formula",
                "% loss of function × table % × 80 × wage",
                "M",
                "rules.md §5.3: cacat sebagian fungsi",
            )
        )
    ans.add(
        "disability_lump_sum",
        _times_80(wage, *percents, base=Decimal(base.value)),
        rule=f"{version.name} Lampiran: partial disability, {what} × {base.value} × monthly wage",
        cited=cited,
    )


def _stmb(ans: Answer, version: Version, wage: int, params: dict[str, Any]) -> None:
    tiers = version.cited("stmb_tiers")
    remaining, amount, breakdown = int(params["months"]), 0, []
    for tier_months, percent in tiers.value:
        take = remaining if int(tier_months) == 0 else min(remaining, int(tier_months))
        if take <= 0:
            break
        # Each month's payment is rounded on its own, as it is paid monthly.
        monthly = rupiah(Decimal(wage) * Decimal(percent) / Decimal(100))
        breakdown.append({"months": take, "percent": str(percent), "monthly_amount": monthly})
        amount += take * monthly
        remaining -= take
    ans.add(
        "wage_replacement",
        amount,
        rule=f"{version.name}: STMB " + ", then ".join(_tier_text(m, p) for m, p in tiers.value),
        cited=[tiers],
        tiers=breakdown,
    )


def _tier_text(months: int, percent: str) -> str:
    return f"{percent}% until recovery" if int(months) == 0 else f"{percent}% for {months} months"


def _care(ans: Answer, version: Version, care: dict[str, Any]) -> None:
    """Reimbursements that any JKK case may add: medical care, home care and transport."""
    if care["medical"] is not None:
        no_cap = version.cited("medical_cap")
        ans.add(
            "medical_care",
            care["medical"],
            rule=f"{version.name}: medical care according to medical need, no cost cap",
            cited=[no_cap],
        )
    if care["home_care"] is not None:
        cap = version.cited("home_care_cap")
        if int(ans.use(cap)) == 0:
            ans.reasons.append(f"Home care is not a JKK benefit under {version.name}.")
        else:
            amount = min(care["home_care"], int(cap.value))
            ans.add("home_care", amount, rule=f"{version.name}: home care up to Rp{cap.value:,}", cited=[cap])
    if care["transport"]:
        caps = version.cited("transport_caps")
        modes = {mode: min(cost, int(caps.value[mode])) for mode, cost in care["transport"].items()}
        ans.add(
            "transport",
            sum(modes.values()),
            rule=f"{version.name}: transport up to "
            + ", ".join(f"{m} Rp{c:,}" for m, c in caps.value.items()),
            cited=[caps],
            modes=modes,
        )
