from django.contrib import admin
from django.urls import include, path

from cakupan.core import health, metrics

urlpatterns = [
    # Operations (core.health, core.metrics): probes and metrics, no sign-in, no personal data.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("api/", include("cakupan.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("cakupan.cards.urls")),
    path("", include("cakupan.web.urls")),
]

# The API answers its errors as JSON (core.api); pages keep Django's HTML.
handler400 = "cakupan.core.api.bad_request"
handler404 = "cakupan.core.api.page_not_found"
handler500 = "cakupan.core.api.server_error"
