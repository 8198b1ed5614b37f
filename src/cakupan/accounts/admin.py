from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.models import User
from cakupan.core.admin import NationalAdminAccess


@admin.register(User)
class CakupanUserAdmin(NationalAdminAccess, UserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "is_active", "is_staff")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email")
    autocomplete_fields = ("branch_office", "agency", "employer", "sponsor", "person")
    fieldsets = (
        *UserAdmin.fieldsets,  # type: ignore[misc]
        (
            _("Role and scope"),
            {"fields": ("role", "branch_office", "agency", "employer", "sponsor", "person")},
        ),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (
            _("Role and scope"),
            {"fields": ("role", "branch_office", "agency", "employer", "sponsor", "person")},
        ),
    )
