from __future__ import annotations

from typing import Any

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

    def __init__(self, *args: Any, payer_fixed: bool = False, **kwargs: Any) -> None:
        """`payer_fixed`: the user acts for one employer, sponsor or agency only; "for whom" and the
        segment (which follows from it) are not asked."""
        super().__init__(*args, **kwargs)
        if payer_fixed:
            self.fields["as_"].widget = forms.HiddenInput()
            self.fields["segment"].widget = forms.HiddenInput()


class ReportFilter(forms.Form):
    """The report page's filter: the rows of one status."""

    status = forms.ChoiceField(
        label=_("Show"),
        choices=[
            ("", _("All rows")),
            ("rejected", _("Rejected")),
            ("warning", _("With warnings")),
            ("held", _("Held for branch review")),
            ("imported", _("Imported")),
            ("updated", _("Updated")),
            ("unchanged", _("Unchanged")),
        ],
        required=False,
    )
