from django.urls import path

from cakupan.benefits import views

app_name = "benefits"

urlpatterns = [
    path("simulator/", views.simulator, name="simulator"),
    path("simulator.pdf", views.simulator_pdf, name="simulator_pdf"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/new/", views.claim_new, name="claim_new"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/<slug:action>/", views.claim_action, name="claim_action"),
    path("notifications/", views.notifications, name="notifications"),
]
