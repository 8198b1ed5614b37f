"""Eligibility of a real person for one benefit on one event date, decided from the registry and the
contributions on record. Gathers the facts (a handful of queries) and applies the pure rules (rules.py).

The answer also carries the request for the pure calculator (`benefit_compute`), filled from the data:
membership start, the last reported wage, birth date, paid months.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from cakupan.benefits.eligibility import rules
from cakupan.benefits.eligibility.contributions import employer_standing_at, first_billed, paid_periods
from cakupan.benefits.eligibility.rules import Check
from cakupan.compliance.selectors import reported_wage_for
from cakupan.registry.models import Employment, Membership, Person
from cakupan.registry.selectors import wage_history_of
from cakupan.rules.benefits import BENEFITS, default_tables
from cakupan.rules.eligibility import eligibility_tables, on_day
from cakupan.rules.period import Period

# The programme that pays each benefit (a scholarship follows the death or disability that caused it).
PROGRAMME_OF = {
    "JKM": "JKM",
    "JKK_DEATH": "JKK",
    "JKK_TOTAL_DISABILITY": "JKK",
    "JKK_PARTIAL_DISABILITY": "JKK",
    "JKK_STMB": "JKK",
    "JKP": "JKP",
    "JP": "JP",
    "JHT": "JHT",
    "SCHOLARSHIP": "JKM",
}
assert set(PROGRAMME_OF) == set(BENEFITS)
WITH_CLAIM_DATE = {"JKP", "JHT", "SCHOLARSHIP", *[b for b in BENEFITS if b.startswith("JKK")]}


@dataclass
class Eligibility:
    benefit: str
    event_date: dt.date
    checks: list[Check] = field(default_factory=list)
    programmes: list[str] = field(default_factory=list)
    membership_ids: list[int] = field(default_factory=list)
    membership_start: dt.date | None = None
    wage: int | None = None
    employer_pays_first: bool = False
    paid_months: int | None = None
    # JP: the registry's wage history of the jobs and the months paid, for the average indexed wage.
    wage_history: list[tuple[Period, int]] = field(default_factory=list)
    paid_periods: list[Period] = field(default_factory=list)
    request: dict[str, Any] | None = None

    @property
    def decision(self) -> str:
        return rules.decision(self.checks)

    @property
    def unconfirmed(self) -> list[dict[str, Any]]:
        return [c.as_dict() for c in self.checks if c.confidence != "C"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "benefit": self.benefit,
            "event_date": self.event_date.isoformat(),
            "decision": self.decision,
            "eligible": self.decision == "eligible",
            "checks": [c.as_dict() for c in self.checks],
            "programmes": self.programmes,
            "membership_ids": self.membership_ids,
            "membership_start": self.membership_start.isoformat() if self.membership_start else None,
            "wage": self.wage,
            "employer_pays_first": self.employer_pays_first,
            "paid_months": self.paid_months,
            "unconfirmed": self.unconfirmed,
        }


def _covering(person: Person, day: dt.date) -> list[Membership]:
    return list(
        Membership.objects.filter(person=person, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("employer", "employment")
        .order_by("start_date", "id")
    )


def _wage(membership: Membership, day: dt.date) -> int | None:
    """The last wage reported for this membership: its employment's basic wage + fixed allowances
    (rules.md §2.1), or the declared income of an informal worker."""
    if membership.declared_income:
        return int(membership.declared_income)
    employment = membership.employment
    if employment is None and membership.employer_id:
        employment = (
            Employment.objects.filter(person_id=membership.person_id, employer_id=membership.employer_id)
            .filter(start_date__lte=day)
            .order_by("-start_date", "-id")
            .first()
        )
    return employment.monthly_wage if employment is not None else None


def eligibility_assess(
    *,
    person: Person,
    benefit: str,
    event_date: dt.date,
    claim_date: dt.date | None = None,
    end_reason: str | None = None,
    compliance_wage: int | None = None,
    work_accident: bool = False,
) -> Eligibility:
    """`compliance_wage`: a wage known from compliance data; when not given, the wage the employer reported
    for this worker to the labour agency (compliance app, WLKP worker list) is used. When it is above the
    wage reported to BPJS the answer warns: the employer pays the difference (PDS upah, rules.md §5.3)."""
    claim_date = claim_date or event_date
    programme = "JKK" if benefit == "SCHOLARSHIP" and work_accident else PROGRAMME_OF[benefit]
    out = Eligibility(benefit=benefit, event_date=event_date)
    covering = _covering(person, event_date)
    out.programmes = sorted({p for m in covering for p in m.programs})
    out.checks.append(
        rules.programme_check(programmes=out.programmes, required=programme, event_date=event_date)
    )
    holding = [m for m in covering if programme in m.programs]
    if not holding:
        return out
    main = holding[0]
    out.membership_ids = [m.pk for m in holding]
    out.membership_start = main.start_date
    out.wage = _wage(main, event_date)
    if compliance_wage is None and main.employer_id is not None:
        compliance_wage = reported_wage_for(nik=person.nik, employer_id=main.employer_id, on=event_date)
    out.checks.append(rules.wage_check(reported=out.wage, compliance_wage=compliance_wage))
    ids = list(
        Membership.objects.filter(person=person, **{programme.lower(): True}).values_list("pk", flat=True)
    )
    tables, elig = default_tables(), eligibility_tables()
    if programme == "JKK" and main.employer is not None:
        standing = employer_standing_at(employer=main.employer, on=event_date)
        if standing is not None:
            out.employer_pays_first = standing.behind
            out.checks.append(
                rules.employer_first_check(
                    behind=standing.behind,
                    months_behind=standing.months_behind,
                    rule=standing.rule,
                    employer=main.employer.name,
                )
            )
    if benefit == "JKP":
        _jkp(out, person, main, ids, claim_date, end_reason, tables, elig)
    elif benefit == "JP":
        paid, billed = paid_periods(membership_ids=ids, as_of=event_date, programme="jp")
        out.paid_months = len([p for p in paid if p.last_day < event_date])
        jobs = Membership.objects.filter(pk__in=ids, employment__isnull=False).values_list(
            "employment_id", flat=True
        )
        out.wage_history = [
            (Period.of(start), wage) for start, wage in wage_history_of(list(jobs)) if start <= event_date
        ]
        out.paid_periods = sorted(p for p in paid if p.last_day < event_date)
        version = tables.version("jp", event_date)
        if version is not None:
            out.checks.append(
                rules.jp_months_check(
                    paid_months=out.paid_months,
                    billed_any=billed,
                    minimum=version.cited("min_months_for_pension"),
                )
            )
    elif benefit in ("JKM", "SCHOLARSHIP") and not work_accident:
        # PP 82/2019: the scholarship's 3 years are contribution months paid (masa iur), so a gap counts.
        # Only when the bills reach back to the membership's start do the months paid tell the whole story;
        # otherwise the calculator counts calendar years and says so.
        first = first_billed(membership_ids=ids)
        if first is not None and first <= Period.of(main.start_date):
            paid, _billed = paid_periods(membership_ids=ids, as_of=event_date, programme="jkm")
            out.paid_months = len([p for p in paid if p.last_day < event_date])
    out.request = _request(out, person, claim_date, benefit)
    return out


def _jkp(
    out: Eligibility,
    person: Person,
    main: Membership,
    ids: list[int],
    claim_date: dt.date,
    end_reason: str | None,
    tables: Any,
    elig: Any,
) -> None:
    day = out.event_date
    version = tables.version("jkp", day)
    contributions = on_day(elig.jkp_contributions, day)
    out.checks.append(rules.citizen_check(citizenship=person.citizenship))
    if version is not None:
        out.checks.append(
            rules.registration_age_check(
                birth_date=person.birth_date,
                registered_on=main.start_date,
                limit=version.cited("max_registration_age"),
            )
        )
        out.checks.append(
            rules.claim_window_check(
                event_date=day,
                claim_date=claim_date,
                months=version.cited("claim_window_months"),
                rule_name=version.name,
            )
        )
    if main.employer is not None:
        out.checks.append(
            rules.jkp_programmes_check(
                size_class=main.employer.size_class,
                programmes=out.programmes,
                rule=on_day(elig.jkp_programmes, day),
            )
        )
    out.checks.append(rules.end_reason_check(reason=end_reason, rule=on_day(elig.jkp_reasons, day)))
    paid, billed = paid_periods(membership_ids=ids, as_of=day)
    out.checks.append(
        rules.jkp_contributions_check(paid=paid, billed_any=billed, event_date=day, rule=contributions)
    )
    if contributions is not None and billed:
        window = set(rules.window_before(day, contributions.window_months.value))
        out.paid_months = len(paid & window)


def _request(out: Eligibility, person: Person, claim_date: dt.date, benefit: str) -> dict[str, Any]:
    """The calculator's request, from the data (the claim adds what only the claimant knows)."""
    assert out.membership_start is not None
    request: dict[str, Any] = {
        "benefit": benefit,
        "event_date": out.event_date.isoformat(),
        "membership_start": out.membership_start.isoformat(),
    }
    if out.wage is not None:
        request["monthly_wage"] = out.wage
    if benefit in ("JKP", "JP", "JHT"):
        request["birth_date"] = person.birth_date.isoformat()
    if benefit in WITH_CLAIM_DATE:
        request["claim_date"] = claim_date.isoformat()
    if benefit in ("JKP", "JP", "JKM", "SCHOLARSHIP") and out.paid_months is not None:
        request["contribution_months"] = out.paid_months
    if benefit == "JP" and out.wage_history:
        # PP 45/2015: the average of the capped, indexed wages of the months paid (the calculator averages).
        request["wage_history"] = [{"from": str(p), "wage": w} for p, w in out.wage_history]
        if out.paid_periods:
            request["paid_periods"] = [str(p) for p in out.paid_periods]
    elif benefit == "JP" and out.wage is not None:
        # An employment without a wage history: the last reported wage stands in for the average (noted).
        request["average_indexed_wage"] = out.wage
    return request
