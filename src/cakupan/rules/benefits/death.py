"""JKM: death not caused by a work accident (PP 44/2015 as amended by PP 82/2019).

Three fixed amounts paid to the heirs while membership is active: a lump sum, the periodic benefit
(24 months paid at once) and the funeral cost; plus the scholarship when its conditions are met.
"""

from __future__ import annotations

import datetime as dt

from cakupan.rules.benefits.answer import Answer
from cakupan.rules.benefits.inputs import Event, Reader, read_paid_months
from cakupan.rules.benefits.scholarship import scholarship_entitlement
from cakupan.rules.benefits.tables import BenefitTables, Cited

COMPONENTS = {
    "lump_sum": "JKM lump sum (santunan sekaligus)",
    "periodic": "JKM periodic benefit, 24 months paid at once (santunan berkala)",
    "funeral": "JKM funeral cost (biaya pemakaman)",
}


def jkm_amounts(tables: BenefitTables, on: dt.date) -> list[tuple[str, Cited]]:
    version = tables.version("jkm", on)
    if version is None:
        return []
    return [(name, version.cited(name)) for name in COMPONENTS]


def jkm_compute(reader: Reader, tables: BenefitTables, event: Event) -> Answer:
    children = reader.integer("children", minimum=0, maximum=50)
    paid_months = read_paid_months(reader, event)
    version = tables.version("jkm", event.event_date)
    if version is None:
        first = tables.first_valid_from("jkm").isoformat()
        reader.error("event_date", f"No rule table covers deaths before {first}.")
    reader.check()
    assert version is not None
    ans = Answer(event.benefit)
    ans.follow(tables, version, event.event_date)
    for name, cited in jkm_amounts(tables, event.event_date):
        ans.add(name, int(cited.value), rule=f"{version.name}: {COMPONENTS[name]}", cited=[cited])
    ans.reasons.append("Paid to the heirs when the participant dies while the membership is active.")
    ans.attach_documents(tables, "JKM")
    scholarship_entitlement(
        ans, tables, event, children=children, work_accident=False, paid_months=paid_months
    )
    return ans
