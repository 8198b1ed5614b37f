from django.contrib import admin

from cakupan.accounts.admin import NationalAdminAccess
from cakupan.partners.models import PartnerAgency


@admin.register(PartnerAgency)
class PartnerAgencyAdmin(NationalAdminAccess):
    list_display = ("name", "kind", "sector", "region")
    list_filter = ("kind", "sector")
    search_fields = ("name", "region__name")
    autocomplete_fields = ("region",)
    list_select_related = ("region",)
