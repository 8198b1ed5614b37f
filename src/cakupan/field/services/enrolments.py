"""The enrolment items of a sync batch, decided as a roster: the field's own checks per item, then every
valid item through the roster's one decision set (enrolment.services.roster_rows_import), one call per payer.

Per item, in Python and without a query: what only the field asks (consent, the agent's regions, the
occupation, the income as a whole number, the item's shape). For the batch: one query for the NIKs another
agent enrolled (a conflict, not decided again), one for the sponsors named (in the agent's scope; a place
and money left this month, counted down over the batch). Then the roster decides (NIK rules, programmes,
the registry's person, another payer, persons outside the agent's scope held for the branch), and each
item's answer is mapped back from its row. The SyncItem rows (and Conflict rows) are bulk-created.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.accounts.scope import Scope
from cakupan.core.errors import FieldError
from cakupan.enrolment.reasons import ERROR_CODES, reason
from cakupan.enrolment.services import RowOutcome, roster_rows_import
from cakupan.field.item_fields import day, text, whole
from cakupan.field.models import Agent, Conflict, SyncItem
from cakupan.registry.models import Membership, Sponsor
from cakupan.registry.nik import nik_check, nik_normalise
from cakupan.registry.services.employment import WAGE_MAX
from cakupan.rules.period import Period
from cakupan.sponsorship.selectors import enrol_capacity

OTHER_PAYER_CODES = ("membership_other_payer", "membership_other_sponsor")


@dataclass
class Answer:
    """What an enrolment item came to: accepted (with its person and membership) or rejected (errors, and a
    conflict kind when the branch office follows it up)."""

    index: int
    accepted: bool
    errors: list[FieldError] = field(default_factory=list)
    conflict: str | None = None
    person_id: int | None = None
    membership_id: int | None = None
    other_agent_id: int | None = None
    occupation: str = ""


def _shape(item: dict[str, Any], errors: list[FieldError]) -> None:
    """The values the roster reads as text must be text (or absent)."""
    for name in ("nik", "full_name", "sex", "phone"):
        if item.get(name) is not None and not isinstance(item.get(name), str):
            errors.append(FieldError(name, _("Give this as text.")))
    programs = item.get("programs")
    if programs is not None and not (
        isinstance(programs, list) and all(isinstance(p, str) for p in programs)
    ):
        errors.append(FieldError("programs", _("Give the programmes as a list, e.g. JKK, JKM.")))
    sponsor = item.get("sponsor")
    if sponsor is not None and (isinstance(sponsor, bool) or not isinstance(sponsor, int)):
        errors.append(FieldError("sponsor", _("Choose the sponsor who pays.")))


def _checked(agent_regions: list[str], item: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """The fields only the field sync asks for (consent, the agent's regions, the income as an integer,
    the occupation); the roster checks the rest."""
    errors: list[FieldError] = []
    if item.get("consent") is not True:
        errors.append(FieldError("consent", _("The worker must agree to the enrolment.")))
    region = item.get("address_region")
    if isinstance(region, str) and region.strip()[:5] not in agent_regions:
        errors.append(FieldError("address_region", _("This region is outside the regions you serve.")))
    elif not isinstance(region, str):
        errors.append(FieldError("address_region", _("Unknown region code.")))
    income = whole(
        item.get("declared_income"),
        "declared_income",
        errors,
        low=1,
        high=WAGE_MAX,
        message=_("Enter the declared monthly income in whole Rupiah."),
    )
    sector = item.get("bpu_sector", Membership.BpuSector.OTHER)
    if sector not in Membership.BpuSector.values:
        errors.append(FieldError("bpu_sector", _("Choose transport or other.")))
    _shape(item, errors)
    values = {
        "birth_date": day(item.get("birth_date"), "birth_date", errors),
        "occupation": text(
            item.get("occupation"),
            "occupation",
            errors,
            most=80,
            message=_("Enter the occupation (at most 80 characters)."),
            required=True,
        ),
        "income": income,
        "sector": sector,
    }
    return values, errors


def _row(item: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The item as a roster row (enrolment.services.rows.ROW_FIELDS); without a start date it starts
    today."""
    return {
        "nik": item.get("nik"),
        "full_name": item.get("full_name"),
        "birth_date": values["birth_date"],
        "sex": item.get("sex"),
        "address_region": item.get("address_region"),
        "phone": item.get("phone"),
        "declared_income": values["income"],
        "bpu_sector": values["sector"],
        "programs": item.get("programs"),
    }


def _others(agent: Agent, niks: list[str]) -> tuple[dict[str, tuple[int, int | None]], set[str]]:
    """One query (on the indexed NIK of the kept items, as sent and as digits): NIK -> (other agent,
    person) for the NIKs another agent enrolled; the NIKs this agent did."""
    others: dict[str, tuple[int, int | None]] = {}
    mine: set[str] = set()
    accepted = SyncItem.objects.filter(
        kind=SyncItem.Kind.ENROLMENT, outcome=SyncItem.Outcome.ACCEPTED, nik__in=niks
    ).order_by("pk")
    for sent, agent_id, person_id in accepted.values_list("nik", "agent_id", "person_id"):
        nik = nik_normalise(sent)
        if agent_id == agent.pk:
            mine.add(nik)
        else:
            others.setdefault(nik, (agent_id, person_id))
    return others, mine


