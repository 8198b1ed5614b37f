"""Forms of the outreach pages. They parse types only; the services decide what is allowed, and their
`InvalidInput` goes back onto the form next to each field (`add_service_errors`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cakupan.outreach.models import Audience, Event
from cakupan.registry.forms import BLANK, RegistryForm, _date_input, _lookup_input

# UU 27/2022 (Pelindungan Data Pribadi) Pasal 20 ayat (2) huruf a and Pasal 22: consent is explicit, for
# a stated purpose, and can be withdrawn (Pasal 40).
CONSENT_TEXT = _(
    "I agree that BPJS Ketenagakerjaan processes the data above to contact me and register me as a "
    "participant, in line with Law 27/2022 on Personal Data Protection. I can withdraw this consent at any "
    "time by contacting the branch office."
)


class SignUpForm(RegistryForm):
    nik = forms.CharField(
        label=_("NIK"),
        max_length=40,
        help_text=_("The 16 digits on your KTP."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    full_name = forms.CharField(
        label=_("full name"), max_length=160, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    birth_date = forms.DateField(label=_("birth date"), widget=_date_input())
    sex = forms.ChoiceField(
        label=_("sex"), choices=[("L", _("male")), ("P", _("female"))], widget=forms.RadioSelect
    )
    phone = forms.CharField(
        label=_("phone"),
        max_length=20,
        help_text=_("WhatsApp or mobile, e.g. 081234567890."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "type": "tel"}),
    )
    occupation = forms.CharField(
        label=_("occupation"), max_length=100, help_text=_("e.g. vegetable trader, fisher, farm labourer.")
    )
    consent = forms.BooleanField(label=CONSENT_TEXT, required=False)

    def service_data(self) -> dict[str, Any]:
        """What the service reads: the parsed values where they parsed, the raw text where not (the
        service then names the field)."""
        data = {name: self.data.get(name, "") for name in self.fields}
        data.update(dict(getattr(self, "cleaned_data", {})))
        data["consent"] = bool(getattr(self, "cleaned_data", {}).get("consent"))
        return data


class EventForm(RegistryForm):
    name = forms.CharField(label=_("name"), max_length=160)
    place = forms.CharField(label=_("place"), max_length=200, help_text=_("e.g. Pasar Kepanjen, hall"))
    region = forms.CharField(
        label=_("region"),
        max_length=8,
        help_text=_("Code of the regency/city or district, e.g. 35.07.01. Type a name to look it up."),
        widget=_lookup_input("region_options", "region-options"),
    )
    date = forms.DateField(label=_("date"), widget=_date_input())
    audience = forms.ChoiceField(label=_("audience"), choices=BLANK + Audience.choices)
    partner = forms.TypedChoiceField(label=_("partner agency"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=_("status"), choices=Event.Status.choices, initial=Event.Status.PLANNED)

    def __init__(self, *args: Any, partners: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = BLANK + list(partners)  # type: ignore[attr-defined]


class ConvertForm(forms.Form):
    payer = forms.ChoiceField(
        label=_("who pays"),
        choices=[("self", _("the worker (self-paid)")), ("sponsor", _("a sponsor"))],
        initial="self",
        widget=forms.RadioSelect,
    )
    sponsor = forms.TypedChoiceField(label=_("sponsor"), coerce=int, required=False, empty_value=None)
    start_date = forms.DateField(
        label=_("start date"), required=False, widget=_date_input(), help_text=_("The first day of a month.")
    )

    def __init__(self, *args: Any, sponsors: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["sponsor"].choices = BLANK + list(sponsors)  # type: ignore[attr-defined]
