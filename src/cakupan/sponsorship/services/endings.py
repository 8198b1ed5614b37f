"""Ending sponsored cover well (issue 15 point 3): for a member, or a sponsor's whole cohort whose funded
period ends with month M, one decision:

- **renew** into the sponsor's next funded period (it must cover the month after M, with room under its cap);
- **move** to another sponsor: pending until that sponsor accepts (`cover_moves_answer`);
- **convert** to self-paid BPU: each member gets a payer account of their own, a first bill for M+1 and a
  message on their own page;
- **end**: the membership ends on M's last day (`registry.services.memberships.membership_end` for one member;
  the same rule as one UPDATE for a cohort).

A decision is recorded at once; what changes the payer (a conversion, an accepted move) takes effect when M
is over (`cover_endings_apply`, run daily with the alerts), so M's bill is still the sponsor's. Every step is
set-based: a constant number of statements whatever the cohort's size, and one audit event.
"""
# ruff: noqa: S608 - SQL text from model names and choices (core.sqlnames); values are parameters

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import SYSTEM, Perm, require
from cakupan.core.audit import audit_record
from cakupan.core.errors import FieldError, InvalidInput, NotInScope
from cakupan.core.sqlnames import table
from cakupan.registry.models import Membership, Sponsor
from cakupan.registry.services.memberships import membership_end
from cakupan.registry.services.scope_keys import scope_keys_refresh
from cakupan.rules.period import Period
from cakupan.sponsorship.models import CoverEnding, FundedPeriod
from cakupan.sponsorship.selectors import sponsor_in_scope
from cakupan.sponsorship.services.conversion import first_bills_write
from cakupan.sponsorship.services.notify import move_waiting

Action = CoverEnding.Action
State = CoverEnding.State


def decided(month: str) -> Q:
    """Memberships with a decision (not a declined move) for last sponsored month `month`."""
    return Q(
        Exists(
            CoverEnding.objects.filter(membership=OuterRef("pk"), ended_month=month).exclude(
                state=State.DECLINED
            )
        )
    )


def endings_due(sponsor_id: int, month: str) -> QuerySet[Membership]:
    """The sponsor's active members whose sponsored cover ends with `month` (a funded period of the
    sponsor ends then) and for whom nothing is decided yet."""
    if not FundedPeriod.objects.filter(sponsor_id=sponsor_id, last_month=month).exists():
        return Membership.objects.none()
    return Membership.objects.filter(
        sponsor_id=sponsor_id, payer_kind=Membership.PayerKind.SPONSOR, status=Membership.Status.ACTIVE
    ).exclude(decided(month))


def _month(value: Any, errors: list[FieldError]) -> Period | None:
    try:
        return Period.parse(str(value))
    except ValueError:
        errors.append(FieldError("month", _("A month written YYYY-MM.")))
        return None


def _ids(value: Any, errors: list[FieldError]) -> list[int] | None:
    if value is None:
        return None
    try:
        ids = sorted({int(v) for v in value})
    except (TypeError, ValueError):
        errors.append(FieldError("memberships", _("Members are given by their membership numbers.")))
        return None
    if not ids:
        errors.append(FieldError("memberships", _("Choose at least one member.")))
    return ids


