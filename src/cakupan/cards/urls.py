from django.urls import path

from cakupan.cards import views

app_name = "cards"

urlpatterns = [
    path("cards/mine/", views.card_mine, name="mine"),
    path("cards/mine/card.pdf", views.card_mine_pdf, name="mine_pdf"),
    path("cards/person/<int:pk>/", views.card_person, name="person"),
    path("cards/person/<int:pk>/card.pdf", views.card_person_pdf, name="person_pdf"),
    # Public. `path`, not `str`: whatever follows /verify/ (a slash, nothing at all) gets the same calm page.
    path("verify/", views.card_verify_page, {"token": ""}, name="verify_empty"),
    path("verify/<path:token>", views.card_verify_page, name="verify"),
]
