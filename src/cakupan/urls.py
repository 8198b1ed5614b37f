from django.contrib import admin
from django.urls import include, path

urlpatterns = [
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
