"""The registry in the admin: read-only. Rows change through the pages, API and commands, which call the
services (rules, scope and audit); an admin form would bypass all three."""

from django.contrib import admin

from cakupan.accounts.admin import NationalAdminAccess
from cakupan.registry.models import Employer, Employment, Membership, Person, Sponsor


class ReadOnly(NationalAdminAccess):
    read_only = True


@admin.register(Person)
class PersonAdmin(ReadOnly):
    list_display = ("full_name", "nik", "birth_date", "sex", "address_region")
    search_fields = ("nik", "full_name")
    list_select_related = ("address_region",)


@admin.register(Employer)
class EmployerAdmin(ReadOnly):
    list_display = ("npp", "name", "legal_form", "size_class", "region", "branch_office")
    list_filter = ("size_class", "legal_form", "facility_type", "branch_office")
    search_fields = ("npp", "nib", "name")
    list_select_related = ("region", "branch_office")


@admin.register(Sponsor)
class SponsorAdmin(ReadOnly):
    list_display = ("name", "kind", "region", "employer")
    list_filter = ("kind",)
    search_fields = ("name",)
    list_select_related = ("region", "employer")


@admin.register(Employment)
class EmploymentAdmin(ReadOnly):
    list_display = ("person", "employer", "start_date", "end_date", "basic_wage", "fixed_allowance")
    search_fields = ("person__nik", "person__full_name", "employer__npp", "employer__name")
    list_select_related = ("person", "employer")
    raw_id_fields = ("person", "employer")


@admin.register(Membership)
class MembershipAdmin(ReadOnly):
    list_display = ("kpj", "person", "segment", "status", "payer_kind", "start_date", "end_date")
    list_filter = ("segment", "status", "payer_kind")
    search_fields = ("kpj", "person__nik", "person__full_name")
    list_select_related = ("person",)
    raw_id_fields = ("person", "employer", "employment", "sponsor")
