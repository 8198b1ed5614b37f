from django.urls import path

from cakupan.compliance import views

app_name = "compliance"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("import/", views.report_upload, name="import"),
    path("findings/<int:pk>/", views.finding_detail, name="finding"),
    path("review/", views.review_queue, name="review"),
    path("review/<int:pk>/", views.review_decide, name="review_decide"),
    path("cases/open/", views.case_open, name="case_open"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("steps/<int:pk>/letter.pdf", views.step_letter, name="letter"),
    path("export.xlsx", views.export, name="export"),
]
