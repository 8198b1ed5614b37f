from django.urls import path

from cakupan.outreach import views

app_name = "outreach"

urlpatterns = [
    # Public: the page an event's QR poster points to. No login.
    path("daftar/<str:code>/", views.signup, name="signup"),
    path("outreach/", views.event_list, name="list"),
    path("outreach/new/", views.event_new, name="new"),
    path("outreach/funnel/", views.funnel_page, name="funnel"),
    path("outreach/<str:code>/", views.event_detail, name="detail"),
    path("outreach/<str:code>/edit/", views.event_edit, name="edit"),
    path("outreach/<str:code>/convert/", views.event_convert, name="convert"),
    path("outreach/<str:code>/paper/", views.event_paper, name="paper"),
    path("outreach/<str:code>/poster.pdf", views.event_poster, name="poster"),
]
