"""Forms of the office's field pages: they parse; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cakupan.contributions.services.payments import MAX_AMOUNT
from cakupan.field.models import Conflict


class AgentRegisterForm(forms.Form):
    username = forms.CharField(label=_("user name"), max_length=150)
    full_name = forms.CharField(label=_("full name"), max_length=150)
    password = forms.CharField(label=_("password"), widget=forms.PasswordInput, min_length=8, max_length=128)
    regions = forms.MultipleChoiceField(label=_("regions served"), widget=forms.CheckboxSelectMultiple)


class DepositForm(forms.Form):
    agent = forms.TypedChoiceField(label=_("agent"), coerce=int)
    amount = forms.IntegerField(label=_("amount (Rp)"), min_value=1, max_value=MAX_AMOUNT)
    deposited_on = forms.DateField(label=_("deposited on"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("reference"), max_length=64)


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("resolution"),
        choices=[
            (Conflict.Resolution.KEPT, Conflict.Resolution.KEPT.label),
            (Conflict.Resolution.REASSIGNED, Conflict.Resolution.REASSIGNED.label),
        ],
    )
    note = forms.CharField(label=_("note"), required=False, max_length=1000)
