"""Page forms of the claim workflow (the services check everything again).

The claim form asks for the event in plain words (claim_events.py) and only the fields that event needs;
a member filing their own claim is not asked who they are or who claims. Every error is a field's, in the
user's language (a calculator message has no translation of its own: see `ClaimForm.add_service_errors`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from cakupan.benefits.claim_events import BY_CODE, DETAIL_INPUTS, ClaimEventKind
from cakupan.benefits.models import ClaimantKind
from cakupan.core.errors import InvalidInput

END_REASON_LABELS = {
    "dismissal": _("dismissed by the employer"),
    "contract_terminated_early": _("fixed-term contract ended early by the employer"),
    "resignation": _("I resigned"),
    "contract_end": _("fixed-term contract ended on its date"),
    "total_disability": _("total permanent disability"),
    "retirement": _("retirement"),
    "death": _("death"),
}
STAFF_ONLY = ("person", "claimant_kind", "claimant_name", "compliance_wage")


class ClaimForm(forms.Form):
    person = forms.CharField(
        label=_("Member's NIK or KPJ number"),
        max_length=20,
        help_text=_("16 digits of the NIK, or the 11-digit membership (KPJ) number."),
    )
    event = forms.ChoiceField(label=_("What happened?"), widget=forms.RadioSelect)
    event_date = forms.DateField(
        label=_("When did it happen?"),
        help_text=_("The last working day, the day of the accident or the day of death."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    months_unable = forms.IntegerField(
        label=_("Months unable to work"),
        required=False,
        min_value=1,
        max_value=600,
        help_text=_("As the doctor's statement says; count a started month as a whole one."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    disability_percent = forms.IntegerField(
        label=_("Disability percentage on the doctor's statement"),
        required=False,
        min_value=1,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    end_reason = forms.ChoiceField(
        label=_("How did the job end?"),
        required=False,
        choices=[("", "—"), *END_REASON_LABELS.items()],
    )
    children = forms.IntegerField(
        label=_("Children under 23 (for the scholarship)"),
        required=False,
        min_value=0,
        max_value=20,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    school_levels = forms.CharField(
        label=_("School level of each child"),
        required=False,
        max_length=60,
        help_text=_("One level per child, separated by commas: TK, SD, SMP, SMA or PT (university)."),
    )
    balance = forms.IntegerField(
        label=_("Balance on your latest JHT statement, in Rupiah (optional)"),
        required=False,
        min_value=0,
        help_text=_("Left empty, it is estimated from the contributions on record."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    medical_cost = forms.IntegerField(
        label=_("Medical costs paid so far, in Rupiah (optional)"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    claimant_kind = forms.ChoiceField(label=_("Who claims?"), choices=ClaimantKind.choices)
    claimant_name = forms.CharField(
        label=_("Name of the heir who claims"),
        required=False,
        max_length=160,
    )
    compliance_wage = forms.IntegerField(
        label=_("Wage in compliance data (optional)"), required=False, min_value=1
    )

    def __init__(
        self,
        *args: Any,
        events: tuple[ClaimEventKind, ...],
        own_claim: bool,
        claimant_kinds: tuple[str, ...],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.events = events
        self.own_claim = own_claim
        self.fields["event"].choices = [  # type: ignore[attr-defined]
            (e.code, e.label_for(own_claim=own_claim)) for e in events
        ]
        if own_claim:
            for name in STAFF_ONLY:
                del self.fields[name]
        else:
            self.fields["balance"].label = _("Balance on the latest JHT statement, in Rupiah (optional)")
            if len(claimant_kinds) <= 1:
                del self.fields["claimant_kind"]
                del self.fields["claimant_name"]
            else:
                self.fields["claimant_kind"].choices = [  # type: ignore[attr-defined]
                    (k, label) for k, label in ClaimantKind.choices if k in claimant_kinds
                ]
        self.claimant_kinds = claimant_kinds

    def shown_for(self, name: str) -> str:
        """data-show-when of a detail input: the events that ask for it (web/static/web/site.js)."""
        codes = [e.code for e in self.events if name in e.required or name in e.optional]
        return "event:" + ",".join(codes) if codes else ""

    def detail_fields(self) -> list[dict[str, Any]]:
        return [{"bf": self[name], "show_when": self.shown_for(name)} for name in DETAIL_INPUTS]

    def clean_school_levels(self) -> list[str] | None:
        """ "sd, SMP" -> ["SD", "SMP"]; the calculator checks the levels."""
        text = self.cleaned_data.get("school_levels") or ""
        levels = [part.strip().upper() for part in text.replace(";", ",").split(",") if part.strip()]
        return levels or None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        event = BY_CODE.get(data.get("event") or "")
        if event is None:
            return data
        for name in event.required:
            if data.get(name) in (None, ""):
                self.add_error(name, gettext("Needed for this claim."))
        kind = data.get("claimant_kind")
        if event.heir and kind == ClaimantKind.WORKER:
            self.add_error("claimant_kind", gettext("The member died: an heir or the employer claims."))
        if kind == ClaimantKind.HEIR and not (data.get("claimant_name") or "").strip():
            self.add_error("claimant_name", gettext("Give the heir's name."))
        return data

    @property
    def event_kind(self) -> ClaimEventKind:
        return BY_CODE[self.cleaned_data["event"]]

    def details(self) -> dict[str, Any]:
        """What the claim adds to the calculator's request: the event's fixed details and its inputs."""
        event = self.event_kind
        asked = (*event.required, *event.optional)
        values = {k: self.cleaned_data.get(k) for k in asked}
        return {**event.fixed, **{k: v for k, v in values.items() if v not in (None, "")}}

    def claimant(self) -> str:
        if self.own_claim:
            return ClaimantKind.WORKER
        chosen = self.cleaned_data.get("claimant_kind")
        return str(chosen) if chosen else self.claimant_kinds[0]

    def add_service_errors(self, exc: InvalidInput) -> None:
        """Each service error at a field of this form: a detail at its input, what the event decides
        (benefit, claim reason, details this form does not ask for) at the event. A message of the pure
        calculator is English by design (rules/ has no Django): it is shown translated when the catalogue
        knows it, else as a general request to check the field."""
        for error in exc.errors:
            name = error.field.removeprefix("details.")
            if name not in self.fields:
                name = "event"
            message = error.message
            if isinstance(message, str) and not (get_language() or "").startswith("en"):
                translated = gettext(message)
                message = translated if translated != message else gettext("Check this value.")
            self.add_error(name, message)


class RejectForm(forms.Form):
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))


class PayForm(forms.Form):
    payment_reference = forms.CharField(label=_("Payment reference"), max_length=64)
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
