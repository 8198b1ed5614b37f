"""Version 1 of the REST API: each domain app contributes its routes here."""

from django.urls import include, path

urlpatterns = [
    path("", include("cakupan.registry.api.urls")),
]
