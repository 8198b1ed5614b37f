"""Forms of the registry pages. They parse types only; the services decide what is allowed.

A service's `InvalidInput` goes back onto the form with `RegistryForm.add_service_errors`, so the user sees
each message next to the field it is about.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.core import display
from cakupan.core.errors import InvalidInput
from cakupan.regions.models import BranchOffice
from cakupan.registry import selectors
from cakupan.registry.models import (
    PROGRAMS_BY_SEGMENT,
    Citizenship,
    Employer,
    Employment,
    Membership,
    Program,
    Segment,
    Sex,
)
from cakupan.registry.nik import nik_normalise
from cakupan.rules.contributions import contribution_tables
from cakupan.rules.period import Period

BLANK: list[tuple[str, Any]] = [("", "—")]


def employer_pk_for_npp(user: Any, npp: str | None) -> int | None:
    """The id of the employer with this NPP among those the user may act for; empty -> None."""
    npp = (npp or "").strip().upper()
    if not npp:
        return None
    found = selectors.employer_list(user=user).filter(npp=npp).values_list("pk", flat=True).first()
    if found is None:
        raise forms.ValidationError(_("Unknown NPP, or an employer you may not act for."))
    return found


def _lookup_input(url_name: str, datalist: str) -> forms.TextInput:
    """A text input whose suggestions (a <datalist>) are fetched with htmx as the user types."""
    return forms.TextInput(
        attrs={
            "list": datalist,
            "autocomplete": "off",
            "hx-get": reverse_lazy(url_name),
            "hx-trigger": "input changed delay:250ms",
            "hx-target": f"#{datalist}",
            "hx-swap": "innerHTML",
        }
    )


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RupiahField(forms.IntegerField):
    """Whole Rupiah. People type "4.500.000" or "Rp 4.500.000": dots and spaces are thousands separators."""

    default_error_messages = {"invalid": _("Enter a whole number of Rupiah, e.g. 4.500.000.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            text = value.strip()
            if text[:2].lower() == "rp":
                text = text[2:]
            value = text.replace(".", "").replace(" ", "").replace("\u00a0", "")
        return super().to_python(value)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            # Grouped with dots in either language: `to_python` reads dots as thousands separators.
            return display.count(value, lang="id")
        return value


class RegistryForm(forms.Form):
    """A form drawn in titled sections, with fields that depend on other fields' values."""

    required_css_class = "required"
    sections: ClassVar[list[tuple[Any, list[str]]]] = []
    # field name -> "other_field:value1,value2;other:value" (see web/static/web/site.js)
    show_when: ClassVar[dict[str, str]] = {}

    def groups(self) -> list[dict[str, Any]]:
        sections = self.sections or [("", list(self.fields))]
        return [
            {
                "title": title,
                "fields": [
                    {"bf": self[name], "show_when": self.show_when.get(name, "")}
                    for name in names
                    if name in self.fields
                ],
            }
            for title, names in sections
        ]

    def add_service_errors(self, exc: InvalidInput) -> None:
        for error in exc.errors:
            field = error.field if error.field in self.fields else None
            self.add_error(field, str(error.message))


# --- sponsors ------------------------------------------------------------------------------------


