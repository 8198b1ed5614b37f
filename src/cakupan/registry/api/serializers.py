"""Input and output serializers of the registry API, one explicit pair per endpoint.

Input serializers check shape and types only (a date is a date, a choice is one of the choices, a string
fits its column); every business rule is the services' (`InvalidInput`, rendered as HTTP 400). Output
serializers render what a selector returned; a person goes through `registry.person_view`, so that a role
sees only what it may (sponsors: the NIK masked and nothing that rebuilds it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cakupan.registry import selectors
from cakupan.registry.models import (
    Citizenship,
    Employer,
    Employment,
    Membership,
    Person,
    Program,
    Segment,
    Sex,
    Sponsor,
)
from cakupan.registry.person_view import person_shown

# Column limits: values beyond them would fail in the database (a 500), so they are shape errors here.
BIGINT_MAX = 2**63 - 1


def _id(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=BIGINT_MAX, **kwargs)


def _rupiah(**kwargs: Any) -> serializers.IntegerField:
    # Zero or more is the services' rule (with their message); the column's range is the shape.
    return serializers.IntegerField(max_value=BIGINT_MAX, **kwargs)


class InputSerializer(serializers.Serializer):
    """Refuses keys it does not know, so a misspelt field is an error rather than silently ignored."""

    def to_internal_value(self, data: Any) -> Any:
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, Mapping) else []
        errors: dict[str, Any] = {name: [_("Unknown field.")] for name in unknown}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, dict):
                raise
            errors = {**exc.detail, **errors}
        if errors:
            raise serializers.ValidationError(errors)
        return value


class ScopedPersonField(serializers.PrimaryKeyRelatedField):
    """A person id, resolved among the persons the user may see: others are "not found", never revealed."""

    def get_queryset(self) -> Any:
        return selectors.person_list(user=self.context["request"].user)


def _region_code(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(
        max_length=8, help_text=_("Kemendagri region code, e.g. 35.73.01."), **kwargs
    )


# --- employers -----------------------------------------------------------------------------------


class EmployerCreateInput(InputSerializer):
    npp = serializers.CharField(max_length=20)
    nib = serializers.CharField(max_length=13, required=False, allow_blank=True)
    name = serializers.CharField(max_length=200)
    legal_form = serializers.ChoiceField(choices=Employer.LegalForm.choices)
    size_class = serializers.ChoiceField(choices=Employer.SizeClass.choices)
    kbli = serializers.CharField(max_length=5)
    risk_class = serializers.IntegerField(help_text=_("1 very low … 5 very high (PP 44/2015)."))
    region = _region_code()
    branch_office = _id(required=False, allow_null=True)
    facility_type = serializers.ChoiceField(
        choices=Employer.FacilityType.choices, required=False, allow_blank=True
    )


class EmployerUpdateInput(EmployerCreateInput):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class EmployerOutput(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    branch_office_name = serializers.CharField(source="branch_office.name", read_only=True)
    # Declared: DRF drops allow_blank from read-only model fields, so the document's enum would leave out
    # the "" that every employer other than a health facility has.
    facility_type = serializers.ChoiceField(
        choices=Employer.FacilityType.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Employer
        fields = [
            "id",
            "npp",
            "nib",
            "name",
            "legal_form",
            "size_class",
            "kbli",
            "risk_class",
            "region",
            "region_name",
            "branch_office",
            "branch_office_name",
            "facility_type",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# --- persons -------------------------------------------------------------------------------------


class PersonCreateInput(InputSerializer):
    nik = serializers.CharField(max_length=32, help_text=_("16 digits; spaces, dots and dashes are ignored."))
    full_name = serializers.CharField(max_length=160)
    birth_date = serializers.DateField()
    sex = serializers.ChoiceField(choices=Sex.choices)
    address_region = _region_code()
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    citizenship = serializers.ChoiceField(choices=Citizenship.choices, required=False)


class PersonUpdateInput(PersonCreateInput):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class NikWarningOutput(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class PersonOutput(serializers.Serializer):
    """A person as the viewer may see them (`registry.person_view` decides): needs `scope` in its context,
    without one it shows the least (fail closed). A role that sees the NIK masked gets no birth date, sex
    or district (they would rebuild it) but an age band; roles outside the office get no phone."""

    id = serializers.IntegerField(source="pk", read_only=True)
    nik = serializers.CharField(
        read_only=True, help_text=_("Masked (first and last four digits) for sponsors.")
    )
    nik_warnings = NikWarningOutput(many=True, read_only=True)
    full_name = serializers.CharField(read_only=True)
    birth_date = serializers.DateField(read_only=True, allow_null=True)
    age_band = serializers.CharField(
        read_only=True, allow_null=True, help_text=_("Given instead of the birth date, e.g. 30–39.")
    )
    sex = serializers.ChoiceField(choices=Sex.choices, read_only=True, allow_null=True)
    phone = serializers.CharField(read_only=True, allow_null=True)
    address_region = serializers.CharField(
        source="region_code", read_only=True, help_text=_("District, or only the regency for some roles.")
    )
    address_region_name = serializers.CharField(source="region_name", read_only=True)
    citizenship = serializers.ChoiceField(choices=Citizenship.choices, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, instance: Person) -> Any:
        shown = person_shown(scope=self.context.get("scope"), person=instance)
        return super().to_representation(shown)


# --- employment ----------------------------------------------------------------------------------


class EmploymentTermsInput(InputSerializer):
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    basic_wage = _rupiah(help_text=_("Upah pokok, whole Rupiah a month."))
    fixed_allowance = _rupiah(required=False, help_text=_("Tunjangan tetap, whole Rupiah a month."))
    occupation = serializers.ChoiceField(choices=Employment.Occupation.choices, required=False)
    civil_service = serializers.ChoiceField(choices=Employment.CivilService.choices, required=False)


class EmploymentCreateInput(EmploymentTermsInput):
    person = ScopedPersonField(queryset=Person.objects.all())
    employer = _id()


class EmploymentUpdateInput(EmploymentTermsInput):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class EmploymentOutput(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    employer_name = serializers.CharField(source="employer.name", read_only=True)
    monthly_wage = serializers.IntegerField(read_only=True, help_text=_("Basic wage + fixed allowances."))

    class Meta:
        model = Employment
        fields = [
            "id",
            "person",
            "person_name",
            "employer",
            "employer_name",
            "start_date",
            "end_date",
            "basic_wage",
            "fixed_allowance",
            "monthly_wage",
            "occupation",
            "civil_service",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# --- workers (person + employment in one call) ---------------------------------------------------


class WorkerCreateInput(PersonCreateInput, EmploymentTermsInput):
    """Flat on purpose: the person's and the employment's field names do not overlap, so the services'
    field errors name exactly the keys that were sent."""

    employer = _id()

    PERSON_KEYS = ("nik", "full_name", "birth_date", "sex", "address_region", "phone", "citizenship")
    EMPLOYMENT_KEYS = (
        "start_date",
        "end_date",
        "basic_wage",
        "fixed_allowance",
        "occupation",
        "civil_service",
    )


class WorkerOutput(serializers.Serializer):
    person = PersonOutput()
    employment = EmploymentOutput()


# --- memberships ---------------------------------------------------------------------------------


class MembershipCreateInput(InputSerializer):
    person = ScopedPersonField(queryset=Person.objects.all())
    segment = serializers.ChoiceField(choices=Segment.choices)
    programs = serializers.ListField(child=serializers.ChoiceField(choices=Program.choices), max_length=5)
    start_date = serializers.DateField()
    payer_kind = serializers.ChoiceField(choices=Membership.PayerKind.choices)
    employer = _id(required=False, allow_null=True)
    sponsor = _id(required=False, allow_null=True)
    declared_income = _rupiah(required=False, allow_null=True, help_text=_("BPU only: whole Rupiah a month."))
    bpu_sector = serializers.ChoiceField(
        choices=Membership.BpuSector.choices, required=False, allow_blank=True
    )
    # Jakon and PMI (rules.md §3.1-3.2): what billing needs to bill them; the service checks each segment's.
    contract_value = _rupiah(
        required=False, allow_null=True, help_text=_("Jakon only: the project's contract value in Rupiah.")
    )
    contract_months = serializers.IntegerField(
        min_value=1, max_value=32767, required=False, allow_null=True, help_text=_("PMI only: months.")
    )
    pmi_jht_amount = _rupiah(
        required=False, allow_null=True, help_text=_("PMI only: the JHT amount chosen, Rupiah a month.")
    )
    pmi_individual = serializers.BooleanField(required=False, default=False)


class MembershipEndInput(InputSerializer):
    end_date = serializers.DateField()


class MembershipOutput(serializers.ModelSerializer):
    programs = serializers.SerializerMethodField()
    # Declared: "" (not BPU) must be in the document's enum; see EmployerOutput.facility_type.
    bpu_sector = serializers.ChoiceField(
        choices=Membership.BpuSector.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Membership
        fields = [
            "id",
            "person",
            "kpj",
            "segment",
            "programs",
            "status",
            "start_date",
            "end_date",
            "payer_kind",
            "employer",
            "employment",
            "sponsor",
            "declared_income",
            "bpu_sector",
            "contract_value",
            "contract_months",
            "pmi_jht_amount",
            "pmi_individual",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Program.choices)))
    def get_programs(self, obj: Membership) -> list[str]:
        return [name.upper() for name in Membership.PROGRAM_FIELDS if getattr(obj, name)]


# --- sponsors ------------------------------------------------------------------------------------


class SponsorCreateInput(InputSerializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Sponsor.Kind.choices)
    region = _region_code()
    employer = _id(required=False, allow_null=True)


class SponsorUpdateInput(InputSerializer):
    # Checked by the service (whole Rupiah from the lowest BPU level); null: the lowest level applies.
    income_basis = serializers.IntegerField(allow_null=True)


class SponsorOutput(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    income_basis_applied = serializers.SerializerMethodField(
        help_text=_("The monthly income given to members whose roster has none (whole Rupiah).")
    )

    class Meta:
        model = Sponsor
        fields = [
            "id",
            "name",
            "kind",
            "region",
            "region_name",
            "employer",
            "income_basis",
            "income_basis_applied",
            "created_at",
        ]
        read_only_fields = fields

    def get_income_basis_applied(self, obj: Sponsor) -> int:
        return selectors.sponsor_income_basis(sponsor=obj, day=timezone.localdate())
