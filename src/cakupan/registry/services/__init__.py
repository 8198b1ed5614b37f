"""Writes to the registry. Each service validates, writes in one transaction and records an audit event.

Every check that fails raises `InvalidInput` naming the field; nothing is written then. The services are
split by topic; import them from here (`from cakupan.registry import services`).
"""

from cakupan.registry.services._common import (
    EMPLOYER_FIELDS,
    EMPLOYMENT_FIELDS,
    MEMBERSHIP_FIELDS,
    PERSON_FIELDS,
    SPONSOR_FIELDS,
)
from cakupan.registry.services.employers import employer_register, employer_update
from cakupan.registry.services.employment import employment_start, employment_update, worker_register
from cakupan.registry.services.memberships import kpj_new, membership_end, membership_enrol
from cakupan.registry.services.persons import person_register, person_update
from cakupan.registry.services.sponsors import sponsor_income_basis_set, sponsor_register

__all__ = [
    "EMPLOYER_FIELDS",
    "EMPLOYMENT_FIELDS",
    "MEMBERSHIP_FIELDS",
    "PERSON_FIELDS",
    "SPONSOR_FIELDS",
    "employer_register",
    "employer_update",
    "employment_start",
    "employment_update",
    "kpj_new",
    "membership_end",
    "membership_enrol",
    "person_register",
    "person_update",
    "sponsor_income_basis_set",
    "sponsor_register",
    "worker_register",
]
