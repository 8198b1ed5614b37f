"""JP: old-age pension (PP 45/2015).

Monthly pension = 1 % × years of contribution × average indexed wage, kept between the minimum and maximum
of the year it starts (Pasal 18) when those are known. At least 180 months of contributions give a monthly
pension; fewer give a lump sum (the contributions plus returns). Pension age: 56 from 2015, 57 from 2019,
then one more every 3 years up to 65 from 2043 (Pasal 15).
"""

from __future__ import annotations

from decimal import Decimal

from cakupan.rules.benefits.answer import Answer
from cakupan.rules.benefits.inputs import Event, Reader, calendar_months, full_years, whole_number
from cakupan.rules.benefits.jp_wage import average_indexed_wage
from cakupan.rules.benefits.tables import BenefitTables, Cited, Version
from cakupan.rules.money import rupiah
from cakupan.rules.period import Period


def pension_age(version: Version, year: int) -> tuple[int, Cited]:
    """The pension age in force in `year` (PP 45/2015 Pasal 15)."""
    schedule = version.cited("pension_age")
    age = 0
    for from_year, value in schedule.value:
        if year >= int(from_year):
            age = int(value)
    return age, schedule


def year_bounds(tables: BenefitTables, year: int) -> Cited:
    """Minimum and maximum monthly pension of `year`; value None when unknown (then no bound applies)."""
    entry = tables.section("jp_bounds").get(str(year))
    if entry is None:
        return Cited(
            f"jp_bounds.{year}", None, "U", f"JP minimum and maximum for {year} not found; not applied"
        )
    value = {"min": int(entry["min"]), "max": int(entry["max"])}
    return Cited(f"jp_bounds.{year}", value, entry["confidence"], entry["source"])


def jp_compute(reader: Reader, tables: BenefitTables, event: Event) -> Answer:
    months = reader.integer("contribution_months", required=True, minimum=1, maximum=1200)
    history = _read_history(reader, event)
    paid = _read_paid_periods(reader, event)
    wage = reader.integer("average_indexed_wage", required=history is None, minimum=1)
    balance = reader.integer("balance", minimum=0)
    born = reader.date("birth_date")
    reader.within(
        "contribution_months",
        months,
        calendar_months(event.membership_start, event.event_date) + 1,
        "calendar months of membership up to the event",
    )
    if born is not None and born >= event.membership_start:
        reader.error("birth_date", "The birth date must be before the membership started.")
    version = tables.version("jp", event.event_date)
    if version is None:
        first = tables.first_valid_from("jp").isoformat()
        reader.error("event_date", f"The pension programme (JP) began on {first}.")
    reader.check()
    assert version is not None
    assert months is not None
    ans = Answer(event.benefit)
    if history is not None and wage is None:
        wage = _average_from_history(ans, tables, history, event, months, paid)
    elif history is not None:
        ans.reasons.append("The average indexed wage given was used; the wage history was not averaged.")
    assert wage is not None
    ans.follow(tables, version, event.event_date)
    ans.attach_documents(tables, "JP")
    year = event.event_date.year
    age, schedule = pension_age(version, year)
    ans.use(schedule)
    ans.details.update({"pension_age": age, "contribution_months": months})
    if born is None:
        ans.reasons.append(
            f"Assumes the participant has reached the pension age of {age} in force in {year}."
        )
    else:
        reached = full_years(born, event.event_date)
        if reached < age:
            ans.refuse(
                f"Age {reached} on {event.event_date.isoformat()}; the pension age in {year} is {age}."
            )
            return ans
    threshold = version.cited("min_months_for_pension")
    if months >= int(threshold.value):
        _monthly(ans, tables, version, year, months, wage, threshold)
    else:
        _lump_sum(ans, version, months, wage, balance, threshold)
    return ans