class SponsorIncomeBasisForm(RegistryForm):
    """Text in, the service checks the amount (whole Rupiah from the lowest BPU level, or empty)."""

    income_basis = forms.CharField(label=_("monthly income basis (Rp)"), required=False, max_length=20)

    def __init__(self, *args: Any, lowest: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["income_basis"].help_text = _(
            "For members whose roster gives no income. Empty: the lowest BPU level, %(lowest)s."
        ) % {"lowest": display.rupiah(lowest)}
        self.fields["income_basis"].widget.attrs["inputmode"] = "numeric"

    def clean_income_basis(self) -> str | None:
        text = "".join(self.cleaned_data["income_basis"].split()).replace(".", "")
        return text.removeprefix("Rp") or None


# --- employers -----------------------------------------------------------------------------------


class EmployerForm(RegistryForm):
    npp = forms.CharField(label=_("NPP"), max_length=20)
    nib = forms.CharField(
        label=_("NIB"), max_length=13, required=False, help_text=_("13 digits, from OSS (optional).")
    )
    name = forms.CharField(label=_("name"), max_length=200)
    legal_form = forms.ChoiceField(label=_("legal form"), choices=BLANK + Employer.LegalForm.choices)
    size_class = forms.ChoiceField(label=_("size class"), choices=BLANK + Employer.SizeClass.choices)
    kbli = forms.CharField(
        label=_("sector (KBLI)"),
        max_length=5,
        help_text=_("5-digit KBLI 2020 code."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    risk_class = forms.TypedChoiceField(
        label=_("JKK risk class"),
        coerce=int,
        choices=[
            ("", "—"),
            (1, _("1 very low")),
            (2, _("2 low")),
            (3, _("3 medium")),
            (4, _("4 high")),
            (5, _("5 very high")),
        ],
        help_text=_("PP 44/2015 Lampiran I."),
    )
    region = forms.CharField(
        label=_("region"),
        max_length=8,
        help_text=_("Code of the regency/city or district, e.g. 35.73.01. Type a name to look it up."),
        widget=_lookup_input("region_options", "region-options"),
    )
    branch_office = forms.TypedChoiceField(
        label=_("branch office"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Leave empty to use the office that serves the region."),
    )
    facility_type = forms.ChoiceField(
        label=_("health facility type"),
        required=False,
        choices=[("", _("not a health facility")), *Employer.FacilityType.choices],
    )

    sections = [
        (_("Identity"), ["npp", "nib", "name", "legal_form", "size_class"]),
        (_("Activity and place"), ["kbli", "risk_class", "facility_type", "region", "branch_office"]),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offices = BranchOffice.objects.order_by("name").values_list("pk", "name")
        self.fields["branch_office"].choices = [("", "—"), *offices]  # type: ignore[attr-defined]

    @classmethod
    def initial_from(cls, employer: Employer) -> dict[str, Any]:
        return {
            "npp": employer.npp,
            "nib": employer.nib,
            "name": employer.name,
            "legal_form": employer.legal_form,
            "size_class": employer.size_class,
            "kbli": employer.kbli,
            "risk_class": employer.risk_class,
            "region": employer.region_id,
            "branch_office": employer.branch_office_id,
            "facility_type": employer.facility_type,
        }


class EmployerEditForm(EmployerForm):
    """The employer's own fields and, kept by its own service (registry/services/relief.py), whether it
    qualified for the PP 49/2020 JP deferral (rules.md §2.7)."""

    jp_deferral_pp49 = forms.BooleanField(
        label=_("JP deferral under PP 49/2020"),
        required=False,
        help_text=_(
            "The employer qualified for the relief: most of its JP for August 2020 to January 2021 is "
            "billed separately, due by 15 April 2022."
        ),
    )

    sections = [
        *EmployerForm.sections,
        (_("COVID-19 relief (PP 49/2020)"), ["jp_deferral_pp49"]),
    ]

    @classmethod
    def initial_from(cls, employer: Employer) -> dict[str, Any]:
        return EmployerForm.initial_from(employer) | {"jp_deferral_pp49": employer.jp_deferral_pp49}


# --- persons -------------------------------------------------------------------------------------


class PersonForm(RegistryForm):
    nik = forms.CharField(
        label=_("NIK"),
        max_length=24,
        help_text=_("16 digits, as on the KTP."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    full_name = forms.CharField(label=_("full name"), max_length=160)
    birth_date = forms.DateField(label=_("birth date"), widget=_date_input())
    sex = forms.ChoiceField(label=_("sex"), choices=BLANK + Sex.choices)
    citizenship = forms.ChoiceField(label=_("citizenship"), choices=Citizenship.choices)
    phone = forms.CharField(
        label=_("phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    address_region = forms.CharField(
        label=_("address region"),
        max_length=8,
        help_text=_("Code of the regency/city or district of residence. Type a name to look it up."),
        widget=_lookup_input("region_options", "region-options"),
    )

    PERSON_FIELDS: ClassVar[list[str]] = [
        "nik",
        "full_name",
        "birth_date",
        "sex",
        "citizenship",
        "phone",
        "address_region",
    ]

    def clean_nik(self) -> str:
        # People type NIKs with spaces, dots or dashes; the stored NIK is digits only.
        return nik_normalise(self.cleaned_data.get("nik", ""))

    def person_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.PERSON_FIELDS}

    @classmethod
    def initial_from(cls, person: Any) -> dict[str, Any]:
        return {name: getattr(person, name) for name in cls.PERSON_FIELDS if name != "address_region"} | {
            "address_region": person.address_region_id
        }


# --- employment ----------------------------------------------------------------------------------


class EmploymentFields(RegistryForm):
    start_date = forms.DateField(label=_("start date"), widget=_date_input())
    end_date = forms.DateField(label=_("end date"), required=False, widget=_date_input())
    basic_wage = RupiahField(label=_("basic wage (upah pokok)"), help_text=_("Monthly, whole Rupiah."))
    fixed_allowance = RupiahField(label=_("fixed allowances (tunjangan tetap)"), required=False)
    occupation = forms.ChoiceField(
        label=_("occupation group"),
        choices=Employment.Occupation.choices,
        initial=Employment.Occupation.OTHER,
    )
    civil_service = forms.ChoiceField(
        label=_("civil-servant status"),
        choices=Employment.CivilService.choices,
        initial=Employment.CivilService.NON_ASN,
    )

    EMPLOYMENT_FIELDS: ClassVar[list[str]] = [
        "start_date",
        "end_date",
        "basic_wage",
        "fixed_allowance",
        "occupation",
        "civil_service",
    ]

    def employment_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in self.EMPLOYMENT_FIELDS}
        data["fixed_allowance"] = data["fixed_allowance"] or 0
        return data

    @classmethod
    def initial_from(cls, employment: Any) -> dict[str, Any]:
        return {name: getattr(employment, name) for name in cls.EMPLOYMENT_FIELDS}


class EmploymentEditForm(EmploymentFields):
    """Editing an employment: a changed wage is kept in the wage history from the month given."""

    wage_from = forms.DateField(
        label=_("new wage from (month)"),
        required=False,
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text=_("The month a changed wage starts in. Empty: this month."),
        error_messages={"invalid": _("Enter a month, e.g. 2025-04.")},
    )

    sections = [(_("Employment"), [*EmploymentFields.EMPLOYMENT_FIELDS, "wage_from"])]


class EmployerByNppMixin(forms.Form):
    """An employer typed as its NPP, resolved among the employers the user may act for."""

    employer = forms.CharField(
        label=_("employer (NPP)"),
        max_length=20,
        widget=_lookup_input("employer_options", "employer-options"),
        help_text=_("Type the NPP or part of the name to look it up."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_employer(self) -> int | None:
        return employer_pk_for_npp(self.user, self.cleaned_data.get("employer"))


class EmploymentForm(EmployerByNppMixin, EmploymentFields):
    sections = [(_("Employment"), ["employer", *EmploymentFields.EMPLOYMENT_FIELDS])]


class WorkerForm(PersonForm, EmploymentFields):
    """A new person and their employment with one employer, in one form (services.worker_register)."""

    sections = [
        (_("Person"), PersonForm.PERSON_FIELDS),
        (_("Employment"), EmploymentFields.EMPLOYMENT_FIELDS),
    ]


# --- memberships ---------------------------------------------------------------------------------


class MembershipForm(RegistryForm):
    segment = forms.ChoiceField(label=_("segment"), choices=BLANK + Segment.choices)
    programs = forms.MultipleChoiceField(
        label=_("programmes"),
        choices=Program.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
        help_text=_("JKK and JKM are required; JP and JKP are for wage earners only."),
    )
    start_date = forms.DateField(label=_("start date"), widget=_date_input())
    payer_kind = forms.ChoiceField(label=_("payer"), choices=BLANK + Membership.PayerKind.choices)
    employer = forms.CharField(
        label=_("employer (NPP)"),
        max_length=20,
        required=False,
        widget=_lookup_input("employer_options", "employer-options"),
    )
    sponsor = forms.TypedChoiceField(label=_("sponsor"), coerce=int, required=False, empty_value=None)
    declared_income = RupiahField(
        label=_("declared income (BPU)"), required=False, help_text=_("Monthly, whole Rupiah.")
    )
    bpu_sector = forms.ChoiceField(
        label=_("BPU sector"), required=False, choices=BLANK + Membership.BpuSector.choices
    )
    contract_value = RupiahField(
        label=_("contract value (Jakon)"),
        required=False,
        help_text=_("The construction project's contract value, whole Rupiah."),
    )
    contract_months = forms.IntegerField(
        label=_("contract length in months (PMI)"),
        required=False,
        min_value=1,
        max_value=1200,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    pmi_jht_amount = forms.TypedChoiceField(
        label=_("JHT amount chosen (PMI)"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("For a migrant worker in JHT: the monthly amount chosen."),
    )
    pmi_individual = forms.BooleanField(
        label=_("individual migrant worker (no placement agency)"),
        required=False,
        help_text=_("Leave unticked for a worker placed through an agency, who pays the pre-placement fee."),
    )

    show_when = {
        "employer": "segment:PU,JAKON;payer_kind:employer",
        "sponsor": "payer_kind:sponsor",
        "declared_income": "segment:BPU",
        "bpu_sector": "segment:BPU",
        "contract_value": "segment:JAKON",
        "contract_months": "segment:PMI",
        "pmi_jht_amount": "segment:PMI",
        "pmi_individual": "segment:PMI",
    }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        sponsors = selectors.sponsor_list(user=user).values_list("pk", "name")
        self.fields["sponsor"].choices = [("", "—"), *sponsors]  # type: ignore[attr-defined]
        # The choices of the rule table in force today (Permenaker 4/2023); the service checks the start
        # month's.
        table = contribution_tables().for_period(Period.of(timezone.localdate())).pmi_jht
        amounts = [(c.value, display.rupiah(c.value)) for c in table.choices] if table is not None else []
        self.fields["pmi_jht_amount"].choices = [("", "—"), *amounts]  # type: ignore[attr-defined]

    @staticmethod
    def programs_by_segment_json() -> str:
        return json.dumps({str(k): list(v) for k, v in PROGRAMS_BY_SEGMENT.items()})

    def clean_employer(self) -> int | None:
        return employer_pk_for_npp(self.user, self.cleaned_data.get("employer"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        in_jht = "JHT" in (data.get("programs") or ())
        if data.get("segment") == Segment.PMI and in_jht and data.get("pmi_jht_amount") is None:
            # On this page the amount is asked for (the service takes a PMI in JHT without one, for the API).
            choices = [label for value, label in self.fields["pmi_jht_amount"].choices if value != ""]  # type: ignore[attr-defined]
            self.add_error(
                "pmi_jht_amount", _("Choose the JHT amount: %(allowed)s.") % {"allowed": ", ".join(choices)}
            )
        return data


class MembershipEndForm(RegistryForm):
    end_date = forms.DateField(label=_("end date"), widget=_date_input())
