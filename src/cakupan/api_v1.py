"""Version 1 of the REST API: each domain app contributes its routes here."""

from django.urls import include, path

urlpatterns = [
    # Before the registry's router: sponsors/overlaps/ is no sponsor id.
    path("", include("cakupan.sponsorship.api")),
    path("", include("cakupan.registry.api.urls")),
    path("", include("cakupan.calculations.urls")),
    path("", include("cakupan.regions.api")),
    path("", include("cakupan.coverage.api")),
    path("auth/", include("cakupan.accounts.api")),
    path("", include("cakupan.contributions.api")),
    path("", include("cakupan.enrolment.api")),
    path("", include("cakupan.benefits.api")),
    path("", include("cakupan.compliance.api")),
    path("", include("cakupan.field.api")),
]