def _read_history(reader: Reader, event: Event) -> list[tuple[Period, int]] | None:
    """`wage_history`: [{"from": "YYYY-MM", "wage": n}, ...], each wage with the month it starts in."""
    raw = reader.payload.get("wage_history")
    if raw is None:
        return None
    if not isinstance(raw, list) or not raw:
        reader.error("wage_history", 'Give a list of {"from": "YYYY-MM", "wage": amount}.')
        return None
    history: list[tuple[Period, int]] = []
    for item in raw:
        start = item.get("from") if isinstance(item, dict) else None
        wage = whole_number(item.get("wage")) if isinstance(item, dict) else None
        try:
            period = Period.parse(start) if isinstance(start, str) else None
        except ValueError:
            period = None
        if period is None or wage is None or wage < 1:
            reader.error("wage_history", 'Each entry needs "from" as YYYY-MM and a "wage" of at least 1.')
            return None
        if period > Period.of(event.event_date):
            reader.error("wage_history", f"The wage from {period} starts after the event.")
            return None
        history.append((period, wage))
    if len({p for p, _w in history}) != len(history):
        reader.error("wage_history", "Each month may start only one wage.")
        return None
    return sorted(history)


def _read_paid_periods(reader: Reader, event: Event) -> list[Period] | None:
    """`paid_periods`: the months actually paid ("YYYY-MM"), up to the event (earlier memberships count)."""
    raw = reader.payload.get("paid_periods")
    if raw is None:
        return None
    last = Period.of(event.event_date)
    periods: list[Period] = []
    for item in raw if isinstance(raw, list) else [None]:
        try:
            period = Period.parse(item) if isinstance(item, str) else None
        except ValueError:
            period = None
        if period is None or period > last:
            reader.error("paid_periods", "Give the months paid as YYYY-MM, up to the event's month.")
            return None
        periods.append(period)
    return periods


def _average_from_history(
    ans: Answer,
    tables: BenefitTables,
    history: list[tuple[Period, int]],
    event: Event,
    months: int,
    paid: list[Period] | None,
) -> int:
    """The average indexed wage over the months paid, or else the membership's calendar months before the
    event (PP 45/2015: the whole contribution history)."""
    first = Period.of(event.membership_start)
    span = max(1, calendar_months(event.membership_start, event.event_date))
    counted = paid if paid else [first.shift(k) for k in range(span)]
    average = average_indexed_wage(tables, history, counted, event.event_date)
    for cited in average.cited:
        ans.use(cited)
    ans.reasons.extend(average.notes)
    if not paid and months < span:
        ans.reasons.append(
            f"{months} months were paid of {span} calendar months; without the months' list every calendar "
            "month of the history is averaged."
        )
    ans.details["average_indexed_wage"] = average.amount
    ans.details["wage_months_averaged"] = average.months
    return average.amount


def _monthly(
    ans: Answer, tables: BenefitTables, version: Version, year: int, months: int, wage: int, threshold: Cited
) -> None:
    accrual = version.cited("accrual_percent")
    # 1 % for each year of contributions; months beyond whole years count pro rata (months ÷ 12).
    formula = rupiah(Decimal(wage) * Decimal(accrual.value) / Decimal(100) * Decimal(months) / Decimal(12))
    bounds = year_bounds(tables, year)
    amount = formula
    if bounds.value is None:
        ans.reasons.append(f"The JP minimum and maximum for {year} are not known, so neither was applied.")
    else:
        amount = min(max(formula, bounds.value["min"]), bounds.value["max"])
        if amount != formula:
            ans.reasons.append(
                f"The formula gives Rp{formula:,}; the {year} bounds are Rp{bounds.value['min']:,} "
                f"to Rp{bounds.value['max']:,}."
            )
    ans.details.update({"formula_amount": formula, "bounds": bounds.value})
    ans.add(
        "monthly_pension",
        amount,
        rule=f"{version.name}: {accrual.value}% × {months}/12 years × average indexed wage, "
        f"within the {year} minimum and maximum (Pasal 18)",
        cited=[accrual, threshold, bounds],
    )


def _lump_sum(
    ans: Answer, version: Version, months: int, wage: int, balance: int | None, threshold: Cited
) -> None:
    ans.reasons.append(f"{months} months of contributions, under {threshold.value}: paid as a lump sum.")
    if balance is not None:
        ans.add(
            "lump_sum",
            balance,
            rule=f"{version.name}: accumulated contributions plus returns (the balance given)",
            cited=[threshold],
        )
        return
    rate = version.cited("lump_sum_contribution_percent")
    ans.reasons.append(
        "Estimate: contributions only, without development returns; give `balance` to use BPJS's."
    )
    ans.add(
        "lump_sum",
        rupiah(Decimal(wage) * Decimal(rate.value) / Decimal(100) * Decimal(months)),
        rule=f"{version.name}: {rate.value}% × average indexed wage × {months} months of contributions",
        cited=[threshold, rate],
    )
