from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RosterForm(forms.Form):
    file = forms.FileField(label=_("Roster file (.xlsx, .xls, .ods, .csv)"))
    as_ = forms.CharField(
        label=_("Import for"),
        help_text=_("employer:NPP, sponsor:ID or agency:ID"),
        max_length=40,
    )
    segment = forms.ChoiceField(
        label=_("Segment"),
        choices=[("", _("default")), ("PU", "PU"), ("BPU", "BPU")],
        required=False,
    )
    dry_run = forms.BooleanField(label=_("Check only (dry run)"), required=False)
