"""An enrolment item of a sync batch: a person and a BPU membership, through the registry's services."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.accounts.scope import Scope
from cakupan.core.errors import FieldError, InvalidInput
from cakupan.field.item_fields import day, text, whole
from cakupan.field.models import Conflict, SyncItem
from cakupan.registry.models import Membership, Person, Segment, Sponsor
from cakupan.registry.nik import nik_check, nik_normalise
from cakupan.registry.services.employment import WAGE_MAX
from cakupan.registry.services.memberships import membership_enrol
from cakupan.registry.services.persons import person_register
from cakupan.rules.period import Period
from cakupan.sponsorship.selectors import enrol_capacity


class EnrolmentConflict(InvalidInput):
    """The NIK is already a member through another payer, or another agent enrolled it: refused, and kept as
    a Conflict for the branch office."""

    def __init__(self, kind: str, message: Any, *, person_id: int, other_agent_id: int | None = None) -> None:
        super().__init__([FieldError("nik", message)])
        self.kind = kind
        self.person_id = person_id
        self.other_agent_id = other_agent_id


def _checked(agent_regions: list[str], item: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """The fields only the field sync asks for (consent, the agent's regions, the income as an integer);
    the registry services check the rest."""
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
        "phone": item.get("phone") if item.get("phone") is not None else "",
        "region": region.strip() if isinstance(region, str) else "",
        "income": income,
        "sector": sector,
    }
    return values, errors


def _conflict(agent_id: int, person: Person) -> None:
    """Refuse a NIK another agent enrolled, or one already covered through another payer."""
    other = (
        SyncItem.objects.filter(
            person=person, kind=SyncItem.Kind.ENROLMENT, outcome=SyncItem.Outcome.ACCEPTED
        )
        .exclude(agent_id=agent_id)
        .values_list("agent_id", flat=True)
        .first()
    )
    if other is not None:
        raise EnrolmentConflict(
            Conflict.Kind.OTHER_AGENT,
            _("Another agent has already enrolled this NIK; the branch office will follow it up."),
            person_id=person.pk,
            other_agent_id=other,
        )
    if Membership.objects.filter(person=person, status=Membership.Status.ACTIVE).exists():
        mine = SyncItem.objects.filter(
            person=person, agent_id=agent_id, kind=SyncItem.Kind.ENROLMENT, outcome=SyncItem.Outcome.ACCEPTED
        ).exists()
        if mine:
            raise InvalidInput.single("nik", _("You have already enrolled this NIK."))
        raise EnrolmentConflict(
            Conflict.Kind.OTHER_PAYER,
            _("This NIK is already a member through another payer; the branch office will follow it up."),
            person_id=person.pk,
        )


def _sponsor_money(scope: Scope, item: dict[str, Any]) -> None:
    """A sponsor the agent offers must have a place and money left this month (sponsorship's capacity);
    whether the sponsor is one the agent may name at all is the membership service's check."""
    sponsor = item.get("sponsor")
    if sponsor is None:
        return
    found = Sponsor.objects.filter(scope.sponsors(), pk=sponsor).first() if isinstance(sponsor, int) else None
    if found is not None and enrol_capacity(found, str(Period.of(timezone.localdate()))).members <= 0:
        raise InvalidInput.single("sponsor", _("This sponsor has no money or places left this month."))


def enrolment_apply(
    *, actor: Any, agent: Any, scope: Scope, kept: SyncItem, item: dict[str, Any]
) -> SyncItem:
    """Writes the person (or links the registered one) and the membership; `kept` is the item's row, already
    written in the caller's savepoint (the registry services see the person through it)."""
    require(scope, Perm.FIELD_SYNC)  # the caller's scope: no second read of the agent
    values, errors = _checked(list(agent.regions), item)
    nik = nik_normalise(item.get("nik") if isinstance(item.get("nik"), str) else "")
    if errors:
        # With the NIK's own errors, so the phone hears every problem of the item at once.
        sex = item.get("sex") if item.get("sex") in ("L", "P") else None
        check = nik_check(nik, birth_date=values["birth_date"], sex=sex)
        errors += [FieldError("nik", issue.message) for issue in check.errors]
        raise InvalidInput(errors)
    person = Person.objects.filter(nik=nik).first() if nik else None
    if person is not None:
        _conflict(agent.pk, person)
        if (person.birth_date, person.sex) != (values["birth_date"], item.get("sex")):
            raise InvalidInput.single(
                "nik", _("This NIK is registered with another birth date or sex; the office checks it.")
            )
    else:
        person = person_register(
            actor=actor,
            nik=nik,
            full_name=item.get("full_name"),  # type: ignore[arg-type]  # checked by the service
            birth_date=values["birth_date"],
            sex=item.get("sex"),  # type: ignore[arg-type]
            address_region=values["region"],
            phone=values["phone"],
        )
    kept.person = person
    kept.occupation = values["occupation"]
    kept.save(update_fields=["person", "occupation"])
    _sponsor_money(scope, item)
    sponsor = item.get("sponsor")
    membership = membership_enrol(
        actor=actor,
        person=person,
        segment=Segment.BPU,
        programs=item.get("programs"),  # type: ignore[arg-type]  # checked by the service
        start_date=timezone.localdate(),
        payer_kind=Membership.PayerKind.SPONSOR if sponsor is not None else Membership.PayerKind.SELF,
        sponsor=sponsor,
        declared_income=values["income"],
        bpu_sector=values["sector"],
    )
    kept.membership = membership
    kept.save(update_fields=["membership"])
    return kept