def _insert(
    due: QuerySet[Membership],
    *,
    sponsor: Sponsor,
    month: str,
    action: str,
    state: str,
    to_sponsor: int | None,
) -> int:
    """One INSERT ... SELECT of a decision per due membership."""
    sql, params = due.values("pk").query.sql_with_params()
    m = table(Membership)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table(CoverEnding)} (membership_id, sponsor_id, person_id, ended_month, action,
                to_sponsor_id, state, created_at)
            SELECT m.id, %s, m.person_id, %s, %s, %s, %s, %s FROM {m} m WHERE m.id IN ({sql})""",
            [sponsor.pk, month, action, to_sponsor, state, timezone.now(), *params],
        )
        return cursor.rowcount


def _validate_action(
    errors: list[FieldError], *, actor: Any, sponsor: Sponsor, month: Period, action: str, to_sponsor: Any
) -> tuple[FundedPeriod | None, Sponsor | None]:
    following = str(month.shift(1))
    nxt: FundedPeriod | None = None
    other: Sponsor | None = None
    if action not in Action.values:
        errors.append(FieldError("action", _("Choose renew, move, convert or end.")))
    elif action == Action.RENEW:
        nxt = FundedPeriod.objects.filter(
            sponsor=sponsor, first_month__lte=following, last_month__gte=following
        ).first()
        if nxt is None:
            errors.append(FieldError("action", _("The sponsor has no funded period for the next month.")))
    elif action == Action.MOVE:
        scope = require(actor, Perm.SPONSORSHIP_END)
        try:
            other = sponsor_in_scope(scope, to_sponsor)
        except NotInScope:
            errors.append(FieldError("to_sponsor", _("Choose the sponsor who takes the members over.")))
        else:
            if other.pk == sponsor.pk:
                errors.append(FieldError("to_sponsor", _("Choose another sponsor than the present one.")))
            elif not FundedPeriod.objects.filter(
                sponsor=other, first_month__lte=following, last_month__gte=following
            ).exists():
                errors.append(
                    FieldError("to_sponsor", _("That sponsor has no funded period for the next month."))
                )
    return nxt, other


@transaction.atomic
def cover_endings_decide(
    *,
    actor: Any,
    sponsor: Sponsor | int | str,
    month: Any,
    action: Any,
    memberships: Any = None,
    to_sponsor: Any = None,
) -> dict[str, Any]:
    """Decide for the members whose sponsored cover ends with `month`: all of them (`memberships` None) or
    the given membership ids. Returns {"action", "month", "members", "state"}."""
    scope = require(actor, Perm.SPONSORSHIP_END)
    found = sponsor_in_scope(scope, sponsor)
    errors: list[FieldError] = []
    period = _month(month, errors)
    ids = _ids(memberships, errors)
    nxt: FundedPeriod | None = None
    other: Sponsor | None = None
    if period is not None:
        nxt, other = _validate_action(
            errors, actor=actor, sponsor=found, month=period, action=str(action), to_sponsor=to_sponsor
        )
    if errors:
        raise InvalidInput(errors)
    assert period is not None
    last = str(period)
    due = endings_due(found.pk, last)
    if ids is not None:
        due = due.filter(pk__in=ids)
        if due.count() != len(ids):
            raise InvalidInput.single(
                "memberships",
                _("Some of these members are not ending with this month or are decided already."),
            )
    count = due.count()
    if count == 0:
        raise InvalidInput.single("month", _("No member of this sponsor is left to decide for this month."))
    if action == Action.RENEW:
        assert nxt is not None
        active = Membership.objects.filter(sponsor=found, status=Membership.Status.ACTIVE).count()
        if active > nxt.member_cap:
            raise InvalidInput.single(
                "action", _("The next funded period's cap is %(cap)s members.") % {"cap": nxt.member_cap}
            )
    state = State.PENDING if action == Action.MOVE else State.DONE
    if action == Action.END and ids is not None and len(ids) == 1:
        membership = Membership.objects.get(pk=ids[0])
        _insert(due, sponsor=found, month=last, action=str(action), state=state, to_sponsor=None)
        membership_end(actor=actor, membership=membership, end_date=period.last_day)
    else:
        _insert(
            due,
            sponsor=found,
            month=last,
            action=str(action),
            state=state,
            to_sponsor=other.pk if other is not None else None,
        )
        batch = CoverEnding.objects.filter(sponsor=found, ended_month=last, action=action, applied_at=None)
        if action == Action.END:
            _end_cohort(batch, period.last_day)
        elif action == Action.CONVERT:
            first_bills_write(batch, sponsor=found, first_month=period.shift(1))
        if action in (Action.RENEW, Action.END):
            batch.update(applied_at=timezone.now())
    if other is not None:
        move_waiting(giver=found, receiver=other, month=last, members=count)
    audit_record(
        actor=actor,
        action=f"cover_{action}",
        instance=found,
        changes={"month": last, "members": count, "to_sponsor": other.pk if other else None},
    )
    return {"action": str(action), "month": last, "members": count, "state": str(state)}


def _end_cohort(batch: QuerySet[CoverEnding], last_day: dt.date) -> None:
    """membership_end's rule for many: the end date is the last sponsored day; the status turns to ended
    only once that day has come (until then the end is scheduled and billing still counts the member)."""
    members = Membership.objects.filter(pk__in=batch.values("membership_id"), end_date__isnull=True)
    status = Membership.Status.ENDED if last_day <= timezone.localdate() else Membership.Status.ACTIVE
    members.update(end_date=last_day, status=status, updated_at=timezone.now())


@transaction.atomic
def cover_moves_answer(
    *, actor: Any, to_sponsor: Sponsor | int | str, from_sponsor: Any, month: Any, accept: bool
) -> dict[str, Any]:
    """The receiving sponsor (or its office) accepts or declines the members handed over to it for `month`.
    Declined members are due again at their sponsor, for another decision."""
    scope = require(actor, Perm.SPONSORSHIP_ACCEPT)
    receiver = sponsor_in_scope(scope, to_sponsor)
    errors: list[FieldError] = []
    period = _month(month, errors)
    if errors:
        raise InvalidInput(errors)
    pending = CoverEnding.objects.filter(
        to_sponsor=receiver, state=State.PENDING, ended_month=str(period), sponsor_id=from_sponsor
    )
    count = pending.update(state=State.DONE if accept else State.DECLINED)
    if count == 0:
        raise InvalidInput.single(
            "from_sponsor", _("No members are waiting to be accepted from this sponsor.")
        )
    audit_record(
        actor=actor,
        action="cover_move_accept" if accept else "cover_move_decline",
        instance=receiver,
        changes={"from_sponsor": str(from_sponsor), "month": str(period), "members": count},
    )
    return {"accepted": accept, "members": count}


@transaction.atomic
def cover_endings_apply(*, actor: Any = SYSTEM, today: dt.date | None = None) -> dict[str, int]:
    """Make the decisions whose last sponsored month is over take effect: a conversion makes the member
    self-paid, an accepted move gives the member to the new sponsor. A constant number of statements."""
    require(actor, Perm.SPONSORSHIP_ALERT)  # the daily run (SYSTEM), or a national admin
    current = str(Period.of(today or timezone.localdate()))
    ready = CoverEnding.objects.filter(state=State.DONE, applied_at=None, ended_month__lt=current)
    converted = ready.filter(action=Action.CONVERT)
    moved = ready.filter(action=Action.MOVE)
    now = timezone.now()
    n_conv = Membership.objects.filter(
        pk__in=converted.values("membership_id"), payer_kind=Membership.PayerKind.SPONSOR
    ).update(payer_kind=Membership.PayerKind.SELF, sponsor=None, updated_at=now)
    persons = list(moved.values_list("person_id", flat=True)) + list(
        converted.values_list("person_id", flat=True)
    )
    n_move = 0
    if moved.exists():
        m = table(Membership)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""UPDATE {m} SET sponsor_id = (SELECT c.to_sponsor_id FROM {table(CoverEnding)} c
                    WHERE c.membership_id = {m}.id AND c.action = %s AND c.state = %s
                    AND c.applied_at IS NULL AND c.ended_month < %s ORDER BY c.id DESC LIMIT 1),
                    updated_at = %s
                WHERE id IN (SELECT membership_id FROM {table(CoverEnding)} WHERE action = %s AND state = %s
                    AND applied_at IS NULL AND ended_month < %s)""",
                [Action.MOVE, State.DONE, current, now, Action.MOVE, State.DONE, current],
            )
            n_move = cursor.rowcount
    ready.filter(action__in=[Action.CONVERT, Action.MOVE]).update(applied_at=now)
    if persons:
        scope_keys_refresh(persons)
        audit_record(
            actor=actor,
            action="cover_endings_apply",
            entity="sponsorship.coverending",
            changes={"converted": n_conv, "moved": n_move},
        )
    return {"converted": n_conv, "moved": n_move}
