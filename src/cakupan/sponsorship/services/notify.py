"""E-mail to the people who act for a sponsor (issue 15): its own users and the staff of the branch offices
serving its regency. Who may act is the permission table's answer (accounts.permissions.GRANTS, one place):
the users of the roles granted `perm` that are tied to this sponsor or to such an office; a role tied to
neither (a national administrator, a partner agency) is not mailed. Written in Indonesian, whatever the
language of the request that caused it: the readers are Indonesian offices."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from cakupan.accounts.permissions import Perm, roles_with
from cakupan.core import display
from cakupan.registry.models import Sponsor

LANG = "id"


def recipients(sponsor: Sponsor, perm: Perm) -> list[str]:
    """E-mail addresses of the active users of the roles granted `perm` tied to `sponsor` or to an office
    serving its regency. One query."""
    regency = sponsor.region_id[:5]
    users = (
        get_user_model()
        .objects.filter(is_active=True, role__in=sorted(roles_with(perm)))
        .exclude(email="")
        .filter(Q(sponsor=sponsor) | Q(branch_office__regions__code=regency))
    )
    return sorted(set(users.values_list("email", flat=True)))


def move_waiting(*, giver: Sponsor, receiver: Sponsor, month: str, members: int) -> None:
    """Members handed over to `receiver` wait for its acceptance: its users and its office are told by
    e-mail (the home queue shows the same), once the decision has committed."""

    def send() -> None:
        to = recipients(receiver, Perm.SPONSORSHIP_ACCEPT)
        if not to:
            return
        with translation.override(LANG):
            words = {
                "giver": giver.name,
                "receiver": receiver.name,
                "members": display.count(members, lang=LANG),
                "month": display.month(month, lang=LANG),
            }
            subject = _("%(receiver)s: %(members)s members handed over by %(giver)s await acceptance") % words
            body = (
                _(
                    "%(giver)s hands over %(members)s members whose sponsored cover ends with %(month)s "
                    "to %(receiver)s. Accept or decline them on the Cakupan home page: until %(receiver)s "
                    "accepts, their cover does not move, and if it declines, %(giver)s decides again."
                )
                % words
            )
        send_mail(subject, body, None, to, fail_silently=False)

    transaction.on_commit(send)


def runway_alert(*, sponsor: Sponsor, ends_money: bool, ends_on: Any, days: int) -> list[str]:
    """A runway alert (services/alerts.py) to the sponsor's users and its office; the addresses mailed."""
    to = recipients(sponsor, Perm.SPONSORSHIP_READ)
    if not to:
        return []
    with translation.override(LANG):
        what = _("the money") if ends_money else _("the funded period")
        words = {
            "sponsor": sponsor.name,
            "what": what,
            "date": display.date(ends_on, lang=LANG),
            "days": days,
        }
        subject = _("%(sponsor)s: %(what)s ends on %(date)s") % words
        body = (
            _(
                "Sponsored cover of %(sponsor)s ends in %(days)s days or less (%(date)s), when %(what)s "
                "ends. Renew the funding, move the members to another sponsor or convert them to self-paid "
                "before then."
            )
            % words
        )
    send_mail(subject, body, None, to, fail_silently=False)
    return to
