"""The branch office's decisions on roster rows held for review (linking.py): approve, and the person is
linked as the row asked (employment and membership through the registry's services); reject, and nothing
is linked. One transaction and one audit event per decision, besides the registry's own events."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.core.audit import audit_record
from cakupan.core.errors import InvalidInput, NotInScope
from cakupan.enrolment.models import LinkReview
from cakupan.enrolment.selectors import link_review_list
from cakupan.registry.models import Membership, Segment
from cakupan.registry.services import employment_start, membership_enrol


def _pending(actor: Any, review: LinkReview) -> LinkReview:
    scope = require(actor, Perm.LINK_REVIEW)
    try:
        # Locked: two reviewers deciding at once must not both link.
        locked = link_review_list(user=actor, scope=scope).select_for_update(of=("self",)).get(pk=review.pk)
    except LinkReview.DoesNotExist as exc:
        raise NotInScope from exc
    if locked.status != LinkReview.Status.PENDING:
        raise InvalidInput.single("status", _("This row has already been decided."))
    return locked


_ACTIONS: dict[str, str] = {LinkReview.Status.APPROVED: "approve", LinkReview.Status.REJECTED: "reject"}


def _decided(actor: Any, review: LinkReview, status: str) -> LinkReview:
    review.status = status
    review.decided_by = actor
    review.decided_at = timezone.now()
    review.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action=_ACTIONS[status],
        instance=review,
        changes={
            "status": status,
            "person": review.person_id,
            "roster_import": review.roster_import_id,
            "row": review.row_number,
        },
    )
    return review


@transaction.atomic
def link_review_approve(*, actor: Any, review: LinkReview) -> LinkReview:
    """Links the person as the held row asked: for an employer, an employment with the row's wage and a
    PU membership through it; for a sponsor, a BPU membership it pays; for a self-paid row, a BPU
    membership the worker pays. The registry's services check
    the reviewer's scope and the registry's rules (an open employment or an active membership already
    there is a field error, and nothing is written)."""
    review = _pending(actor, review)
    programs = [p for p in review.programs.split(",") if p]
    if review.employer_id is not None:
        employment = employment_start(
            actor=actor,
            person=review.person,
            employer=review.employer_id,
            start_date=review.start_date,
            basic_wage=review.basic_wage or 0,
            fixed_allowance=review.fixed_allowance,
        )
        membership_enrol(
            actor=actor,
            person=review.person,
            segment=Segment.PU,
            programs=programs,
            start_date=review.start_date,
            payer_kind=Membership.PayerKind.EMPLOYER,
            employer=review.employer_id,
            employment=employment,
        )
    else:
        membership_enrol(
            actor=actor,
            person=review.person,
            segment=review.segment,
            programs=programs,
            start_date=review.start_date,
            payer_kind=Membership.PayerKind.SELF if review.self_paid else Membership.PayerKind.SPONSOR,
            sponsor=None if review.self_paid else review.sponsor_id,
            declared_income=review.declared_income,
            bpu_sector=review.bpu_sector,
        )
    return _decided(actor, review, LinkReview.Status.APPROVED)


@transaction.atomic
def link_review_reject(*, actor: Any, review: LinkReview) -> LinkReview:
    return _decided(actor, _pending(actor, review), LinkReview.Status.REJECTED)
