"""Version 1 of the REST API: each domain app contributes its routes here."""

from django.urls import include, path

urlpatterns = [
    path("", include("cakupan.registry.api.urls")),
    path("", include("cakupan.calculations.urls")),
    path("", include("cakupan.regions.api")),
    path("auth/", include("cakupan.accounts.api")),
]
