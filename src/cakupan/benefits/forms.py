"""Page forms of the claim workflow (the services check everything again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cakupan.benefits.models import BENEFIT_CHOICES, ClaimantKind
from cakupan.core import labels


class ClaimForm(forms.Form):
    person = forms.IntegerField(label=_("Person (id)"))
    benefit = forms.ChoiceField(label=_("Benefit"), choices=BENEFIT_CHOICES)
    event_date = forms.DateField(label=_("Event date"), widget=forms.DateInput(attrs={"type": "date"}))
    claimant_kind = forms.ChoiceField(label=_("Claimant"), choices=ClaimantKind.choices)
    claimant_name = forms.CharField(label=_("Claimant name"), required=False, max_length=160)
    children = forms.IntegerField(label=_("Children"), required=False, min_value=0, max_value=20)
    end_reason = forms.ChoiceField(
        label=_("How the job ended (JKP)"),
        required=False,
        choices=lambda: [("", "—"), *labels.choices("end_reason")],
    )
    compliance_wage = forms.IntegerField(
        label=_("Wage in compliance data (optional)"), required=False, min_value=1
    )


class RejectForm(forms.Form):
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))


class PayForm(forms.Form):
    payment_reference = forms.CharField(label=_("Payment reference"), max_length=64)
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
