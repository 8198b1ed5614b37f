"""One payer per person per month, at import (issue 15 point 5): the persons a roster or target-list
enrolment for one sponsor would give a second payer, with the sponsor already paying for them.

A sponsor "already pays" a person for a month when it holds a membership of theirs, paid by a sponsor (or
by the APBN), begun by that month's last day and not ended before its first day. Target-list enrolment
calls this once per list (one query, whatever the number of NIKs) and refuses those rows naming the
sponsor; the roster import refuses a member of the segment paid by another sponsor in its own decision set
(enrolment/services/merge.py, reason `membership_other_sponsor`, naming the sponsor too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cakupan.registry.models import Membership
from cakupan.rules.period import Period

APBN = "APBN"  # the name of the state budget as a payer (no sponsor row)


def _paying(first_day: dt.date) -> Q:
    return (
        Q(
            payer_kind__in=[Membership.PayerKind.SPONSOR, Membership.PayerKind.GOVERNMENT],
            start_date__lte=Period.of(first_day).last_day,
        )
        & ~Q(end_date__lt=first_day)
        & ~Q(status=Membership.Status.ENDED, end_date__isnull=True)
    )


class OtherPayer(NamedTuple):
    sponsor_id: int | None  # None: the APBN
    name: str


def other_payers(niks: Iterable[str], *, sponsor_id: int | None, start: dt.date) -> dict[str, OtherPayer]:
    """NIK -> the sponsor (or the APBN) already paying for that person from `start`'s month on, for the
    NIKs another payer than `sponsor_id` pays. One query."""
    wanted = sorted({n for n in niks if n})
    if not wanted:
        return {}
    first_day = start.replace(day=1)
    rows = (
        Membership.objects.filter(_paying(first_day), person__nik__in=wanted)
        .exclude(Q(sponsor_id=sponsor_id) if sponsor_id is not None else Q(pk__in=[]))
        .exclude(status=Membership.Status.INACTIVE)
        .order_by("person__nik", "sponsor__name")
        .values_list("person__nik", "sponsor_id", "sponsor__name")
    )
    found: dict[str, OtherPayer] = {}
    for nik, other_id, name in rows:
        found.setdefault(nik, OtherPayer(other_id, name or APBN))
    return found


def refusal(name: str) -> str:
    """The row error of a refused person, naming the sponsor that already pays (as the import's reason)."""
    return str(_("Already paid for these months by another sponsor: %(sponsor)s.")) % {"sponsor": name}
