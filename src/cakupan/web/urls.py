from django.urls import path

from cakupan.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
