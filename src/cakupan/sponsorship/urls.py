from django.urls import path

from cakupan.sponsorship import views, views_endings

app_name = "sponsorship"

urlpatterns = [
    path("", views.sponsor_list, name="list"),
    path("<int:pk>/", views.sponsor_detail, name="detail"),
    path("<int:pk>/endings/<str:month>/", views_endings.endings, name="endings"),
    path("<int:pk>/moves/", views_endings.moves_answer, name="moves"),
    path("<int:pk>/agreement/", views_endings.agreement, name="agreement"),
    path("<int:pk>/members.xlsx", views_endings.members_export, name="members_export"),
    path("villages/<str:regency>/", views.villages, name="villages"),
]
