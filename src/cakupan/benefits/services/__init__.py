"""Writes of the benefits app: the claim workflow and notifications."""

from cakupan.benefits.services.claims import (
    claim_approve,
    claim_pay,
    claim_reject,
    claim_submit,
    claim_verify,
)
from cakupan.benefits.services.notifications import notification_mark_read

__all__ = [
    "claim_approve",
    "claim_pay",
    "claim_reject",
    "claim_submit",
    "claim_verify",
    "notification_mark_read",
]
