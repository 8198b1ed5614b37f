"""The office's agreement forms: create and edit an agreement, add a KPI, tick an obligation, upload a
document. Choices come from the user's scope; the services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.scope import Scope
from cakupan.core.labels import label
from cakupan.partners.kpis import definitions
from cakupan.partners.models import Agreement, Obligation, PartnerAgency
from cakupan.regions.models import BranchOffice, Region
from cakupan.registry.forms import RegistryForm
from cakupan.registry.models import Segment, Sponsor


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _regions(scope: Scope) -> list[tuple[str, str]]:
    """The regencies an office serves; for the national administrator those of every branch office (the
    agreement's region must be one its office serves, services/agreements.py)."""
    rows = Region.objects.filter(level=2)
    if scope.everything:
        rows = rows.filter(branch_offices__isnull=False).distinct()
    else:
        rows = rows.filter(code__in=scope.regency_codes)
    return [(r.code, r.name) for r in rows.order_by("name")[:600]]


def _choices(form: forms.Form, name: str, values: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = values


class AgreementForm(RegistryForm):
    number = forms.CharField(label=_("agreement number"), max_length=80)
    title = forms.CharField(label=_("title"), max_length=200)
    branch_office = forms.ChoiceField(label=_("branch office"), required=False)
    region = forms.ChoiceField(label=_("regency or city"))
    signed_on = forms.DateField(label=_("signed on"), required=False, widget=_date_input())
    valid_from = forms.DateField(label=_("valid from"), widget=_date_input())
    valid_to = forms.DateField(label=_("valid until"), widget=_date_input())
    agencies = forms.MultipleChoiceField(
        label=_("partner agencies"), required=False, widget=forms.CheckboxSelectMultiple
    )
    association = forms.CharField(label=_("association (name)"), max_length=200, required=False)
    segments = forms.MultipleChoiceField(
        label=_("segments"), required=False, widget=forms.CheckboxSelectMultiple
    )
    obligations = forms.MultipleChoiceField(
        label=_("obligations"), required=False, widget=forms.CheckboxSelectMultiple
    )
    sections = [
        (
            _("Agreement"),
            ["number", "title", "branch_office", "region", "signed_on", "valid_from", "valid_to"],
        ),
        (_("Parties"), ["agencies", "association"]),
        (_("Scope and obligations"), ["segments", "obligations"]),
    ]

    def __init__(self, *args: Any, scope: Scope, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "region", _regions(scope))
        _choices(self, "segments", [(code, label("segment", code)) for code in Segment.values])
        _choices(self, "obligations", list(Obligation.Kind.choices))
        agencies = PartnerAgency.objects.filter(scope.agencies()).order_by("name")
        _choices(self, "agencies", [(str(a.pk), a.name) for a in agencies[:200]])
        if scope.everything:
            offices = BranchOffice.objects.order_by("name")
            _choices(self, "branch_office", [(str(o.pk), o.name) for o in offices])
        else:
            del self.fields["branch_office"]
        if editing:
            for name in ("number", "branch_office", "agencies", "association", "obligations"):
                self.fields.pop(name, None)

    @staticmethod
    def initial_from(agreement: Agreement) -> dict[str, Any]:
        return {
            "title": agreement.title,
            "region": agreement.region_id,
            "signed_on": agreement.signed_on,
            "valid_from": agreement.valid_from,
            "valid_to": agreement.valid_to,
            "segments": agreement.segments,
        }

    def create_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        parties: list[dict[str, Any]] = [{"kind": "agency", "id": pk} for pk in data.pop("agencies", [])]
        association = data.pop("association", "").strip()
        if association:
            parties.append({"kind": "association", "name": association})
        data["parties"] = parties
        data["obligations"] = [{"kind": kind} for kind in data.pop("obligations", [])]
        return data


class KpiForm(forms.Form):
    key = forms.ChoiceField(label=_("KPI"))
    region = forms.ChoiceField(label=_("regency or city"), required=False)
    segment = forms.ChoiceField(label=_("segment"), required=False)
    sector = forms.CharField(label=_("sector"), max_length=30, required=False)
    sponsor = forms.ChoiceField(label=_("sponsor"), required=False)
    baseline = forms.DecimalField(label=_("baseline"), min_value=0, decimal_places=1, max_digits=14)
    target = forms.DecimalField(label=_("target"), min_value=0, decimal_places=1, max_digits=14)

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "key", [(key, str(d.label)) for key, d in definitions().items() if not d.placeholder])
        _choices(self, "region", [("", _("the agreement's")), *_regions(scope)])
        _choices(
            self,
            "segment",
            [("", _("all segments"))] + [(code, label("segment", code)) for code in Segment.values],
        )
        sponsors = Sponsor.objects.filter(scope.sponsors()).order_by("name")[:200]
        _choices(self, "sponsor", [("", "—")] + [(str(s.pk), s.name) for s in sponsors])


class MarkForm(forms.Form):
    period = forms.CharField(max_length=7)
    done = forms.BooleanField(required=False)
    note = forms.CharField(max_length=300, required=False)


class StatusForm(forms.Form):
    status = forms.CharField(max_length=10)
    signed_on = forms.DateField(required=False)


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("PDF file"))
    title = forms.CharField(label=_("title"), max_length=200, required=False)
