from django.urls import include, path

from cakupan.accounts import views as accounts_views
from cakupan.web import own_record, views

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", own_record.own_page, name="own_record"),
    path("search/", views.search, name="search"),
    path("lookup/regions/", views.region_options, name="region_options"),
    path("lookup/employers/", views.employer_options, name="employer_options"),
    path("login/", accounts_views.SignInView.as_view(), name="login"),
    path("logout/", accounts_views.SignOutView.as_view(), name="logout"),
    path("coverage/", include("cakupan.coverage.urls")),
    path("rosters/", include("cakupan.enrolment.urls")),
    path("", include("cakupan.registry.urls")),
    path("contributions/", include("cakupan.contributions.urls")),
    path("benefits/", include("cakupan.benefits.urls")),
    path("compliance/", include("cakupan.compliance.urls")),
    path("sponsorship/", include("cakupan.sponsorship.urls")),
    path("", include("cakupan.outreach.urls")),
    path("agreements/", include("cakupan.partners.urls")),
    path("field/", include("cakupan.field.urls")),
    path("lapangan/", include("cakupan.fieldapp.urls")),
]
