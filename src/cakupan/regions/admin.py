from django.contrib import admin

from cakupan.accounts.admin import NationalAdminAccess
from cakupan.regions.models import BranchOffice, LegacyRegionCode, Region


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
