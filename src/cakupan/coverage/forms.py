from __future__ import annotations

from functools import partial

from django import forms
from django.utils.translation import gettext_lazy as _

from cakupan.core import labels
from cakupan.coverage.services.targets import SEGMENTS


class TargetForm(forms.Form):
    region = forms.CharField(label=_("Region code"), required=False, help_text=_("e.g. 35.73"))
    branch_office = forms.CharField(label=_("or branch office code"), required=False)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    segment = forms.ChoiceField(
        label=_("Segment"), required=False, choices=[(s, s or _("all segments")) for s in SEGMENTS]
    )
    target = forms.IntegerField(label=_("Target (active participants)"), min_value=1)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class TargetUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Targets CSV"), help_text=_("Columns: region or branch_office, year, segment, target, note.")
    )


class WorkforceUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Workforce statistics (CSV or XLSX)"),
        help_text=_(
            "Columns: region_code, year, survey_month (2 or 8), employed, formal, informal; optional "
            "labour_force, public_servants, sector_*, source, synthetic."
        ),
    )
    source = forms.CharField(
        label=_("Source"), required=False, max_length=300, help_text=_("For rows that name no source.")
    )


class PlannerForm(forms.Form):
    region = forms.CharField(label=_("Region code"), required=False)
    period = forms.CharField(label=_("Coverage month"), required=False, help_text=_("YYYY-MM"))
    category = forms.ChoiceField(
        label=_("Category"), choices=partial(labels.choices, "gap_category"), required=False
    )
    workers = forms.IntegerField(label=_("Workers to cover"), min_value=1, max_value=100_000_000)
    start = forms.RegexField(label=_("First month"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", help_text=_("YYYY-MM"))
    months = forms.IntegerField(label=_("Months"), min_value=1, max_value=60)
