from django.urls import path

from cakupan.partners import views

app_name = "partners"

urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("new/", views.agreement_create, name="create"),
    path("<int:pk>/", views.agreement_detail, name="detail"),
    path("<int:pk>/edit/", views.agreement_edit, name="edit"),
    path("<int:pk>/status/", views.agreement_status, name="status"),
    path("<int:pk>/kpis/", views.kpi_add, name="kpi_add"),
    path("<int:pk>/documents/", views.document_add, name="document_add"),
    path("<int:pk>/obligations/<int:obligation>/", views.obligation_mark, name="obligation_mark"),
    path("<int:pk>/scorecard/", views.agreement_scorecard, name="scorecard"),
    path("<int:pk>/scorecard.pdf", views.agreement_scorecard_pdf, name="scorecard_pdf"),
    path("documents/<int:pk>/", views.document_download, name="document"),
]
