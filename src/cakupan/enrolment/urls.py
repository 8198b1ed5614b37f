from django.urls import path

from cakupan.enrolment import views, views_reviews

app_name = "enrolment"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("template.xlsx", views.template, name="template"),
    path("<int:pk>/", views.report, name="report"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/progress", views.job_progress, name="job_progress"),
    path("<int:pk>/report.<str:extension>", views.report_download, name="report_download"),
    path("reviews/", views_reviews.review_list, name="review_list"),
    path("reviews/<int:pk>/", views_reviews.review_detail, name="review_detail"),
    path(
        "reviews/<int:pk>/<str:decision>",
        views_reviews.review_decide,
        name="review_decide",
    ),
]
