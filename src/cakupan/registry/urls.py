from django.urls import path

from cakupan.registry.views import employers, employment, memberships, persons, sponsors

app_name = "registry"

urlpatterns = [
    path("employers/", employers.employer_list, name="employer_list"),
    path("employers/new/", employers.employer_create, name="employer_create"),
    path("employers/<int:pk>/", employers.employer_detail, name="employer_detail"),
    path("employers/<int:pk>/edit/", employers.employer_edit, name="employer_edit"),
    path("employers/<int:pk>/workers/new/", employers.worker_register, name="worker_register"),
    path("persons/", persons.person_list, name="person_list"),
    path("persons/new/", persons.person_create, name="person_create"),
    path("persons/<int:pk>/", persons.person_detail, name="person_detail"),
    path("persons/<int:pk>/edit/", persons.person_edit, name="person_edit"),
    path("persons/<int:person_pk>/employment/new/", employment.employment_create, name="employment_create"),
    path("persons/<int:person_pk>/memberships/new/", memberships.membership_create, name="membership_create"),
    path("employment/", employment.employment_list, name="employment_list"),
    path("employment/<int:pk>/", employment.employment_detail, name="employment_detail"),
    path("employment/<int:pk>/edit/", employment.employment_edit, name="employment_edit"),
    path("memberships/", memberships.membership_list, name="membership_list"),
    path("memberships/<int:pk>/", memberships.membership_detail, name="membership_detail"),
    path("memberships/<int:pk>/end/", memberships.membership_end, name="membership_end"),
    path("sponsors/<int:pk>/income-basis/", sponsors.sponsor_income_basis, name="sponsor_income_basis"),
]
