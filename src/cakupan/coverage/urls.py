from django.urls import path

from cakupan.coverage import views, views_reports

urlpatterns = [
    path("", views.dashboard, name="coverage_dashboard"),
    path("planner/", views.planner, name="coverage_planner"),
    path("planner/export.xlsx", views.planner_export, name="coverage_planner_export"),
    path("workforce/", views.workforce, name="coverage_workforce"),
    path("targets/", views.targets, name="coverage_targets"),
    path("health/", views_reports.health, name="coverage_health"),
    path("export.<str:fmt>", views_reports.export, name="coverage_export"),
]
