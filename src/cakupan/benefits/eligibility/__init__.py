"""Eligibility of a person for a benefit, decided from the registry and the contributions on record."""

from cakupan.benefits.eligibility.assess import PROGRAMME_OF, Eligibility, eligibility_assess

__all__ = ["PROGRAMME_OF", "Eligibility", "eligibility_assess"]
