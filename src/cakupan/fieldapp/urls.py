from django.urls import path

from cakupan.fieldapp import views

app_name = "fieldapp"

# The service worker's scope is the folder it is served from: everything the app needs offline sits
# under /lapangan/ (the static files are cached by URL and may live elsewhere).
urlpatterns = [
    path("", views.shell, name="shell"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="sw"),
    path("reference.json", views.reference, name="reference"),
    path("region-codes.json", views.region_codes_json, name="region_codes"),
    path("session.json", views.session, name="session"),
]
