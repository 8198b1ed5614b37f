from typing import Any

from django.contrib import admin

from cakupan.accounts.admin import NationalAdminAccess
from cakupan.regions.models import BranchOffice, LegacyRegionCode, Region
from cakupan.registry.services.scope_keys import scope_keys_rebuild


@admin.register(Region)
class RegionAdmin(NationalAdminAccess):
    # The official list (Kepmendagri) is loaded by `cakupan regions load`, not edited by hand.
    read_only = True
    list_display = ("code", "name", "level", "kind", "parent")
    list_filter = ("level", "kind")
    search_fields = ("code", "name")
    list_select_related = ("parent",)


@admin.register(LegacyRegionCode)
class LegacyRegionCodeAdmin(NationalAdminAccess):
    list_display = ("code", "name", "current", "source")
    search_fields = ("code", "name")
    autocomplete_fields = ("current",)
    list_select_related = ("current",)


@admin.register(BranchOffice)
class BranchOfficeAdmin(NationalAdminAccess):
    list_display = ("code", "name", "region")
    search_fields = ("code", "name")
    autocomplete_fields = ("region", "regions")
    list_select_related = ("region",)

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        # The regions an office serves decide which persons its staff see (scope keys on every person),
        # as in regions.services.branch_office_upsert.
        served = set(form.instance.regions.values_list("code", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        if served != set(form.instance.regions.values_list("code", flat=True)):
            scope_keys_rebuild()
