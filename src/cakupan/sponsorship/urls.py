from django.urls import path

from cakupan.sponsorship import views

app_name = "sponsorship"

urlpatterns = [
    path("", views.sponsor_list, name="list"),
    path("<int:pk>/", views.sponsor_detail, name="detail"),
    path("villages/<str:regency>/", views.villages, name="villages"),
]
