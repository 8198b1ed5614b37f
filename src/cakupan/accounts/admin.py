"""Django admin, for national administrators only: reference data, accounts and the audit log.

Opening /admin/ needs `is_staff` (Django's rule); what a staff user may then see or change is decided
by the permission ADMIN_SITE, not by per-model permissions, so branch staff who happen to be `is_staff`
see nothing. Registry rows are read-only here: they change only through the services, which check the
rules. The apps' admin modules build on NationalAdminAccess.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

import cakupan.core.admin  # noqa: F401 - the site's titles
from cakupan.accounts.models import User
from cakupan.accounts.permissions import Perm, may
from cakupan.core.audit import audit_record
from cakupan.core.models import AuditEvent


def is_national_admin(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_active and user.is_staff and (user.is_superuser or may(user, Perm.ADMIN_SITE)))


class NationalAdminAccess(admin.ModelAdmin):
    """Visible to national administrators; changes recorded in the audit log like any other write."""

    read_only = False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_national_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_national_admin(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_national_admin(request) and not self.read_only

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_national_admin(request) and not self.read_only

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_national_admin(request) and not self.read_only

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        fields = sorted(f for f in form.changed_data if "password" not in f)
        audit_record(
            actor=request.user,
            action="admin_update" if change else "admin_create",
            instance=obj,
            changes={"fields": fields},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(actor=request.user, action="admin_delete", instance=obj, changes={"repr": str(obj)})
        super().delete_model(request, obj)


@admin.register(AuditEvent)
class AuditEventAdmin(NationalAdminAccess):
    read_only = True
    list_display = ("at", "actor", "action", "entity", "entity_id")
    list_filter = ("action", "entity")
    search_fields = ("entity_id", "entity", "actor__username")
    date_hierarchy = "at"
    list_select_related = ("actor",)


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