def _places(scope: Scope, sponsor_ids: set[int]) -> dict[int, int]:
    """Sponsor id -> the places it has left this month (sponsorship's capacity); absent: not one the agent
    may name. One query for the sponsors, the capacity per sponsor named (a batch names few)."""
    if not sponsor_ids:
        return {}
    month = str(Period.of(timezone.localdate()))
    found = Sponsor.objects.filter(scope.sponsors(), pk__in=sorted(sponsor_ids))
    return {s.pk: enrol_capacity(s, month).members for s in found}


def _answer(index: int, row: RowOutcome, mine: set[str], nik: str, lang: str) -> Answer:
    if row.status in ("imported", "updated") or (row.status == "unchanged" and nik not in mine):
        return Answer(index, True, person_id=row.person_id, membership_id=row.membership_id)
    if row.status == "unchanged":
        return Answer(index, False, [FieldError("nik", _("You have already enrolled this NIK."))])
    if row.status == "held":
        # Someone else's record whose name, birth date or sex differ: the branch office checks it first.
        return Answer(index, False, [FieldError("nik", reason("link_review").text(lang))])
    if any(code in OTHER_PAYER_CODES for code in row.codes) and row.person_id is not None:
        message = _(
            "This NIK is already a member through another payer; the branch office will follow it up."
        )
        return Answer(index, False, [FieldError("nik", message)], Conflict.Kind.OTHER_PAYER, row.person_id)
    # The same NIK twice in one batch: the second is one the agent has just enrolled.
    already = FieldError("nik", _("You have already enrolled this NIK."))
    codes = [code for code in row.codes if code in ERROR_CODES]  # the order of row.errors
    errors = [already if code == "duplicate" else e for code, e in zip(codes, row.errors, strict=True)]
    return Answer(index, False, errors)


def enrolments_decide(
    *, actor: Any, agent: Agent, scope: Scope, items: list[tuple[int, dict[str, Any]]]
) -> list[Answer]:
    """The answers to the enrolment items `items` ((index, item) pairs), their memberships written: run
    inside the caller's transaction, which also writes the SyncItem rows (`enrolments_keep`)."""
    require(scope, Perm.FIELD_SYNC)  # the caller's scope: no second read of the agent
    answers: dict[int, Answer] = {}
    valid: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    for index, item in items:
        values, errors = _checked(list(agent.regions), item)
        if errors:
            # With the NIK's own errors, so the phone hears every problem of the item at once.
            nik = nik_normalise(item.get("nik") if isinstance(item.get("nik"), str) else "")
            sex = item.get("sex") if item.get("sex") in ("L", "P") else None
            check = nik_check(nik, birth_date=values["birth_date"], sex=sex)
            errors += [FieldError("nik", issue.message) for issue in check.errors]
            answers[index] = Answer(index, False, errors, occupation=values["occupation"])
        else:
            valid.append((index, item, values))
    niks = [nik_normalise(item.get("nik")) for _i, item, _v in valid]
    sent = {str(item.get("nik") or "").strip()[:16] for _i, item, _v in valid}  # as SyncItem keeps it
    others, mine = _others(agent, sorted(set(niks) | sent))
    places = _places(scope, {item["sponsor"] for _i, item, _v in valid if item.get("sponsor") is not None})
    groups: dict[int | None, list[tuple[int, dict[str, Any], str]]] = defaultdict(list)
    for (index, item, values), nik in zip(valid, niks, strict=True):
        sponsor = item.get("sponsor")
        occupation = values["occupation"]
        if nik in others:
            other_agent, person_id = others[nik]
            message = _("Another agent has already enrolled this NIK; the branch office will follow it up.")
            answers[index] = Answer(
                index,
                False,
                [FieldError("nik", message)],
                Conflict.Kind.OTHER_AGENT,
                person_id,
                None,
                other_agent,
                occupation,
            )
        elif sponsor is not None and sponsor not in places:
            answers[index] = Answer(
                index,
                False,
                [FieldError("sponsor", _("Choose the sponsor who pays."))],
                occupation=occupation,
            )
        elif sponsor is not None and places[sponsor] <= 0:
            message = _("This sponsor has no money or places left this month.")
            answers[index] = Answer(index, False, [FieldError("sponsor", message)], occupation=occupation)
        else:
            if sponsor is not None:
                places[sponsor] -= 1
            groups[sponsor].append((index, _row(item, values), occupation))
    lang = "id" if (translation.get_language() or "").startswith("id") else "en"
    for sponsor, members in groups.items():
        result = roster_rows_import(
            actor=actor,
            scope=scope,
            target=("self", None) if sponsor is None else ("sponsor", sponsor),
            rows=[r for _i, r, _o in members],
            source=f"field sync {agent.user.get_username()}"[:255],
        )
        for (index, values, occupation), outcome in zip(members, result.rows, strict=True):
            answer = _answer(index, outcome, mine, nik_normalise(values["nik"]), lang)
            answer.occupation = occupation
            answers[index] = answer
    return [answers[index] for index, _item in items]
