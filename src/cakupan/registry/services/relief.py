"""PP 49/2020 relief on the registry: which employers qualified for the JP deferral (rules.md §2.7)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.core.audit import audit_record
from cakupan.core.errors import InvalidInput, NotInScope
from cakupan.registry.models import Employer
from cakupan.registry.selectors import employer_list


@transaction.atomic
def employer_jp_deferral_set(*, actor: Any, employer: Employer, qualifies: Any) -> Employer:
    """Mark (or unmark) an employer as deferring 99 % of JP for August 2020 - January 2021 (PP 49/2020);
    billing reads the mark for those months only."""
    scope = require(actor, Perm.EMPLOYER_WRITE)
    if not employer_list(user=actor, scope=scope).filter(pk=employer.pk).exists():
        raise NotInScope
    if not isinstance(qualifies, bool):
        raise InvalidInput.single("qualifies", _("Enter true or false."))
    before = employer.jp_deferral_pp49
    if before != qualifies:
        Employer.objects.filter(pk=employer.pk).update(jp_deferral_pp49=qualifies)
        employer.jp_deferral_pp49 = qualifies
        audit_record(
            actor=actor, action="update", instance=employer, changes={"jp_deferral_pp49": [before, qualifies]}
        )
    return employer
